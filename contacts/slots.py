"""Appointment slot times from a team's weekly pattern (pure: no Django).

The pattern is in local time (a police station opens at 09:00 London time in winter
and in summer), so each slot is built in the force's time zone and then converted;
across the clock changes the UTC times shift by an hour, the local times do not.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Pattern:
    """Days of the week (0 Monday .. 6 Sunday), the first slot's start, the latest end, and the slot length."""

    weekdays: frozenset[int]
    starts: time
    ends: time
    slot_minutes: int


def slot_times(
    pattern: Pattern, *, first_day: date, days: int, zone: ZoneInfo, closed_days: Collection[date] = (),
) -> Iterator[tuple[datetime, datetime]]:
    """Every (start, end) in UTC for ``days`` days from ``first_day``; a slot that would run past ``ends`` is left out."""
    length = timedelta(minutes=pattern.slot_minutes)
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if day.weekday() not in pattern.weekdays or day in closed_days:
            continue
        start = datetime.combine(day, pattern.starts)
        last_end = datetime.combine(day, pattern.ends)
        while start + length <= last_end:
            # Local wall-clock arithmetic, then conversion: a 30-minute slot stays 30 minutes.
            local_start = start.replace(tzinfo=zone)
            local_end = (start + length).replace(tzinfo=zone)
            yield local_start.astimezone(UTC), local_end.astimezone(UTC)
            start += length
