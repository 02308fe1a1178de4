from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import Action, AuditEntry
from people.models import Person
from people.selectors import current_household, get_person
from people.services import amend_person, move_person, record_address, record_person


@pytest.fixture
def address(db):
    return record_address(number_or_name="12", street="Eastgate Street", town="Stafford", postcode="st16 2dh")


def test_recording_a_person_logs_a_collection_with_the_person(call_handler, address):
    person = record_person(
        actor=call_handler, given_name="Aisha", family_name="Khan", date_of_birth=date(1984, 5, 2),
        phone_e164="07700 900123", address=address,
    )
    assert person.reference == f"P{person.pk:08d}"
    assert person.phone_e164 == "+447700900123"
    entry = AuditEntry.objects.get(action=Action.COLLECTION, subject_type="people.person")
    assert entry.person_id == str(person.pk)
    assert entry.actor_id == call_handler.pk
    assert address.postcode == "ST16 2DH"


def test_amending_a_person_logs_which_fields_changed(call_handler):
    person = record_person(actor=call_handler, given_name="Tom", family_name="Reid")
    amend_person(actor=call_handler, person=person, changes={"family_name": "Reed", "given_name": "Tom"})
    entry = AuditEntry.objects.get(action=Action.ALTERATION)
    assert entry.detail["fields"] == ["family_name"]
    assert "Reed" not in str(entry.detail)
    person.refresh_from_db()
    assert person.family_name == "Reed"


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("date_of_birth", {"date_of_birth": timezone.localdate() + timedelta(days=3)}),
        ("phone_e164", {"phone_e164": "12345"}),
        ("email", {"email": "not-an-address"}),
        ("family_name", {"family_name": "  "}),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(call_handler, field, kwargs):
    values = {"given_name": "Ann", "family_name": "Lee", **kwargs}
    with pytest.raises(ValidationError) as error:
        record_person(actor=call_handler, **values)
    assert field in error.value.message_dict
    assert not Person.objects.exists()
    assert not AuditEntry.objects.exists()


def test_reading_a_person_needs_a_reason_and_is_logged(call_handler):
    person = record_person(actor=call_handler, given_name="Ruth", family_name="Moss")
    with pytest.raises(PermissionDenied) as refused:
        get_person(actor=call_handler, reason="  ", reference=person.reference)
    assert "reason" in str(refused.value)
    # The same refusal for a record that does not exist: a refusal reveals nothing.
    with pytest.raises(PermissionDenied):
        get_person(actor=call_handler, reason="", reference="P99999999")
    assert not AuditEntry.objects.filter(action=Action.CONSULTATION).exists()

    found = get_person(actor=call_handler, reason="Caller on 101 about a burglary", reference=person.reference)
    assert found == person
    entry = AuditEntry.objects.get(action=Action.CONSULTATION)
    assert entry.reason == "Caller on 101 about a burglary"
    assert entry.person_id == str(person.pk)


def test_staff_without_the_permission_cannot_read_a_person(outsider, call_handler):
    person = record_person(actor=call_handler, given_name="Ruth", family_name="Moss")
    with pytest.raises(PermissionDenied):
        get_person(actor=outsider, reason="curious", reference=person.reference)


def test_household_is_the_people_living_at_the_address_now(call_handler, address):
    today = timezone.localdate()
    mother = record_person(actor=call_handler, given_name="Jo", family_name="Hart", address=address,
                           living_there_since=today - timedelta(days=900))
    child = record_person(actor=call_handler, given_name="Sam", family_name="Hart", address=address,
                          living_there_since=today - timedelta(days=800))
    lodger = record_person(actor=call_handler, given_name="Lee", family_name="Ward", address=address,
                           living_there_since=today - timedelta(days=700))
    elsewhere = record_address(number_or_name="3", street="Mill Street", postcode="ST16 2AJ")
    move_person(actor=call_handler, person=lodger, address=elsewhere, from_date=today - timedelta(days=10))

    household = current_household(actor=call_handler, reason="Domestic incident at the address", person=mother)
    assert household == [child]
    assert AuditEntry.objects.filter(action=Action.CONSULTATION, person_id=str(child.pk)).count() == 1
    assert AuditEntry.objects.filter(action=Action.ALTERATION, person_id=str(lodger.pk)).count() == 1
