"""The dates of the retention policy, as plain functions (no Django): when a record falls due for review.

APP "Review, retention and disposal" under the Police information and records management Code of
Practice. The periods come from the policy table (records.models.RetentionRule); these functions
only do the date arithmetic, so they can be tested on dated fixtures at their boundaries.
"""

from __future__ import annotations

from datetime import date

# Home Office classifications that put a person in MoPI group 1 (public protection) when linked to
# them: offences whose names say they are sexual. The seeded list holds none yet; a force adding
# sexual-offence classifications gets group 1 without a change here.
PUBLIC_PROTECTION_WORDS = ("sexual", "rape")
# data.police.uk categories (and single codes) that put a person in MoPI group 2: violent and other
# serious offences. Arson endangering life and drug trafficking sit in wider categories.
SERIOUS_CATEGORIES = ("Violence and sexual offences", "Robbery", "Possession of weapons")
SERIOUS_CODES = ("56A", "92A")
# Home Office outcome types that close a crime with no further action: nobody charged, cautioned or
# given another disposal, and no other body taking it on. Not 1-4 and 6-8 (charges and disposals) nor
# 20 (further action by another body, which may still need the evidence). A force decision: the
# setting RECORDS_NFA_OUTCOMES replaces this list.
NFA_OUTCOMES = frozenset({5, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22})


def add_years(day: date, years: int) -> date:
    """``day`` moved on by whole years; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def review_date(*, basis: date, review_after_years: int | None, until_age: int | None,
                date_of_birth: date | None) -> date:
    """When a record is due for review under one rule.

    Group 1 (``until_age``): the subject's birthday of that age; with no date of birth known, that
    many years after the basis date (a person cannot be older than that at review).
    Otherwise: ``review_after_years`` after the basis date.
    """
    if until_age is not None:
        return add_years(date_of_birth or basis, until_age)
    if review_after_years is None:
        raise ValueError("A retention rule needs either review_after_years or until_age")
    return add_years(basis, review_after_years)


def is_due(*, due_on: date, today: date) -> bool:
    """A record is due on its review date and every day after."""
    return due_on <= today


def is_public_protection_offence(name: str) -> bool:
    folded = name.casefold()
    return any(word in folded for word in PUBLIC_PROTECTION_WORDS)


def is_serious_offence(*, code: str, category: str) -> bool:
    return category in SERIOUS_CATEGORIES or code in SERIOUS_CODES


def one_month_after(day: date) -> date:
    """The due date of a subject access request: the same day of the next month (or its last day).

    DPA 2018 s.45 asks for an answer without undue delay; one calendar month is the common reading.
    """
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def nfa_outcomes() -> frozenset[int]:
    """The outcome numbers that count as "closed with no further action" (setting RECORDS_NFA_OUTCOMES)."""
    from django.conf import settings

    return frozenset(getattr(settings, "RECORDS_NFA_OUTCOMES", NFA_OUTCOMES))
