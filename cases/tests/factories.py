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
