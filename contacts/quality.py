"""Call-quality audit arithmetic (pure: no Django): the reproducible sample and the score.

The sample is drawn from the handler's contacts of the month sorted by id, with a
generator seeded by handler and month: the same inputs always give the same contacts,
so an auditor (or an appeal) can show how a sample was drawn.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

ANSWERS = ("yes", "no", "na")


def sample_seed(handler_id: int, month: str, salt: str = "") -> str:
    """The text the draw is seeded with: handler and month (YYYY-MM), and a force's salt if it sets one."""
    return f"quality:{handler_id}:{month}" + (f":{salt}" if salt else "")


def draw_sample(contact_ids: Sequence[int], size: int, seed: str) -> list[int]:
    """``size`` ids drawn without replacement (all of them when fewer), in ascending order."""
    population = sorted(set(contact_ids))
    if size >= len(population):
        return population
    return sorted(random.Random(seed).sample(population, size))


@dataclass(frozen=True)
class Score:
    met: int
    not_met: int
    not_applicable: int

    @property
    def percent(self) -> int | None:
        applicable = self.met + self.not_met
        return round(100 * self.met / applicable) if applicable else None


def score(items: Sequence[Mapping[str, str]], answers: Mapping[str, str]) -> Score:
    """Per cent of the applicable items met; "not applicable" counts neither way."""
    values = [answers.get(item["code"]) for item in items]
    return Score(met=values.count("yes"), not_met=values.count("no"), not_applicable=values.count("na"))
