"""Contacts that report crimes, and crimes recorded from them, built through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from contacts.models import Contact, IncidentType
from contacts.services import record_contact
from people.models import Person
from people.services import record_person


def crime_contact(
    *, actor, incident_code: str = "shoplifting", received_at: datetime | None = None, victim: Person | None = None
) -> Contact:
    """A 101 contact reporting a crime, with a named victim (made up unless given)."""
    if victim is None:
        victim = record_person(actor=actor, given_name="Ama", family_name="Owusu")
    return record_contact(
        actor=actor, channel="101", incident_type=IncidentType.objects.get(code=incident_code),
        received_at=received_at or timezone.now() - timedelta(minutes=10), caller=victim,
        location_text="High Street, outside number 12", people=[(victim, "victim")],
        summary="Goods taken without paying.",
    )


def resolution_centre(name: str = "Hanley Resolution Centre"):
    """A resolution centre team."""
    from accounts.models import Team

    return Team.objects.get_or_create(name=name, defaults={"kind": Team.Kind.RESOLUTION_CENTRE})[0]


def routed_crime(*, actor, incident_code: str = "shoplifting", classification: str = "46", victim: Person | None = None,
                 received_at: datetime | None = None):
    """A recorded crime from a contact graded 4 and routed to a resolution centre (as grading leaves it)."""
    from cases.services import record_crime_from_contact
    from contacts.models import Route

    contact = crime_contact(actor=actor, incident_code=incident_code, victim=victim, received_at=received_at)
    # Grading itself is the contacts app's (and tested there); here only its result matters.
    Contact.objects.filter(pk=contact.pk).update(grade=4, route=Route.RESOLUTION_CENTRE)
    contact.refresh_from_db()
    return record_crime_from_contact(contact=contact, actor=actor, classification=classification)
