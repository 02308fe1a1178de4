from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Action, AuditEntry
from contacts.models import Contact, ContactPerson, IncidentCategory, IncidentType
from contacts.services import record_contact
from people.services import record_person


def test_incident_types_cover_crime_the_three_asb_types_and_non_crime(db):
    categories = set(IncidentType.objects.values_list("category", flat=True))
    assert categories == set(IncidentCategory.values)
    shoplifting = IncidentType.objects.get(code="shoplifting")
    assert shoplifting.police_uk_category == "Shoplifting"
    assert IncidentType.objects.filter(code="concern-for-welfare", category="non_crime").exists()


def test_recording_a_contact_logs_a_collection_for_each_person_involved(call_handler):
    caller = record_person(actor=call_handler, given_name="Mo", family_name="Ali")
    suspect = record_person(actor=call_handler, given_name="Kai", family_name="Bell")
    received = timezone.now() - timedelta(minutes=5)
    contact = record_contact(
        actor=call_handler, channel="101", incident_type=IncidentType.objects.get(code="criminal-damage"),
        received_at=received, answered_at=received + timedelta(seconds=40), caller=caller,
        location_text="Car park behind the library", people=[(caller, "victim"), (suspect, "suspect")],
    )
    assert contact.reference == f"C{contact.pk:09d}"
    roles = set(ContactPerson.objects.filter(contact=contact).values_list("person_id", "role"))
    assert roles == {(caller.pk, "caller"), (caller.pk, "victim"), (suspect.pk, "suspect")}
    logged = AuditEntry.objects.filter(action=Action.COLLECTION, subject_type="contacts.contact")
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(
        [str(caller.pk), str(caller.pk), str(suspect.pk)]
    )


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("channel", {"channel": "pigeon"}),
        ("grade", {"grade": 7}),
        ("answered_at", {"answered_at": timezone.now() - timedelta(days=2)}),
        ("location_text", {"location_text": ""}),
    ],
)
def test_bad_contact_input_names_the_field(call_handler, field, change):
    values = {
        "actor": call_handler, "channel": "999", "incident_type": IncidentType.objects.get(code="noise"),
        "received_at": timezone.now() - timedelta(hours=1), "location_text": "Outside the Co-op", **change,
    }
    with pytest.raises(ValidationError) as error:
        record_contact(**values)
    assert field in error.value.message_dict
    assert not Contact.objects.exists()
