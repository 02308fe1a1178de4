"""Queue position and estimated wait for a public chat. Pure: no Django, so it is cheap to test.

The estimate is the simple one a contact centre gives on a web chat: if an agent has a
free place the wait is about a minute; otherwise the people ahead are shared between
the agents on duty and each takes about the median handling time of recent chats.
Erlang C would be more exact but needs an arrival rate the chat queue is too small to
estimate well; a range that errs long is kinder than a precise figure that is wrong.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_HANDLE_MINUTES = 8.0


@dataclass(frozen=True)
class WaitEstimate:
    position: int
    minutes: int

    @property
    def text(self) -> str:
        """What the public page says, e.g. "about 5 minutes"."""
        if self.minutes <= 1:
            return "about a minute"
        return f"about {self.minutes} minutes"


def median_handle_minutes(durations_seconds: Sequence[float]) -> float:
    """The median of recent chats' handling times in minutes; the default when there are none."""
    usable = [d for d in durations_seconds if d > 0]
    if not usable:
        return DEFAULT_HANDLE_MINUTES
    return max(1.0, statistics.median(usable) / 60)


def estimate_wait(*, position: int, free_places: int, agents: int, handle_minutes: float) -> WaitEstimate:
    """Estimated wait for the chat at ``position`` (1 = next) in the queue.

    ``free_places``: chats agents on duty could still take (their limit less what they hold).
    ``agents``: agents on duty (at least one is assumed, so a night with none still says something).
    """
    if position < 1:
        raise ValueError("position starts at 1 (the next chat to be answered)")
    if free_places >= position:
        return WaitEstimate(position, 1)
    ahead = position - max(free_places, 0)
    rounds = math.ceil(ahead / max(agents, 1))
    return WaitEstimate(position, max(1, math.ceil(rounds * handle_minutes)))
