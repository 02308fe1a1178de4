"""Possible series among business reports: the same vehicle, or offender descriptions that read alike.

Pure: no Django. Descriptions are compared with rapidfuzz's token-set ratio, which
ignores word order and repeated words ("white male, 30s, grey hoodie" against "grey
hoodie, male white about 30s"), after dropping words that describe nobody in particular.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

# Below this a match is mostly the shared filler of descriptions; tuned on the demo's
# descriptions so that one person described twice pairs and two different people do not.
DEFAULT_THRESHOLD = 80.0
# A description this short ("male") matches half the population: never enough alone.
MIN_WORDS = 3
_FILLER = frozenset(
    "a an the and with of in on wearing wore was he she they who his her their about approx approximately aged"
    " around roughly years old".split()
)
# Different words for one thing in witnesses' descriptions, folded to one (phrases first).
_PHRASES = {"hooded top": "hoodie", "hooded jumper": "hoodie", "baseball cap": "cap", "tracksuit bottoms": "trackies",
            "track suit": "tracksuit"}
_SAME = {"man": "male", "men": "male", "guy": "male", "boy": "male", "boys": "male", "lad": "male", "lads": "male", "woman": "female",
         "lady": "female", "girl": "female", "hooded": "hoodie", "hoody": "hoodie", "skinny": "thin", "slim": "thin",
         "grey": "grey", "gray": "grey", "teens": "teen", "teenage": "teen", "teenager": "teen"}
_DECADES = {"twenties": "20s", "thirties": "30s", "forties": "40s", "fifties": "50s", "sixties": "60s"}


@dataclass(frozen=True)
class Incident:
    """What the comparison needs of one reported incident."""

    key: int
    offender: str = ""
    vehicle: str = ""


@dataclass(frozen=True)
class Link:
    """Two incidents that may be the same offender's work, why, and how close the descriptions are (0–100)."""

    first: int
    second: int
    basis: str  # "vehicle" or "offender"
    score: float


def _fold(word: str) -> str:
    if word in _DECADES:
        return _DECADES[word]
    if re.fullmatch(r"[1-9]0s?", word):
        return word.rstrip("s") + "s"  # "30" and "30s" both mean in their thirties
    return _SAME.get(word, word)


def words(description: str) -> str:
    """The description reduced to the words that describe someone: lower case, synonyms folded, no filler."""
    text = utils.default_process(description or "")
    for phrase, same in _PHRASES.items():
        text = text.replace(phrase, same)
    kept = [_fold(w) for w in re.findall(r"[a-z0-9']+", text) if w not in _FILLER]
    return " ".join(kept)


def links_for(new: Incident, earlier: Iterable[Incident], *, threshold: float = DEFAULT_THRESHOLD) -> list[Link]:
    """The earlier incidents the new one may share an offender with: the same vehicle, or a description alike."""
    earlier = [e for e in earlier if e.key != new.key]
    found: list[Link] = []
    if new.vehicle:
        found += [Link(e.key, new.key, "vehicle", 100.0) for e in earlier if e.vehicle == new.vehicle]
    described = words(new.offender)
    if len(described.split()) >= MIN_WORDS:
        choices = {e.key: words(e.offender) for e in earlier if len(words(e.offender).split()) >= MIN_WORDS}
        for _, score, key in process.extract(
            described, choices, scorer=fuzz.token_set_ratio, score_cutoff=threshold, limit=None
        ):
            found.append(Link(key, new.key, "offender", round(float(score), 1)))
    return found
