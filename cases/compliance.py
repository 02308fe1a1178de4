"""NCRS compliance arithmetic: the 24-hour recording clock and the weekly share recorded in time.

Pure: plain datetimes in, plain rows out, no Django. The selectors load the times
and the pages show the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

RECORDING_LIMIT = timedelta(hours=24)
# A crime with less than this left on its clock is flagged so the bureau takes it first.
DUE_SOON = timedelta(hours=4)
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Clock:
    """Where one report stands against the 24-hour recording clock."""

    deadline: datetime
    remaining: timedelta

    @property
    def overdue(self) -> bool:
        return self.remaining < timedelta(0)

    @property
    def due_soon(self) -> bool:
        return not self.overdue and self.remaining <= DUE_SOON

    @property
    def label(self) -> str:
        """"5 h 12 min left" or "Overdue by 1 h 03 min": what the queue shows."""
        left = abs(self.remaining)
        minutes = int(left.total_seconds() // 60)
        hours, minutes = divmod(minutes, 60)
        span = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
        return f"Overdue by {span}" if self.overdue else f"{span} left"


def recording_clock(reported_at: datetime, now: datetime) -> Clock:
    """The recording deadline (report + 24 h) and the time left at ``now`` (negative when overdue)."""
    deadline = reported_at + RECORDING_LIMIT
    return Clock(deadline=deadline, remaining=deadline - now)


@dataclass(frozen=True)
class WeekCompliance:
    """One week of reports (Monday to Sunday, UK time) and how many were recorded within 24 hours."""

    week_starting: date
    reported: int
    within_24_hours: int
    late: int
    overdue_unrecorded: int
    on_the_clock: int

    @property
    def assessed(self) -> int:
        """Reports whose clock has run out or that are recorded: the ones compliance can be judged on."""
        return self.within_24_hours + self.late + self.overdue_unrecorded

    @property
    def share_within_24_hours(self) -> float | None:
        return self.within_24_hours / self.assessed if self.assessed else None

    @property
    def share_percent(self) -> float | None:
        share = self.share_within_24_hours
        return None if share is None else 100 * share


def week_start(moment: datetime) -> date:
    """The Monday (UK date) of the week a moment falls in."""
    local = moment.astimezone(LONDON).date()
    return local - timedelta(days=local.weekday())


def weekly_compliance(
    times: Iterable[tuple[datetime, datetime | None]], *, now: datetime, weeks: int = 12
) -> list[WeekCompliance]:
    """Share of crimes recorded within 24 hours of the report, for each of the last ``weeks`` weeks, newest first.

    NCRS: the clock starts when the report is received. A crime recorded at exactly
    24 hours complies; one still unrecorded after 24 hours counts against the week it
    was reported in; one still inside its clock is not yet judged.
    """
    first = week_start(now) - timedelta(weeks=weeks - 1)
    counts: dict[date, list[int]] = {first + timedelta(weeks=i): [0, 0, 0, 0, 0] for i in range(weeks)}
    for reported_at, recorded_at in times:
        row = counts.get(week_start(reported_at))
        if row is None:
            continue
        row[0] += 1
        deadline = reported_at + RECORDING_LIMIT
        if recorded_at is not None:
            row[1 if recorded_at <= deadline else 2] += 1
        elif now > deadline:
            row[3] += 1
        else:
            row[4] += 1
    return [
        WeekCompliance(monday, *row) for monday, row in sorted(counts.items(), reverse=True)
    ]


def overall_share(rows: Iterable[WeekCompliance]) -> float | None:
    """The share recorded within 24 hours over several weeks, weighted by reports judged."""
    rows = list(rows)
    assessed = sum(r.assessed for r in rows)
    return sum(r.within_24_hours for r in rows) / assessed if assessed else None
