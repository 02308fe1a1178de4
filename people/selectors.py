"""Reads of the person index. Every read of a person's record names who read it and why, and is logged.

DPA 2018 Part 3 s.62: consultation is logged with its justification. A refusal says
the same whether or not the record exists, so a refusal reveals nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.models import Action
from audit.services import REASON_REQUIRED, record_entry

from .models import Person

VIEW_PERMISSION = "accounts.search_people"
NO_PERMISSION = "You do not have permission to view people's records."


def _check(actor: Any, reason: str) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_perm(VIEW_PERMISSION):
        raise PermissionDenied(NO_PERMISSION)
    if not (reason or "").strip():
        raise PermissionDenied(f"reason: {REASON_REQUIRED}")
    return reason.strip()


@transaction.atomic
def get_person(*, actor: Any, reason: str, reference: str) -> Person:
    """The person with this reference, logged as a consultation by ``actor`` for ``reason``.

    Raises PermissionDenied (no permission, no reason) before looking the record up,
    and Person.DoesNotExist when there is none.
    """
    reason = _check(actor, reason)
    person = Person.objects.get(reference=reference.strip().upper())
    record_entry(
        actor=actor, action=Action.CONSULTATION, subject_type="people.person", subject_id=person.pk,
        person_id=person.pk, reason=reason,
    )
    return person


@transaction.atomic
def current_household(*, actor: Any, reason: str, person: Person) -> list[Person]:
    """Everyone else living now at the addresses where ``person`` lives now; each one's view is logged."""
    reason = _check(actor, reason)
    members = list(
        Person.objects.filter(
            memberships__to_date__isnull=True,
            memberships__address__memberships__person=person,
            memberships__address__memberships__to_date__isnull=True,
        )
        .exclude(pk=person.pk)
        .distinct()
        .order_by("date_of_birth", "pk")
    )
    for member in members:
        record_entry(
            actor=actor, action=Action.CONSULTATION, subject_type="people.person", subject_id=member.pk,
            person_id=member.pk, reason=reason, detail={"as": "household", "of": person.pk},
        )
    return members
