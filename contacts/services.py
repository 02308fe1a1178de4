"""Business actions on contacts. Each writes its audit entries in the same transaction.

The first-contact issue adds THRIVE, grading and routing; this is the minimal record.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Action
from audit.services import PendingEntry, append_entries
from people.models import Address, Person
from people.services import record_person

from .models import Channel, Contact, ContactDraft, ContactPerson, IncidentType, PersonRole, contact_reference

FORM_TOKEN_MAX = 40
DRAFT_MAX_FIELDS = 200
DRAFT_MAX_VALUE = 10_000


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


class DuplicateSubmission(Exception):  # noqa: N818 - named for what happened, not as an error
    """Another request recorded a contact with this form token first; this one's changes roll back."""

    def __init__(self, form_token: str):
        super().__init__(form_token)
        self.form_token = form_token


def record_contact(**values: Any) -> Contact:
    """Record a contact (see ``_record_contact``); a lost race on the form token returns the winner's contact."""
    try:
        return _record_contact(**values)
    except DuplicateSubmission as duplicate:
        return Contact.objects.get(form_token=duplicate.form_token)


@transaction.atomic
def take_contact(*, actor: Any, new_caller: dict[str, str] | None = None, reason: str = "", **values: Any) -> Contact:
    """Record a contact taken on the call-taking page, adding a new caller to the person index first if given.

    All or nothing: a second submit of the same form (same token) adds no second
    caller and no second contact, even when both arrive at once.
    """
    token = (values.get("form_token") or "").strip()
    if token:
        existing = Contact.objects.filter(form_token=token).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            if new_caller:
                values["caller"] = record_person(actor=actor, reason=reason, **new_caller)
            return _record_contact(actor=actor, **values)
    except DuplicateSubmission as duplicate:
        return Contact.objects.get(form_token=duplicate.form_token)


@transaction.atomic
def _record_contact(
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
    form_token: str | None = None,
) -> Contact:
    """Record a contact from any channel with the people involved; logged as a collection for each person.

    DPA 2018 Part 3 s.62: taking a caller's account, or naming a victim, witness or
    suspect in it, is a collection of their personal data. With a ``form_token``, a
    second call with the same token returns the contact already recorded (a double
    submit records one contact), and the handler's draft under that token is deleted.
    """
    form_token = (form_token or "").strip() or None
    if form_token is not None:
        if len(form_token) > FORM_TOKEN_MAX:
            raise ValidationError({"form_token": f"The form token must be {FORM_TOKEN_MAX} characters or fewer."})
        existing = Contact.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing
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

    try:
        # A savepoint, so that losing the race to a concurrent submit of the same form
        # leaves this transaction usable to fetch the winner's contact.
        with transaction.atomic():
            contact = Contact.objects.create(
                reference=uuid.uuid4().hex[:12], channel=channel, received_at=received_at,
                answered_at=answered_at, closed_at=closed_at, caller=caller, address=address,
                location_text=location_text.strip(), latitude=latitude, longitude=longitude,
                incident_type=incident_type, grade=grade, summary=summary.strip(),
                handled_by=actor if getattr(actor, "pk", None) else None, form_token=form_token,
            )
    except IntegrityError:
        if form_token is None or not Contact.objects.filter(form_token=form_token).exists():
            raise
        # Raised, not returned, so that whatever the caller did before in this transaction rolls back too.
        raise DuplicateSubmission(form_token) from None
    if form_token is not None and getattr(actor, "pk", None):
        ContactDraft.objects.filter(handler=actor, form_token=form_token).delete()
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


def _draft_values(data: dict[str, Any]) -> dict[str, Any]:
    """Keep a draft's fields as strings or lists of strings, bounded, so a draft cannot grow without limit."""
    if len(data) > DRAFT_MAX_FIELDS:
        raise ValidationError({"data": f"A draft may hold at most {DRAFT_MAX_FIELDS} fields."})
    values: dict[str, Any] = {}
    for name, value in data.items():
        items = value if isinstance(value, list) else [value]
        texts = [str(item)[:DRAFT_MAX_VALUE] for item in items]
        values[str(name)[:100]] = texts if isinstance(value, list) else texts[0]
    return values


@transaction.atomic
def save_contact_draft(*, handler: Any, form_token: str, data: dict[str, Any]) -> ContactDraft:
    """Save what the handler has typed so far under the form's token; the latest save wins.

    Nothing lost (issue 5, item 11): the draft is the handler's own unfinished work, on
    the server so that it survives a closed browser. It is not yet a collection of
    anyone's data: that is logged when the contact is recorded, and the draft deleted.
    """
    token = (form_token or "").strip()
    if not token or len(token) > FORM_TOKEN_MAX:
        raise ValidationError({"form_token": f"The form token must be 1 to {FORM_TOKEN_MAX} characters."})
    if Contact.objects.filter(form_token=token).exists():
        raise ValidationError({"form_token": "This contact has already been recorded; its draft is closed."})
    draft, _ = ContactDraft.objects.update_or_create(
        handler=handler, form_token=token, defaults={"data": _draft_values(data), "updated_at": timezone.now()}
    )
    return draft


@transaction.atomic
def discard_contact_draft(*, handler: Any, form_token: str) -> int:
    """Delete the handler's draft under this token (the handler abandoned it); returns how many went."""
    deleted, _ = ContactDraft.objects.filter(handler=handler, form_token=(form_token or "").strip()).delete()
    return deleted
