"""Victims' Code working days, enhanced rights and review intervals: the pure rules in cases/rules.py."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cases import rules

dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def test_a_decision_on_a_friday_before_easter_is_due_the_next_tuesday_with_enhanced_rights():
    # Thursday 2 April 2026: Good Friday 3 April and Easter Monday 6 April are bank holidays in England.
    assert rules.VictimsCodeRight6.deadline(date(2026, 4, 2), enhanced=True) == date(2026, 4, 7)
    assert rules.VictimsCodeRight6.deadline(date(2026, 4, 2), enhanced=False) == date(2026, 4, 13)


def test_christmas_and_the_substitute_boxing_day_are_not_working_days():
    # 26 December 2026 is a Saturday, so Monday 28 December is the substitute bank holiday.
    assert not rules.is_working_day(date(2026, 12, 25))
    assert not rules.is_working_day(date(2026, 12, 28))
    assert rules.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_scottish_only_holidays_are_working_days_in_england():
    # 2 January is a bank holiday in Scotland only; St Andrew's Day likewise.
    assert rules.is_working_day(date(2026, 1, 2))
    assert rules.is_working_day(date(2026, 11, 30))


@given(dates, st.integers(min_value=1, max_value=30))
def test_the_deadline_is_a_working_day_exactly_n_working_days_later(start, days):
    due = rules.add_working_days(start, days)
    assert rules.is_working_day(due)
    assert rules.working_days_between(start, due) == days
    # No earlier day would do: the day before has one working day fewer.
    assert rules.working_days_between(start, due - timedelta(days=1)) == days - 1


@given(dates)
def test_enhanced_rights_are_never_given_longer_than_standard(start):
    enhanced = rules.VictimsCodeRight6.deadline(start, enhanced=True)
    standard = rules.VictimsCodeRight6.deadline(start, enhanced=False)
    assert start < enhanced < standard
    assert (standard - start).days <= 5 + 2 * 2 + 4  # five working days never span more than two weekends and holidays


@given(dates, st.integers(min_value=0, max_value=10))
def test_told_on_or_before_the_deadline_keeps_right_6(made_on, late_by):
    deadline = rules.VictimsCodeRight6.deadline(made_on, enhanced=False)
    assert rules.VictimsCodeRight6.passes({"made_on": made_on, "told_on": deadline})
    told = deadline + timedelta(days=late_by + 1)
    assert not rules.VictimsCodeRight6.passes({"made_on": made_on, "told_on": told})


def test_enhanced_rights_reasons():
    assert rules.enhanced_rights(rules.VictimFacts(offence_code="46")) == []
    assert rules.enhanced_rights(rules.VictimFacts(offence_code="8P")) == ["Victim of one of the most serious crimes"]
    assert "Victim under 18" in rules.enhanced_rights(rules.VictimFacts(victim_age=15))
    assert "Vulnerable victim" in rules.enhanced_rights(rules.VictimFacts(vulnerable=True))
    assert rules.enhanced_rights(rules.VictimFacts(crimes_in_last_year=2)) == []
    assert rules.enhanced_rights(rules.VictimFacts(crimes_in_last_year=3)) == [
        "Persistently targeted (3 or more crimes in 12 months)"]
    assert "Victim of domestic abuse" in rules.enhanced_rights(rules.VictimFacts(domestic_abuse=True))


def test_reviews_fall_due_7_days_after_allocation_then_every_28():
    allocated = date(2026, 3, 2)
    assert rules.next_review_due(allocated, reviews_done=1) == date(2026, 3, 9)
    assert rules.next_review_due(date(2026, 3, 9), reviews_done=2) == date(2026, 4, 6)
    assert rules.next_review_due(allocated, reviews_done=1, first_days=3, every_days=14) == date(2026, 3, 5)
