"""Reading the audit log: searches for the data protection officer and the stream that verification walks."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import chain
from .models import AuditEntry, ChainHead, VerificationRun

# What verification reads of each row: the hashed content and the stored hash.
_CHAIN_COLUMNS = (*chain.CONTENT_FIELDS, "entry_hash")


@dataclass(frozen=True)
class LogFilters:
    """What the data protection officer searched for; empty means "any"."""

    person_id: str = ""
    username: str = ""
    action: str = ""
    subject_type: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _start_of_day(day: date) -> datetime:
    # Dates are days in the force's time zone (Europe/London), not in UTC.
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def search_entries(filters: LogFilters) -> QuerySet[AuditEntry]:
    """Entries matching every given filter, newest first.

    A username matches the entries of the account that has it now and any entry logged under
    that name at the time (so a renamed or deleted account's entries are still found).
    """
    entries = AuditEntry.objects.all()
    if filters.person_id:
        entries = entries.filter(person_id=filters.person_id)
    if filters.username:
        by_label = Q(actor_label=filters.username)
        user = get_user_model().objects.filter(username=filters.username).only("pk").first()
        entries = entries.filter(by_label | Q(actor_id=user.pk) if user else by_label)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.subject_type:
        entries = entries.filter(subject_type=filters.subject_type)
    if filters.date_from:
        entries = entries.filter(occurred_at__gte=_start_of_day(filters.date_from))
    if filters.date_to:
        entries = entries.filter(occurred_at__lt=_start_of_day(filters.date_to + timedelta(days=1)))
    return entries.order_by("-seq")


def entries_about_person(person_id: str | int) -> QuerySet[AuditEntry]:
    """Every logged operation on one person's data, newest first (for a subject access request)."""
    return search_entries(LogFilters(person_id=str(person_id)))


def entries_by_user(username: str) -> QuerySet[AuditEntry]:
    """Everything one member of staff did to personal data, newest first."""
    return search_entries(LogFilters(username=username))


def latest_verification() -> VerificationRun | None:
    """The most recent run of ``verify_audit``, or None if it has never run."""
    return VerificationRun.objects.order_by("-finished_at", "-pk").first()


def chain_head() -> chain.Head:
    """What the writers last recorded: entry count and last hash (the genesis if nothing yet)."""
    head = ChainHead.objects.filter(pk=1).values("seq", "last_hash").first()
    if head is None:
        return chain.Head(0, chain.GENESIS_HASH)
    return chain.Head(head["seq"], head["last_hash"])


def count_entries() -> int:
    """How many entries the log holds (for a progress bar)."""
    return AuditEntry.chained.count()


@contextlib.contextmanager
def reading_snapshot() -> Iterator[None]:
    """A context in which a long read streams without holding up writers.

    On PostgreSQL a transaction lets ``iterator()`` use a plain server-side cursor (outside
    one, Django declares it WITH HOLD and the server copies the result). On SQLite a
    transaction would be BEGIN IMMEDIATE and block every writer for the whole walk, and a
    single SELECT already reads one consistent snapshot in WAL mode.
    """
    if connection.vendor == "postgresql":
        with transaction.atomic():
            yield
    else:
        yield


def chain_rows(*, chunk_size: int = 5000) -> Iterator[dict[str, Any]]:
    """Every entry's hashed content and stored hash, in ``seq`` order, fetched in chunks.

    Memory stays flat however long the log: rows are fetched ``chunk_size`` at a time and
    never held as model instances.
    """
    return AuditEntry.chained.order_by("seq").values(*_CHAIN_COLUMNS).iterator(chunk_size=chunk_size)
