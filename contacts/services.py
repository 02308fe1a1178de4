"""Business actions on contacts. Each writes its audit entries in the same transaction.

The first-contact issue adds THRIVE, grading and routing; this is the minimal record.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import PendingEntry, append_entries
from people.models import Address, Person

from .models import Channel, Contact, ContactPerson, IncidentType, PersonRole, contact_reference


def _check_times(received_at: datetime, answered_at: datetime | None, closed_at: datetime | None) -> None:
    errors = {}
    for name, value in (("received_at", received_at), ("answered_at", answered_at), ("closed_at", closed_at)):
        if value is not None and timezone.is_naive(value):
            errors[name] = f"{name.replace('_', ' ').capitalize()} must include a time zone."
    if errors:
        raise ValidationError(errors)
    if received_at > timezone.now():
        errors["received_at"] = "The time received cannot be in the future."
    if answered_at is not None and answered_at < received_at:
        errors["answered_at"] = "The time answered must be at or after the time received."
    if closed_at is not None and closed_at < (answered_at or received_at):
        errors["closed_at"] = "The time closed must be at or after the time received and answered."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_contact(
    *,
    actor: Any,
    channel: str,
    incident_type: IncidentType,
    received_at: datetime,
    answered_at: datetime | None = None,
    closed_at: datetime | None = None,
    caller: Person | None = None,
    address: Address | None = None,
    location_text: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    grade: int | None = None,
    summary: str = "",
    people: Sequence[tuple[Person, str]] = (),
) -> Contact:
    """Record a contact from any channel with the people involved; logged as a collection for each person.

    DPA 2018 Part 3 s.62: taking a caller's account, or naming a victim, witness or
    suspect in it, is a collection of their personal data.
    """
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = f"Channel must be one of {', '.join(Channel.values)}."
    if not incident_type.active:
        errors["incident_type"] = f"The incident type {incident_type.name!r} is no longer in use; choose another."
    if grade is not None and grade not in (1, 2, 3, 4):
        errors["grade"] = "Grade must be 1, 2, 3 or 4."
    if address is None and not location_text.strip() and latitude is None:
        errors["location_text"] = "Give where it happened: an address, a map point or a description of the place."
    roles = set(PersonRole.values)
    for _, role in people:
        if role not in roles:
            errors["people"] = f"A person's role must be one of {', '.join(PersonRole.values)}, not {role!r}."
    if errors:
        raise ValidationError(errors)
    _check_times(received_at, answered_at, closed_at)
    if address is not None and latitude is None:
        latitude, longitude = address.latitude, address.longitude

    contact = Contact.objects.create(
        reference=uuid.uuid4().hex[:12], channel=channel, received_at=received_at,
        answered_at=answered_at, closed_at=closed_at, caller=caller, address=address,
        location_text=location_text.strip(), latitude=latitude, longitude=longitude, incident_type=incident_type,
        grade=grade, summary=summary.strip(), handled_by=actor if getattr(actor, "pk", None) else None,
    )
    # The reference comes from the id, known only after the insert.
    contact.reference = contact_reference(contact.pk)
    contact.save(update_fields=["reference"])

    involved = [(caller, PersonRole.CALLER)] if caller is not None else []
    involved += [(person, role) for person, role in people if (person, role) not in involved]
    ContactPerson.objects.bulk_create(
        [ContactPerson(contact=contact, person=person, role=role) for person, role in involved]
    )
    entries = [
        PendingEntry(
            action=Action.COLLECTION, subject_type="contacts.contact", subject_id=str(contact.pk), actor=actor,
            person_id=str(person.pk), detail={"role": str(role), "channel": channel},
        )
        for person, role in involved
    ] or [
        PendingEntry(action=Action.COLLECTION, subject_type="contacts.contact", subject_id=str(contact.pk),
                     actor=actor, detail={"channel": channel})
    ]
    append_entries(entries)
    return contact
