"""Reads for the data protection officer: the review queue, the request register, and the disclosure
pack of a subject access request.

The pack reads the person's record through ``people.selectors.open_person`` (a logged consultation
with the DPO's reason) and holds only the data subject's own data: no other person is named, so the
other members of a household, the suspects in a crime where the requester was the victim and the
victims where the requester was a suspect are all left out (DPA 2018 s.45(4)(e): others' rights).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import RequestStatus, RetentionReview, ReviewStatus, SubjectAccessRequest


def review_queue() -> QuerySet[RetentionReview]:
    """Records due for review, the longest overdue first, with the rule that made each one due."""
    return RetentionReview.objects.filter(status=ReviewStatus.DUE).select_related("rule").order_by("due_on", "pk")


def recent_decisions(limit: int = 20):
    from .models import RetentionDecision

    return RetentionDecision.objects.select_related("review", "decided_by")[:limit]


def review(pk: int) -> RetentionReview:
    return RetentionReview.objects.select_related("rule").get(pk=pk)


def request_register() -> QuerySet[SubjectAccessRequest]:
    """Every subject access request, open ones first and the soonest due first."""
    return SubjectAccessRequest.objects.select_related("person").order_by("-status", "due_on", "pk")


def open_request_count() -> int:
    return SubjectAccessRequest.objects.filter(status=RequestStatus.OPEN).count()


@dataclass
class PackCrime:
    reference: str
    role: str
    offence: str
    reported: date | None
    status: str
    outcome: str


@dataclass
class DisclosurePack:
    """What a data subject gets back: their own data, section by section."""

    request: SubjectAccessRequest
    produced_at: datetime
    person: Any
    other_names: list[Any]
    phones: list[Any]
    emails: list[Any]
    identifiers: list[Any]
    addresses: list[Any]
    vulnerabilities: list[Any]
    contacts: list[dict[str, Any]]
    crimes: list[PackCrime]
    messages: list[Any]
    sections: dict[str, int] = field(default_factory=dict)


def _crimes_of(person: Any, crime_links: list[dict[str, Any]]) -> list[PackCrime]:
    """The crimes the person is linked to, with their role; the crime's other people are not read at all."""
    from cases.models import Crime, Suspect

    roles: dict[str, set[str]] = {}
    for reference in Crime.objects.filter(victim=person).values_list("reference", flat=True):
        roles.setdefault(reference, set()).add("Victim")
    for reference in Suspect.objects.filter(person=person).values_list("crime__reference", flat=True):
        roles.setdefault(reference, set()).add("Suspect")
    for link in crime_links:
        roles.setdefault(link["reference"], set()).add(str(link["role"]).capitalize())
    crimes = {c.reference: c for c in Crime.objects.filter(reference__in=roles).select_related("classification", "outcome")}
    found = []
    for reference in sorted(roles):
        crime = crimes.get(reference)
        found.append(PackCrime(
            reference=reference, role=", ".join(sorted(roles[reference])),
            offence=crime.classification.name if crime and crime.classification else "",
            reported=timezone.localdate(crime.reported_at) if crime else None,
            status=crime.get_status_display() if crime else "",
            outcome=str(crime.outcome) if crime and crime.outcome else "",
        ))
    return found


def disclosure_pack(*, actor: Any, reason: str, request: SubjectAccessRequest) -> DisclosurePack:
    """The data subject's own record for their subject access request; opening it is a logged consultation."""
    from notifications.models import Message
    from people.selectors import open_person

    record = open_person(actor=actor, reason=reason, reference=request.person.reference)
    contact_links = [link for link in record.links if link["kind"] == "contact"]
    contacts: dict[str, dict[str, Any]] = {}
    for link in contact_links:
        entry = contacts.setdefault(link["reference"], {**link, "roles": set()})
        entry["roles"].add(str(link["role"]).capitalize())
    contact_rows = [{**c, "roles": ", ".join(sorted(c["roles"]))} for c in contacts.values()]
    crime_links = [link for link in record.links if link["kind"] == "crime"]
    messages = list(Message.objects.filter(person=record.person).order_by("created_at", "pk"))
    pack = DisclosurePack(
        request=request, produced_at=timezone.now(), person=record.person, other_names=record.other_names,
        phones=record.phones, emails=record.emails, identifiers=record.identifiers,
        addresses=record.memberships, vulnerabilities=record.vulnerabilities,
        contacts=sorted(contact_rows, key=lambda c: c["when"]), crimes=_crimes_of(record.person, crime_links),
        messages=messages,
    )
    pack.sections = {
        "other_names": len(pack.other_names), "phones": len(pack.phones), "emails": len(pack.emails),
        "identifiers": len(pack.identifiers), "addresses": len(pack.addresses),
        "vulnerabilities": len(pack.vulnerabilities), "contacts": len(pack.contacts), "crimes": len(pack.crimes),
        "messages": len(pack.messages),
    }
    return pack
