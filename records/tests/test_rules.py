"""The retention policy's date arithmetic at its boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from records import rules


def test_a_period_in_years_runs_from_the_basis_date():
    assert rules.review_date(basis=date(2019, 3, 14), review_after_years=6, until_age=None,
                             date_of_birth=None) == date(2025, 3, 14)


def test_29_february_becomes_28_february_in_a_common_year():
    assert rules.add_years(date(2020, 2, 29), 6) == date(2026, 2, 28)


def test_group_1_is_reviewed_at_the_100th_birthday_or_100_years_after_the_record_without_one():
    assert rules.review_date(basis=date(2010, 1, 1), review_after_years=None, until_age=100,
                             date_of_birth=date(1931, 7, 2)) == date(2031, 7, 2)
    assert rules.review_date(basis=date(2010, 1, 1), review_after_years=None, until_age=100,
                             date_of_birth=None) == date(2110, 1, 1)


def test_a_record_is_due_on_its_review_date_and_not_the_day_before():
    assert rules.is_due(due_on=date(2026, 5, 1), today=date(2026, 5, 1))
    assert not rules.is_due(due_on=date(2026, 5, 1), today=date(2026, 4, 30))


@pytest.mark.parametrize(("received", "due"), [
    (date(2026, 1, 15), date(2026, 2, 15)),
    (date(2026, 1, 31), date(2026, 2, 28)),
    (date(2026, 12, 5), date(2027, 1, 5)),
])
def test_a_subject_access_request_is_due_one_calendar_month_after_it_was_received(received, due):
    assert rules.one_month_after(received) == due


def test_offences_are_grouped_by_name_and_category():
    assert rules.is_public_protection_offence("Sexual assault on a female aged 13 and over")
    assert not rules.is_public_protection_offence("Assault with injury")
    assert rules.is_serious_offence(code="8N", category="Violence and sexual offences")
    assert not rules.is_serious_offence(code="46", category="Shoplifting")
