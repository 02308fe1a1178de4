"""The pure NCRS arithmetic: the recording clock and weekly compliance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cases.compliance import overall_share, recording_clock, week_start, weekly_compliance

# A Wednesday.
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


def test_the_clock_shows_time_left_then_overdue():
    reported = NOW - timedelta(hours=20, minutes=30)
    clock = recording_clock(reported, NOW)
    assert clock.deadline == reported + timedelta(hours=24)
    assert clock.label == "3 h 30 min left" and clock.due_soon and not clock.overdue
    late = recording_clock(NOW - timedelta(hours=25, minutes=5), NOW)
    assert late.overdue and late.label == "Overdue by 1 h 05 min"
    assert recording_clock(NOW - timedelta(hours=2), NOW).due_soon is False


def test_weeks_start_on_monday_in_uk_time():
    # 23:30 UTC on Sunday 29 March 2026 is 00:30 on Monday in British Summer Time.
    assert week_start(datetime(2026, 3, 29, 23, 30, tzinfo=UTC)).isoformat() == "2026-03-30"
    assert week_start(NOW).isoformat() == "2026-03-09"


def test_weekly_compliance_judges_each_report_against_its_own_clock():
    monday = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    times = [
        (monday, monday + timedelta(hours=23, minutes=59)),  # in time
        (monday, monday + timedelta(hours=24)),  # in time, at the limit
        (monday, monday + timedelta(hours=24, minutes=1)),  # late
        (monday, None),  # unrecorded, clock run out: late
        (NOW - timedelta(hours=1), None),  # still on the clock: not judged
        (monday - timedelta(days=7), monday - timedelta(days=7) + timedelta(hours=1)),  # the week before
    ]
    rows = weekly_compliance(times, now=NOW, weeks=2)
    this_week, last_week = rows
    assert this_week.week_starting.isoformat() == "2026-03-09"
    assert (this_week.reported, this_week.within_24_hours, this_week.late) == (5, 2, 1)
    assert (this_week.overdue_unrecorded, this_week.on_the_clock) == (1, 1)
    assert this_week.share_within_24_hours == 0.5
    assert last_week.share_percent == 100.0
    assert overall_share(rows) == 3 / 5


def test_a_week_with_nothing_to_judge_has_no_share():
    rows = weekly_compliance([], now=NOW, weeks=3)
    assert len(rows) == 3 and all(r.share_within_24_hours is None for r in rows)
    assert overall_share(rows) is None
