"""Call-time person matching: fold names, key them phonetically, and score a candidate against a query.

Pure Python (no Django): the selectors load candidates from the index and call
``score``; the duplicate finder and the benchmarks call the same functions.

The score is a Fellegi–Sunter match weight: each compared field adds the log2 of
how much more often its level of agreement is seen between records of the same
person than between records of different people (Splink's "match weight"). The
weights are a parameter (``Weights``) so that weights learned from the index can
replace the defaults here, which are set from the shape of UK names and dates.
The 0–100 score shown to staff is the match probability implied by the total.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date

import jellyfish
from anyascii import anyascii
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from .nicknames import are_nicknames, heads_family_of, is_listed

KEY_LENGTH = 20
_NOT_LETTER = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
# Characters that separate parts of a name (Smith-Jones, O'Brien keeps no gap: obrien).
_SEPARATORS = str.maketrans({"-": " ", "_": " ", ".": " ", ",": " ", "/": " "})


# --- normalisation ---------------------------------------------------------------------------------

def fold(text: str | None) -> str:
    """A name as plain lower-case ASCII letters and single spaces, from any script.

    Accents are stripped (José → jose), other scripts transliterated (Дмитрий →
    dmitrii), apostrophes dropped (O'Brien → obrien) and hyphens made spaces, so
    that the same name typed on any keyboard folds to the same string.
    """
    if not text:
        return ""
    # Composed first, so that a letter typed as base + combining mark is transliterated as one
    # letter (Cyrillic й is "y", not "i" and a lost breve); anyascii then drops Latin accents.
    composed = unicodedata.normalize("NFKC", str(text))
    ascii_text = anyascii(composed).casefold().translate(_SEPARATORS)
    return _SPACES.sub(" ", _NOT_LETTER.sub("", ascii_text)).strip()


def phonetic_key(folded: str) -> str:
    """The Metaphone key of a folded name (spaces ignored): Smith and Smyth share SM0."""
    letters = folded.replace(" ", "")
    if not letters:
        return ""
    return jellyfish.metaphone(letters)[:KEY_LENGTH]


def sounds_alike(a: str, b: str) -> bool:
    """Whether two folded names share a Metaphone or a NYSIIS key (Stephens/Stevens, Smith/Smyth)."""
    if not a or not b:
        return False
    a, b = a.replace(" ", ""), b.replace(" ", "")
    return jellyfish.metaphone(a) == jellyfish.metaphone(b) or jellyfish.nysiis(a) == jellyfish.nysiis(b)


def phone_digits(text: str | None) -> str:
    """The last ten digits of a phone number: 07700 900123, +44 7700 900123 and 447700900123 agree."""
    digits = "".join(ch for ch in (text or "") if ch.isdigit())
    return digits[-10:]


def fold_postcode(text: str | None) -> str:
    """A postcode in capitals without spaces: 'st16 2dh' and 'ST162DH' agree."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def split_name(text: str | None) -> tuple[str, str]:
    """Given and family name, folded, from one typed string: 'Bob Smith' or 'SMITH, Bob'.

    With a comma the family name comes first (how names are read out from records);
    otherwise the last word is the family name. A single word is taken as the family name.
    """
    raw = (text or "").strip()
    if "," in raw:
        family, _, given = raw.partition(",")
        return fold(given), fold(family)
    # Split on spaces before folding, so that a double-barrelled surname (Rose-Mann) stays whole.
    words = [w for w in (fold(part) for part in raw.split()) if w]
    if not words:
        return "", ""
    if len(words) == 1:
        return "", words[0]
    return " ".join(words[:-1]), words[-1]


# --- dates -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PartialDate:
    """A date of birth as far as it is known: the year always, the month and day when given."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def is_full(self) -> bool:
        return self.month is not None and self.day is not None

    def as_date(self) -> date | None:
        return date(self.year, self.month, self.day) if self.is_full else None  # type: ignore[arg-type]

    def swapped(self) -> date | None:
        """The same date with day and month exchanged, when that is a real, different date."""
        if not self.is_full or self.day == self.month or self.day > 12:  # type: ignore[operator]
            return None
        return date(self.year, self.day, self.month)  # type: ignore[arg-type]

    @classmethod
    def of(cls, value: date | PartialDate | None) -> PartialDate | None:
        if value is None or isinstance(value, PartialDate):
            return value
        return cls(value.year, value.month, value.day)


def _digits_differ_by_one(a: date, b: date) -> bool:
    """A single mistyped digit in DDMMYYYY (15/03/1984 typed 16/03/1984 or 15/03/1985)."""
    x, y = a.strftime("%d%m%Y"), b.strftime("%d%m%Y")
    return sum(1 for p, q in zip(x, y, strict=True) if p != q) == 1


# --- comparison levels and weights -----------------------------------------------------------------

@dataclass(frozen=True)
class Weights:
    """Match weights (log2 Bayes factors) for each level of agreement, and the prior.

    Defaults: an exact date of birth is about 1 in 30,000 for two different people
    (~+14 with data-entry error folded in, taken lower to leave room for twins and
    shared dates); a common surname agrees by chance often, so exact family name is
    worth less than its rarity alone would say. The prior is the log2 odds that a
    random index record is the caller at the scale of one force.
    """

    prior: float = -13.0
    family: dict[str, float] = field(default_factory=lambda: {
        "exact": 8.0, "sounds_alike": 6.0, "typo": 5.5, "similar": 2.0, "disagree": -6.0,
    })
    # Given name: the same name spelt one letter differently ("close": Jon and John, Micheal and
    # Michael) is better evidence than a pet name of it (Jonathan for Jon), and exact better still;
    # other slips (a wrong first letter, two letters) count for less than a pet name.
    given: dict[str, float] = field(default_factory=lambda: {
        "exact": 5.0, "close": 4.5, "nickname": 4.0, "sounds_alike": 3.5, "typo": 3.5, "initial": 1.0,
        "similar": 0.5, "disagree": -4.0,
    })
    dob: dict[str, float] = field(default_factory=lambda: {
        "exact": 10.0, "day_month_swapped": 8.0, "month_year": 5.0, "year": 3.0, "one_digit": 5.0,
        "disagree": -8.0,
    })
    phone: dict[str, float] = field(default_factory=lambda: {"exact": 13.0, "disagree": -1.5})
    postcode: dict[str, float] = field(default_factory=lambda: {"exact": 6.0, "sector": 2.0, "disagree": -1.0})
    # Names typed in the other order are nearly as good evidence as in the right order.
    swapped_names_penalty: float = 0.5


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Name:
    given: str
    family: str
    kind: str = "current"


@dataclass(frozen=True)
class Candidate:
    """What the scorer needs of one index record; names and phones already folded."""

    key: object
    names: tuple[Name, ...]
    dob: date | None = None
    phones: tuple[str, ...] = ()
    postcodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    """What the caller said, folded: names (given may be empty), a partial date, a phone, a postcode."""

    given: str = ""
    family: str = ""
    dob: PartialDate | None = None
    phone: str = ""
    postcode: str = ""

    @classmethod
    def build(cls, *, name: str | None = None, given: str | None = None, family: str | None = None,
              dob: date | PartialDate | None = None, phone: str | None = None,
              postcode: str | None = None) -> Query:
        if name:
            given_f, family_f = split_name(name)
        else:
            given_f, family_f = fold(given), fold(family)
        return cls(given=given_f, family=family_f, dob=PartialDate.of(dob), phone=phone_digits(phone),
                   postcode=fold_postcode(postcode))

    @property
    def is_empty(self) -> bool:
        return not (self.given or self.family or self.dob or self.phone or self.postcode)


@dataclass(frozen=True)
class Reason:
    field: str
    level: str
    agrees: bool
    text: str


@dataclass(frozen=True)
class Match:
    key: object
    score: int
    weight: float
    reasons: tuple[Reason, ...]

    @property
    def agreeing(self) -> list[str]:
        return [r.field for r in self.reasons if r.agrees]

    @property
    def disagreeing(self) -> list[str]:
        return [r.field for r in self.reasons if not r.agrees]


def name_similarity(a: str, b: str) -> float:
    """Jaro–Winkler similarity of two folded names, 0–1 (rewards a shared start, as names have)."""
    return JaroWinkler.normalized_similarity(a, b)


def _surname_level(query: str, record: str) -> str:
    if query == record:
        return "exact"
    if Levenshtein.distance(query, record) <= (1 if len(query) <= 4 else 2) and name_similarity(query, record) >= 0.8:
        return "typo"
    if sounds_alike(query, record):
        return "sounds_alike"
    # Part of a double-barrelled or compound name: Smith for Smith Jones.
    if len(query) >= 3 and (query in record.split() or record in query.split()):
        return "typo"
    if name_similarity(query, record) >= 0.85:
        return "similar"
    return "disagree"


def _close_spelling(typed: str, recorded: str) -> bool:
    """Whether the given name typed and the one recorded are the same name with one slip between them.

    One slip is a letter changed, dropped, added, or two neighbours swapped (Jon and John, Micheal
    and Michael). A name the nickname table knows is taken as typed: a recorded name one letter
    from it is another name (Dan and Dean, Rose and Ross, Tom and Tim) unless the table has one as
    the formal name of the other (John of Jon, Joanna of Joanne); two pet forms of one name are
    still only pet forms (Rose and Rosie, of Rosemary). A name the table does not know is a slip of
    the recorded one, unless the first letter differs, which callers and handlers rarely get wrong.
    """
    if min(len(typed), len(recorded)) < 3 or OSA.distance(typed, recorded) != 1:
        return False
    if name_similarity(typed, recorded) < 0.8:
        return False
    if is_listed(typed):
        return heads_family_of(typed, recorded) or heads_family_of(recorded, typed)
    return typed[0] == recorded[0]


def _given_level(query: str, record: str) -> str:
    if query == record:
        return "exact"
    q_first, r_first = query.split()[0], record.split()[0]
    if q_first == r_first:
        return "exact"
    if _close_spelling(q_first, r_first):
        return "close"
    if are_nicknames(q_first, r_first):
        return "nickname"
    if len(q_first) == 1 or len(r_first) == 1:
        return "initial" if q_first[0] == r_first[0] else "disagree"
    if Levenshtein.distance(q_first, r_first) <= (1 if len(q_first) <= 4 else 2) and name_similarity(q_first, r_first) >= 0.8:
        return "typo"
    if sounds_alike(q_first, r_first):
        return "sounds_alike"
    if name_similarity(q_first, r_first) >= 0.85:
        return "similar"
    return "disagree"


_FAMILY_TEXT = {
    "exact": "family name agrees", "typo": "family name agrees but for a typing slip",
    "sounds_alike": "family name sounds the same", "similar": "family name is similar",
    "disagree": "family name differs",
}
_GIVEN_TEXT = {
    "exact": "given name agrees", "close": "given name is the same name spelt one letter differently",
    "nickname": "given name is a short or pet form of the other",
    "typo": "given name agrees but for a typing slip", "sounds_alike": "given name sounds the same",
    "initial": "given name agrees with an initial", "similar": "given name is similar",
    "disagree": "given name differs",
}


def _compare_names(query: Query, names: tuple[Name, ...], w: Weights) -> tuple[float, list[Reason]]:
    """The best reading of the query's names against any of the record's names, either way round."""
    best: tuple[float, list[Reason]] | None = None
    for name in names:
        orders = [(name.given, name.family, False)]
        if name.given:
            # Typed the other way round, or one word typed that is the given name.
            orders.append((name.family, name.given, True))
        for given, family, swapped in orders:
            total = 0.0
            reasons: list[Reason] = []
            if query.family and family:
                level = _surname_level(query.family, family)
                total += w.family[level]
                reasons.append(Reason("family_name", level, level != "disagree", _FAMILY_TEXT[level]))
            if query.given and given:
                level = _given_level(query.given, given)
                total += w.given[level]
                reasons.append(Reason("given_name", level, level != "disagree", _GIVEN_TEXT[level]))
            if swapped:
                total -= w.swapped_names_penalty
                reasons.append(Reason("names", "swapped", True, "given and family names typed the other way round"))
            if name.kind != "current":
                reasons.append(Reason("names", name.kind, True, f"matches a recorded {name.kind} name"))
            if best is None or total > best[0]:
                best = (total, reasons)
    return best if best is not None else (0.0, [])


def _compare_dob(query: PartialDate, record: date | None, w: Weights) -> tuple[float, Reason] | None:
    if record is None:
        return None
    if not query.is_full:
        if query.year != record.year:
            return w.dob["disagree"], Reason("date_of_birth", "disagree", False, "year of birth differs")
        if query.month is None:
            return w.dob["year"], Reason("date_of_birth", "year", True, "year of birth agrees")
        if query.month != record.month:
            return w.dob["disagree"], Reason("date_of_birth", "disagree", False, "month of birth differs")
        return w.dob["month_year"], Reason("date_of_birth", "month_year", True, "month and year of birth agree")
    full = query.as_date()
    if full == record:
        return w.dob["exact"], Reason("date_of_birth", "exact", True, "date of birth agrees")
    if query.swapped() == record:
        return (w.dob["day_month_swapped"],
                Reason("date_of_birth", "day_month_swapped", True, "date of birth agrees with day and month swapped"))
    if full is not None and _digits_differ_by_one(full, record):
        return w.dob["one_digit"], Reason("date_of_birth", "one_digit", True, "date of birth differs by one digit")
    return w.dob["disagree"], Reason("date_of_birth", "disagree", False, "date of birth differs")


def _compare_phone(query: str, phones: tuple[str, ...], w: Weights) -> tuple[float, Reason] | None:
    if not phones:
        return None
    if query in phones:
        return w.phone["exact"], Reason("phone", "exact", True, "phone number agrees")
    return w.phone["disagree"], Reason("phone", "disagree", False, "phone number differs")


def _compare_postcode(query: str, postcodes: tuple[str, ...], w: Weights) -> tuple[float, Reason] | None:
    if not postcodes:
        return None
    if query in postcodes:
        return w.postcode["exact"], Reason("postcode", "exact", True, "postcode agrees")
    # The sector is the postcode less its last two letters (ST16 2 of ST16 2DH).
    if any(len(p) > 2 and len(query) > 2 and p[:-2] == query[:-2] for p in postcodes):
        return w.postcode["sector"], Reason("postcode", "sector", True, "postcode sector agrees")
    return w.postcode["disagree"], Reason("postcode", "disagree", False, "postcode differs")


def probability(weight: float) -> float:
    """The match probability a total weight (prior included) stands for."""
    return 1.0 / (1.0 + math.pow(2.0, -weight))


def score(query: Query, candidate: Candidate, weights: Weights = DEFAULT_WEIGHTS) -> Match:
    """How likely ``candidate`` is the person the query describes (0–100), with the reasons field by field.

    Tolerates typing slips, nicknames, names in the other order, other recorded
    names, day and month swapped, partial dates and phones typed any way. Fields
    missing on either side neither add nor take away.
    """
    total = weights.prior
    reasons: list[Reason] = []
    if query.given or query.family:
        name_weight, name_reasons = _compare_names(query, candidate.names, weights)
        total += name_weight
        reasons.extend(name_reasons)
    for compared in (
        _compare_dob(query.dob, candidate.dob, weights) if query.dob else None,
        _compare_phone(query.phone, candidate.phones, weights) if query.phone else None,
        _compare_postcode(query.postcode, candidate.postcodes, weights) if query.postcode else None,
    ):
        if compared is not None:
            total += compared[0]
            reasons.append(compared[1])
    return Match(candidate.key, round(100 * probability(total)), total, tuple(reasons))


def rank(query: Query, candidates: list[Candidate], *, limit: int = 10,
         weights: Weights = DEFAULT_WEIGHTS) -> list[Match]:
    """The best ``limit`` candidates by match weight, best first (ties by the order given)."""
    scored = [score(query, c, weights) for c in candidates]
    order = sorted(range(len(scored)), key=lambda i: (-scored[i].weight, i))
    return [scored[i] for i in order[:limit]]


def with_weights(**changes: object) -> Weights:
    """Default weights with some levels replaced (e.g. by weights learned from the index)."""
    return replace(DEFAULT_WEIGHTS, **changes)  # type: ignore[arg-type]


_LEVELLED_FIELDS = ("family", "given", "dob", "phone", "postcode")
# The least by which an exact given name outweighs a close spelling, and a close spelling a nickname.
GIVEN_ORDER_GAP = 0.5


def ordered_given(given: dict[str, float]) -> dict[str, float]:
    """Given-name weights with exact > close spelling > nickname, moving as little as needed.

    The duplicate run learns exact and nickname from the index but has no level for a close
    spelling (its "very similar" is wider), so a learned nickname weight could otherwise reach or
    pass the close spelling's default, or the exact weight, and a pet name would outrank the name.
    """
    close = min(max(given["close"], given["nickname"] + GIVEN_ORDER_GAP), given["exact"] - GIVEN_ORDER_GAP)
    return {**given, "close": close, "nickname": min(given["nickname"], close - GIVEN_ORDER_GAP)}


def learned_weights(learned: dict[str, dict[str, float]], base: Weights = DEFAULT_WEIGHTS) -> Weights:
    """``base`` with every level that ``learned`` gives replaced, field by field; the prior stays ``base``'s.

    ``learned`` is shaped as ``people.linkage.call_time_weights`` returns it ({"family": {"exact": 9.1}, …}).
    A level the training could not estimate keeps its default, so the scorer always has every level.
    The given-name levels are then put in order (``ordered_given``).
    """
    changes = {
        name: {**getattr(base, name), **{k: float(v) for k, v in learned[name].items() if k in getattr(base, name)}}
        for name in _LEVELLED_FIELDS if learned.get(name)
    }
    if "given" in changes:
        changes["given"] = ordered_given(changes["given"])
    return replace(base, **changes)  # type: ignore[arg-type]
