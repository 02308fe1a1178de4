"""Classifying, reclassifying, cancelling and closing crimes: state, refusals and audit entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Action, AuditEntry
from cases import rules
from cases.models import CrimeStatus
from cases.services import (
    approve_cancellation,
    cancel_crime,
    classify_crime,
    close_crime,
    reclassify_crime,
    record_crime_from_contact,
    record_victim_decision,
    reject_cancellation,
)

from .factories import crime_contact


@pytest.fixture
def bureau(make_user):
    return make_user("crime-admin", username="cab1")


@pytest.fixture
def registrar(make_user):
    return make_user("crime-admin", username="cab2")


@pytest.fixture
def waiting(call_handler):
    contact = crime_contact(actor=call_handler, received_at=timezone.now() - timedelta(hours=3))
    return record_crime_from_contact(contact=contact, actor=call_handler)


@pytest.fixture
def recorded(call_handler):
    contact = crime_contact(actor=call_handler)
    return record_crime_from_contact(contact=contact, actor=call_handler, classification="46")


def entries_for(crime, event):
    return AuditEntry.objects.filter(subject_type="cases.crime", subject_id=str(crime.pk), detail__event=event)


def test_classifying_a_waiting_crime_records_it_now_and_logs_the_victim(waiting, bureau):
    crime = classify_crime(crime=waiting, actor=bureau, classification="46")
    assert crime.status == CrimeStatus.RECORDED
    assert crime.recorded_at is not None and crime.classification_checked_by == bureau
    entry = entries_for(crime, "classification_checked").get()
    assert entry.action == Action.ALTERATION
    assert entry.person_id == str(waiting.victim_id)
    assert entry.detail["classification"] == "46" and entry.detail["within_24_hours"] is True


def test_checking_a_classification_twice_is_refused_pointing_to_reclassify(recorded, bureau):
    classify_crime(crime=recorded, actor=bureau, classification="46")
    with pytest.raises(ValidationError) as error:
        classify_crime(crime=recorded, actor=bureau, classification="49")
    assert "reclassify" in error.value.message_dict["classification"][0]


def test_reclassifying_needs_a_reason_and_logs_old_and_new_codes(recorded, bureau):
    with pytest.raises(ValidationError) as error:
        reclassify_crime(crime=recorded, actor=bureau, classification="49", reason=" ")
    assert "reason" in error.value.message_dict
    crime = reclassify_crime(crime=recorded, actor=bureau, classification="49", reason="Taken from a market stall")
    assert crime.classification.code == "49"
    entry = entries_for(crime, "reclassified").get()
    assert (entry.detail["classification_before"], entry.detail["classification"]) == ("46", "49")
    assert entry.reason == "Taken from a market stall" and entry.person_id == str(recorded.victim_id)


def test_cancellation_needs_a_c_code_and_a_reason_naming_the_field(recorded, bureau):
    with pytest.raises(ValidationError) as error:
        cancel_crime(crime=recorded, actor=bureau, cancellation_code="C9", reason="Found it")
    assert "cancellation_code" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        cancel_crime(crime=recorded, actor=bureau, cancellation_code="C2", reason="")
    assert error.value.message_dict["cancellation_reason"] == [rules.HOCRSectionC.text()]
    recorded.refresh_from_db()
    assert not recorded.cancellation_pending


def test_a_cancellation_waits_for_a_second_person_then_cancels_with_its_c_code(recorded, bureau, registrar):
    crime = cancel_crime(crime=recorded, actor=bureau, cancellation_code="C2", reason="CCTV shows the item paid for")
    assert crime.cancellation_pending and crime.status == CrimeStatus.RECORDED
    with pytest.raises(rules.SelfApproval):
        approve_cancellation(crime=crime, actor=bureau)
    crime = approve_cancellation(crime=crime, actor=registrar)
    assert crime.status == CrimeStatus.CANCELLED and crime.cancelled_by == registrar
    assert crime.cancellation_code.code == "C2"
    events = [e.detail["event"] for e in AuditEntry.objects.filter(subject_id=str(crime.pk), subject_type="cases.crime")]
    assert events[-2:] == ["cancellation_requested", "cancelled"]
    cancelled = entries_for(crime, "cancelled").get()
    assert cancelled.person_id == str(crime.victim_id) and cancelled.detail["cancellation_code"] == "C2"
    with pytest.raises(rules.CrimeNotOpen):
        classify_crime(crime=crime, actor=registrar, classification="46")


def test_a_rejected_cancellation_leaves_the_crime_recorded(recorded, bureau, registrar):
    cancel_crime(crime=recorded, actor=bureau, cancellation_code="C4", reason="Typed on the wrong contact")
    crime = reject_cancellation(crime=recorded, actor=registrar, reason="The contact is right")
    assert crime.status == CrimeStatus.RECORDED and not crime.cancellation_pending
    assert entries_for(crime, "cancellation_rejected").get().detail["cancellation_code"] == "C4"
    with pytest.raises(rules.CancellationNotPending):
        approve_cancellation(crime=crime, actor=registrar)


def test_closing_without_an_outcome_is_refused(recorded, bureau):
    with pytest.raises(rules.RuleViolation) as error:
        close_crime(crime=recorded, actor=bureau, outcome=None)
    assert error.value.rule is rules.OutcomeToClose
    recorded.refresh_from_db()
    assert recorded.status == CrimeStatus.RECORDED
    assert not entries_for(recorded, "closed").exists()


def test_outcome_16_needs_the_victims_recorded_decision_then_closes(recorded, bureau):
    with pytest.raises(rules.RuleViolation) as error:
        close_crime(crime=recorded, actor=bureau, outcome=16)
    assert error.value.rule is rules.VictimDecisionForOutcome
    record_victim_decision(crime=recorded, actor=bureau, decision="withdraws")
    crime = close_crime(crime=recorded, actor=bureau, outcome=16)
    assert crime.status == CrimeStatus.CLOSED and crime.outcome.number == 16 and crime.closed_at
    closed = entries_for(crime, "closed").get()
    assert closed.person_id == str(crime.victim_id)
    assert closed.detail["outcome"] == 16 and closed.detail["victim_decision"] == "withdraws"
    assert entries_for(crime, "victim_decision").get().detail["decision"] == "withdraws"


def test_an_outcome_outside_1_to_22_is_refused_naming_the_field(recorded, bureau):
    with pytest.raises(ValidationError) as error:
        close_crime(crime=recorded, actor=bureau, outcome=23)
    assert "outcome" in error.value.message_dict
