"""Each official rule, named for its code, passing and failing at its boundary."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

import pytest

from cases import rules
from cases.models import CancellationCode, Crime, CrimeStatus, OutcomeType

REPORTED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def raises_if(violation, expected: bool):
    return pytest.raises(violation) if expected else nullcontext()


def test_rule_text_is_the_message():
    assert rules.NCRS24.text() == "A crime must be recorded within 24 hours of the report being received."
    with pytest.raises(rules.RuleViolation) as error:
        rules.NCRS24.check(Crime(reported_at=REPORTED, recorded_at=REPORTED + timedelta(hours=25)))
    assert str(error.value.message) == rules.NCRS24.text()
    assert error.value.field == "classification"


@pytest.mark.parametrize(
    ("recorded_after", "expect_violation"),
    [
        (timedelta(minutes=5), False),
        (timedelta(hours=23, minutes=59), False),
        (timedelta(hours=24), False),
        (timedelta(hours=24, minutes=1), True),
        (timedelta(days=3), True),
    ],
)
def test_NCRS24_a_crime_is_recorded_within_24_hours_of_the_report(recorded_after, expect_violation):
    """A crime must be recorded within 24 hours of the report being received."""
    crime = Crime(reported_at=REPORTED, recorded_at=REPORTED + recorded_after)
    with raises_if(rules.RuleViolation, expect_violation):
        rules.NCRS24.check(crime)


@pytest.mark.parametrize(
    ("now_after", "expect_violation"), [(timedelta(hours=23, minutes=59), False), (timedelta(hours=24, minutes=1), True)]
)
def test_NCRS24_an_unrecorded_crime_breaks_the_rule_once_its_clock_runs_out(now_after, expect_violation):
    crime = Crime(reported_at=REPORTED, recorded_at=None)
    with raises_if(rules.RuleViolation, expect_violation):
        rules.NCRS24.check(crime, now=REPORTED + now_after)


@pytest.mark.parametrize(
    ("code", "reason", "expect_violation"),
    [("C2", "Victim found the phone at home: no theft.", False), ("C2", "   ", True), (None, "Found it", True)],
)
def test_HOCR_C_cancellation_needs_a_c_code_and_a_reason(db, code, reason, expect_violation):
    """A recorded crime can be cancelled only with a C-code and the reason for it."""
    crime = Crime(cancellation_code=CancellationCode.objects.get(code=code) if code else None,
                  cancellation_reason=reason)
    with raises_if(rules.RuleViolation, expect_violation):
        rules.HOCRSectionC.check(crime)


@pytest.mark.parametrize(("number", "expect_violation"), [(None, True), (18, False)])
def test_HO_OUTCOME_a_crime_is_closed_only_with_an_outcome(db, number, expect_violation):
    """A crime can be closed only with a Home Office outcome type."""
    crime = Crime(reference="CR1", status=CrimeStatus.RECORDED,
                  outcome=OutcomeType.objects.get(number=number) if number else None)
    with raises_if(rules.RuleViolation, expect_violation):
        rules.crime_can_be_closed(crime)


@pytest.mark.parametrize(
    ("number", "decision", "expect_violation"),
    [
        (15, "", True),
        (15, "supports", False),
        (15, "withdraws", True),
        (16, "", True),
        (16, "withdraws", False),
        (16, "does_not_support", False),
        (16, "supports", True),
        (14, "", False),
        (1, "", False),
    ],
)
def test_HO_OUTCOME_15_16_need_the_victims_decision(db, number, decision, expect_violation):
    """Outcomes 15 and 16 need the victim's decision recorded first, and it must fit the outcome."""
    crime = Crime(
        outcome=OutcomeType.objects.get(number=number), victim_decision=decision,
        victim_decision_recorded_at=REPORTED if decision else None,
    )
    with raises_if(rules.RuleViolation, expect_violation):
        rules.VictimDecisionForOutcome.check(crime)


@pytest.mark.parametrize(("status", "expect_refusal"), [("recorded", False), ("closed", True), ("cancelled", True)])
def test_a_closed_or_cancelled_crime_cannot_be_changed(status, expect_refusal):
    with raises_if(rules.CrimeNotOpen, expect_refusal):
        rules.crime_is_open(Crime(reference="CR1", status=status))


def test_rule_violations_are_permission_denied_so_an_action_out_of_turn_is_a_403():
    from django.core.exceptions import PermissionDenied

    assert issubclass(rules.RuleViolation, PermissionDenied)
    assert issubclass(rules.CrimeNotOpen, PermissionDenied)
