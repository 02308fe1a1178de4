"""Reads of the outbox. Full messages (address and text) to a person are logged as consultations;
the summaries other apps show beside their records carry only a masked address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from audit.models import Action
from audit.services import record_standalone, subject_of

from .models import Channel, Message, Status


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y} at {local:%H:%M}"


def status_in_words(message: Message) -> str:
    """What became of a message, as a member of staff would say it: "Delivered on 3 Mar 2026 at 14:05"."""
    if message.status == Status.DELIVERED:
        return f"Delivered on {_when(message.delivered_at or message.sent_at)}"
    if message.status == Status.SENT:
        return f"Sent on {_when(message.sent_at)}, not yet confirmed as delivered"
    if message.status == Status.FAILED:
        return f"Failed on {_when(message.failed_at)}: {message.last_error or 'no reason given'}"
    if message.status == Status.SENDING:
        return "Being sent now"
    if message.attempts:
        return f"Not sent yet: try {message.attempts} failed; trying again at {_when(message.next_attempt_at)}"
    return "Waiting to be sent"


def mask_address(address: str) -> str:
    """An address shown without disclosing it: "s***@example.org", "+4477*****982"."""
    if "@" in address:
        local, _, domain = address.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if len(address) <= 7:
        return "*" * len(address)
    return address[:5] + "*" * (len(address) - 8) + address[-3:]


@dataclass(frozen=True)
class MessageSummary:
    """A message as another app shows it beside its own record: no address in full, no text."""

    reference: str
    channel: str
    channel_label: str
    template: str
    status: str
    status_label: str
    status_words: str
    to_masked: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None


def summarise(message: Message) -> MessageSummary:
    """The summary of one message."""
    return MessageSummary(
        reference=message.reference, channel=message.channel, channel_label=message.get_channel_display(),
        template=message.template, status=message.status, status_label=message.get_status_display(),
        status_words=status_in_words(message), to_masked=mask_address(message.to),
        created_at=message.created_at, sent_at=message.sent_at, delivered_at=message.delivered_at,
    )


def messages_with_reference_prefix(prefix: str) -> list[MessageSummary]:
    """Summaries of the messages whose reference starts with ``prefix`` (e.g. "victim-update:CR/2026/12:"), oldest first."""
    if not prefix:
        return []
    messages = Message.objects.filter(reference__startswith=prefix).order_by("created_at", "id")
    return [summarise(message) for message in messages]


def message_status(reference: str) -> MessageSummary | None:
    """The summary of the message with exactly this reference, if there is one."""
    message = Message.objects.filter(reference=reference).first()
    return summarise(message) if message else None


def messages_for_person(*, person_id: int, actor: Any, reason: str) -> list[Message]:
    """Every message sent to a person, newest first, in full; the read is logged as a consultation."""
    messages = list(Message.objects.filter(person_id=person_id).order_by("-created_at", "-id"))
    record_standalone(
        actor=actor, action=Action.CONSULTATION, subject_type="people.person", subject_id=person_id,
        person_id=person_id, reason=reason, detail={"viewed": "messages", "count": len(messages)},
    )
    return messages


def message_for_staff(*, message_id: int, actor: Any, reason: str) -> Message | None:
    """One message in full for the outbox page; a message to a person is logged as a consultation."""
    message = Message.objects.filter(pk=message_id).select_related("created_by").first()
    if message is not None and message.person_id is not None:
        subject_type, subject_id = subject_of(message)
        record_standalone(
            actor=actor, action=Action.CONSULTATION, subject_type=subject_type, subject_id=subject_id,
            person_id=message.person_id, reason=reason, detail={"reference": message.reference},
        )
    return message


@dataclass(frozen=True)
class OutboxFilter:
    status: str = ""
    channel: str = ""
    search: str = ""


def outbox(filters: OutboxFilter) -> QuerySet[Message]:
    """The outbox for staff, newest first, filtered by status, channel and reference or template."""
    messages = Message.objects.all()
    if filters.status in Status.values:
        messages = messages.filter(status=filters.status)
    if filters.channel in Channel.values:
        messages = messages.filter(channel=filters.channel)
    if filters.search:
        messages = messages.filter(Q(reference__icontains=filters.search) | Q(template__icontains=filters.search))
    return messages.order_by("-created_at", "-id")


def outbox_counts() -> dict[str, int]:
    """How many messages are in each status (every status listed, zero included)."""
    counts = {status: 0 for status in Status.values}
    for row in Message.objects.values("status").order_by().annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
