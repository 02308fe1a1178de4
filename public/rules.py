"""The rules the public pages keep: when the next update on a report is due (Victims' Code).

Pure: no Django.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

# Victims' Code Right 6: a key decision is told within 5 working days (1 with enhanced
# rights). With no update plan agreed yet, we promise the reporter an update on that
# footing; afterwards at least every 28 days while the investigation is open.
FIRST_UPDATE_WORKING_DAYS = 5
ONGOING_UPDATE_DAYS = 28


@lru_cache(maxsize=16)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an English bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (English bank holidays excluded)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def next_update_due(*, reported_on: date, last_update_on: date | None, closed: bool) -> date | None:
    """When the reporter should next hear from us: none once closed; 5 working days after the report; then 28 days."""
    if closed:
        return None
    if last_update_on is None:
        return add_working_days(reported_on, FIRST_UPDATE_WORKING_DAYS)
    return last_update_on + timedelta(days=ONGOING_UPDATE_DAYS)
