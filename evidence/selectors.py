"""Reads of evidence. Lists show references, descriptions and hashes; opening an item's content goes
through ``services.open_exhibit`` / ``open_statement``, which log it in the item's custody."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet

from cases.models import Crime

from .models import CustodyEvent, EvidentialPackage, Exhibit, Statement, Upload

RECENT = 50


def crime_by_reference(reference: str) -> Crime | None:
    """The crime with this reference (any case, spaces ignored), or None."""
    return Crime.objects.select_related("classification", "outcome").filter(
        reference="".join((reference or "").split()).upper()
    ).first()


def crimes_with_evidence() -> QuerySet[Crime]:
    """Crimes that hold exhibits or statements, the latest received first."""
    return (
        Crime.objects.annotate(
            exhibit_count=Count("exhibits", distinct=True), statement_count=Count("statements", distinct=True),
            last_exhibit=Max("exhibits__received_at"),
        )
        .filter(exhibit_count__gt=0)
        .select_related("classification")
        .order_by("-last_exhibit")[:RECENT]
    )


@dataclass
class CrimeEvidence:
    exhibits: list[Exhibit]
    statements: list[Statement]
    packages: list[EvidentialPackage]


def evidence_for_crime(crime: Crime) -> CrimeEvidence:
    """A crime's exhibits (in order of receipt), statements (S1, S2…) and the packages disclosed from them."""
    return CrimeEvidence(
        exhibits=list(Exhibit.objects.filter(crime=crime).order_by("received_at", "id")),
        statements=list(Statement.objects.filter(crime=crime).select_related("taken_by").order_by("number")),
        packages=list(
            EvidentialPackage.objects.filter(crime=crime).select_related("produced_by").annotate(
                exhibit_count=Count("exhibits", distinct=True), statement_count=Count("statements", distinct=True)
            )
        ),
    )


def exhibit_by_id(pk: int) -> Exhibit | None:
    return Exhibit.objects.select_related("crime", "contact", "received_by", "link").filter(pk=pk).first()


def statement_by_id(pk: int) -> Statement | None:
    return Statement.objects.select_related("crime", "taken_by").filter(pk=pk).first()


def package_by_id(pk: int) -> EvidentialPackage | None:
    return EvidentialPackage.objects.select_related("crime", "produced_by").filter(pk=pk).first()


def custody_of(*, exhibit: Exhibit | None = None, statement: Statement | None = None) -> QuerySet[CustodyEvent]:
    """An item's chain of custody, oldest first."""
    events = CustodyEvent.objects.select_related("actor")
    if exhibit is not None:
        return events.filter(exhibit=exhibit)
    return events.filter(statement=statement)


def upload_by_id(value: str, **owner) -> Upload | None:
    """An upload by its id, only if it belongs to the given crime, contact or link (else None)."""
    try:
        pk = uuid.UUID(str(value))
    except ValueError:
        return None
    return Upload.objects.filter(pk=pk, **owner).first()
