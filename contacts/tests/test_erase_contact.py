"""Erasing a contact with no crime at the end of retention: what it said and who was in it are gone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from audit.models import Action, AuditEntry
from contacts.models import Contact, ContactPerson, IncidentType
from contacts.services import erase_contact, record_contact
from people.services import record_person


def test_erasing_a_contact_removes_its_content_and_people_and_logs_no_content(dpo):
    caller = record_person(actor=dpo, given_name="Nia", family_name="Shaw")
    received = timezone.now() - timedelta(days=3000)
    contact = record_contact(
        actor=dpo, channel="101", incident_type=IncidentType.objects.get(code="noise"), received_at=received,
        caller=caller, location_text="Flat 3, Brook Court", people=[(caller, "caller")],
        summary="Loud music from next door every night",
    )

    erase_contact(actor=dpo, contact=contact, reason="Retention: contact with no crime")

    contact.refresh_from_db()
    assert (contact.summary, contact.location_text, contact.caller_id) == ("", "", None)
    assert (contact.channel, contact.incident_type.code) == ("101", "noise")  # statistics stay
    assert not ContactPerson.objects.filter(contact=contact).exists()
    entry = AuditEntry.objects.get(action=Action.ERASURE)
    assert (entry.subject_type, entry.subject_id) == ("contacts.contact", str(contact.pk))
    assert entry.detail["removed"] == {"people": 1}
    assert "Brook Court" not in str(entry.detail) and "music" not in str(entry.detail)
    assert erase_contact(actor=dpo, contact=Contact.objects.get(pk=contact.pk), reason="again") == {}
    assert AuditEntry.objects.filter(action=Action.ERASURE).count() == 1
