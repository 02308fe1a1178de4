"""Recording a crime from the contact that reports it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Action, AuditEntry
from cases.models import Crime, CrimeStatus
from cases.services import record_crime_from_contact

from .factories import crime_contact


@pytest.fixture
def bureau(make_user):
    return make_user("crime-admin", username="cab1")


def test_a_classified_crime_is_recorded_at_once_with_the_contact_time_as_its_report_time(call_handler):
    contact = crime_contact(actor=call_handler, received_at=timezone.now() - timedelta(hours=2))
    crime = record_crime_from_contact(contact=contact, actor=call_handler, classification="46")
    assert crime.reference == f"CR{crime.pk:09d}"
    assert crime.status == CrimeStatus.RECORDED
    assert crime.reported_at == contact.received_at
    assert crime.recorded_at is not None and crime.recorded_at >= contact.received_at
    assert crime.classification.code == "46" and crime.hocr_version
    assert crime.victim == contact.caller
    assert crime.location_text == "High Street, outside number 12"
    assert crime.classification_checked_at is None


def test_a_crime_without_classification_waits_on_the_clock(call_handler):
    contact = crime_contact(actor=call_handler)
    crime = record_crime_from_contact(contact=contact, actor=call_handler)
    assert crime.status == CrimeStatus.AWAITING_RECORDING
    assert crime.recorded_at is None and crime.classification is None


def test_recording_logs_a_collection_naming_the_victim(call_handler):
    contact = crime_contact(actor=call_handler)
    crime = record_crime_from_contact(contact=contact, actor=call_handler, classification="46")
    entry = AuditEntry.objects.get(subject_type="cases.crime", subject_id=str(crime.pk))
    assert entry.action == Action.COLLECTION
    assert entry.person_id == str(contact.caller.pk)
    assert entry.actor_label == call_handler.username
    assert entry.detail["contact"] == contact.reference and entry.detail["classification"] == "46"


def test_a_repeated_call_records_the_crime_once(call_handler):
    contact = crime_contact(actor=call_handler)
    first = record_crime_from_contact(contact=contact, actor=call_handler, classification="46")
    again = record_crime_from_contact(contact=contact, actor=call_handler, classification="46")
    assert again.pk == first.pk
    assert Crime.objects.count() == 1


def test_an_unknown_classification_is_refused_naming_the_field(call_handler):
    contact = crime_contact(actor=call_handler)
    with pytest.raises(ValidationError) as error:
        record_crime_from_contact(contact=contact, actor=call_handler, classification="XYZ")
    assert "classification" in error.value.message_dict
    assert not Crime.objects.exists()
