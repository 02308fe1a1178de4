"""Writing to the audit log. Every service that touches personal data calls ``record_entry`` inside
its own transaction, so the change and its audit entry commit or fail together.

Appending takes a row lock on the chain head, so concurrent writers queue for the
moment it takes to hash and insert: the chain stays a single line whatever the
number of writers. The lock is held until the caller's transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from . import chain
from .context import current
from .models import Action, AuditEntry, ChainHead

REASON_REQUIRED = "A reason is required when a person's record is consulted or disclosed."
RECIPIENTS_REQUIRED = "A disclosure must name its recipients."
NOT_IN_TRANSACTION = (
    "Audit entries must be written inside the transaction that makes the change (use transaction.atomic)."
)


@dataclass
class PendingEntry:
    """What a service wants logged; the chain fields are filled in when it is appended."""

    action: str
    subject_type: str
    subject_id: str
    actor: Any = None
    actor_label: str = ""
    person_id: str = ""
    reason: str = ""
    recipients: Sequence[str] = ()
    detail: dict[str, Any] = field(default_factory=dict)


def subject_of(record: Model) -> tuple[str, str]:
    """The (type, id) pair that names a record in the log, e.g. ("people.person", "42")."""
    return record._meta.label_lower, str(record.pk)


def _actor_label(actor: Any, fallback: str) -> str:
    if actor is None:
        return fallback or "system"
    return getattr(actor, "username", None) or str(actor)


def _validate(entry: PendingEntry) -> None:
    if entry.action not in Action.values:
        raise ValueError(f"Unknown audit action {entry.action!r}; accepted: {', '.join(Action.values)}.")
    if entry.action in (Action.CONSULTATION, Action.DISCLOSURE) and not entry.reason.strip():
        raise ValueError(REASON_REQUIRED)
    if entry.action == Action.DISCLOSURE and not entry.recipients:
        raise ValueError(RECIPIENTS_REQUIRED)


def _lock_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "last_hash": chain.GENESIS_HASH})
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def append_entries(entries: Iterable[PendingEntry], *, batch_size: int = 5000) -> int:
    """Append entries to the chain in order; returns how many. Must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError(NOT_IN_TRANSACTION)
    ctx = current()
    head = _lock_head()
    seq, prev = head.seq, head.last_hash
    now = timezone.now()
    batch: list[AuditEntry] = []
    count = 0
    for entry in entries:
        _validate(entry)
        seq += 1
        content = {
            "seq": seq,
            "occurred_at": now,
            "action": str(entry.action),
            "actor_id": getattr(entry.actor, "pk", None),
            "actor_label": entry.actor_label or _actor_label(entry.actor, ""),
            "subject_type": entry.subject_type,
            "subject_id": str(entry.subject_id),
            "person_id": str(entry.person_id or ""),
            "reason": entry.reason.strip(),
            "recipients": list(entry.recipients),
            "detail": dict(entry.detail),
            "source": ctx.source,
            "request_id": ctx.request_id,
            "prev_hash": prev,
        }
        digest = chain.entry_hash(content)
        batch.append(AuditEntry(**content, entry_hash=digest))
        prev = digest
        count += 1
        if len(batch) >= batch_size:
            AuditEntry.objects.bulk_create(batch)
            batch.clear()
    if batch:
        AuditEntry.objects.bulk_create(batch)
    if count:
        ChainHead.objects.filter(pk=1).update(seq=seq, last_hash=prev)
    return count


def record_entry(
    *,
    actor: Any,
    action: str,
    subject_type: str,
    subject_id: str | int,
    person_id: str | int | None = None,
    reason: str = "",
    recipients: Sequence[str] = (),
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> None:
    """Log one operation on personal data (who, what, when, which record, why).

    DPA 2018 Part 3 s.62: collection, alteration, consultation, disclosure,
    combination and erasure are logged; consultation and disclosure carry a
    justification, disclosure its recipients.
    """
    append_entries(
        [
            PendingEntry(
                action=action,
                subject_type=subject_type,
                subject_id=str(subject_id),
                actor=actor,
                actor_label=actor_label,
                person_id="" if person_id is None else str(person_id),
                reason=reason,
                recipients=recipients,
                detail=detail or {},
            )
        ]
    )


@transaction.atomic
def record_standalone(**kwargs: Any) -> None:
    """``record_entry`` in a transaction of its own: for reads, where no change is made."""
    record_entry(**kwargs)
