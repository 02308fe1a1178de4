"""The demo force's outbox: written acknowledgements to victims of its recorded crimes, in every state.

Messages are queued through ``queue_message`` and delivered through the outbox's own code; a
provider is played by ``DemoProvider``, which writes each message it accepts to the demo's file
(so a demo user can read it) and, by a seeded draw, accepts it, answers late, or refuses it, and
sends the delivery receipt GOV.UK Notify would. Nothing leaves the machine.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Message, Status
from .senders import FileSender, Handover, TemporaryFailure
from .services import deliver_message, queue_message, record_delivery_receipt

REFERENCE_PREFIX = "demo-ack:"
REASON = "Victims' Code: written acknowledgement of the crime report"
# What becomes of the demo's messages, roughly as a force's outbox looks on an ordinary day.
FATES = {"delivered": 0.74, "awaiting_receipt": 0.12, "bounced": 0.06, "retrying": 0.04, "gave_up": 0.04}


class DemoProvider:
    """Plays a messaging provider for the demo; ``fail`` makes it not answer (a temporary failure)."""

    name = "demo"

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.file = FileSender()
        self.fail = False

    def send(self, message: Message) -> Handover:
        if self.fail:
            raise TemporaryFailure("The provider did not answer within 10 seconds (demo).")
        self.file.send(message)
        return Handover(provider_id=str(uuid.UUID(int=int(self.rng.integers(0, 2**63)) << 64 | message.pk)))


@dataclass
class SeededMessages:
    queued: int = 0
    already: int = 0
    by_status: dict[str, int] | None = None


def _crimes_with_reachable_victims(limit: int):
    # Demo set-up only: no business page lists crimes by their victims' contact details, so the
    # seed reads the crime records directly (the messages it queues are logged as disclosures).
    from cases.models import Crime, CrimeStatus

    return list(
        Crime.objects.filter(victim__isnull=False, status__in=[
            CrimeStatus.RECORDED, CrimeStatus.UNDER_INVESTIGATION, CrimeStatus.CLOSED,
        ]).exclude(victim__email="", victim__phone_e164="")
        .select_related("victim", "classification").order_by("-reported_at", "-id")[:limit]
    )


def seed_demo_messages(*, seed: int, limit: int = 60) -> SeededMessages:
    """Queue and deliver the demo's acknowledgements; running it again adds and sends nothing."""
    rng = np.random.default_rng(seed)
    provider = DemoProvider(rng)
    result = SeededMessages()
    crimes = _crimes_with_reachable_victims(limit)
    for crime, fate in zip(crimes, _fates(len(crimes), rng), strict=True):
        victim = crime.victim
        channel = "email" if victim.email else "sms"
        with transaction.atomic():
            message = queue_message(
                channel=channel, to=victim.email or victim.phone_e164, template="crime_acknowledgement",
                personalisation={
                    "name": victim.given_name, "crime_reference": crime.reference,
                    "offence": crime.classification.name.lower() if crime.classification_id else "a crime",
                },
                reference=f"{REFERENCE_PREFIX}{crime.reference}", person_id=victim.pk, reason=REASON,
            )
            if message.attempts:
                result.already += 1
                continue
            result.queued += 1
            # Delivered here, inside the transaction, so the demo decides each message's fate; the
            # delivery queued for after the commit then finds nothing due.
            _play(message, fate, provider)
            _backdate(message, crime.recorded_at or crime.reported_at)
    counts = {status: 0 for status in Status.values}
    for status in Message.objects.filter(reference__startswith=REFERENCE_PREFIX).values_list("status", flat=True):
        counts[status] += 1
    result.by_status = counts
    return result


def _fates(count: int, rng: np.random.Generator) -> list[str]:
    """Each state in its share of ``count`` (at least one of each, so the demo shows them all), shuffled."""
    fates: list[str] = []
    for fate, share in FATES.items():
        if fate != "delivered":
            fates += [fate] * max(1, round(share * count))
    fates = fates[:count]
    fates += ["delivered"] * (count - len(fates))
    return [fates[i] for i in rng.permutation(count)]


def _play(message: Message, fate: str, provider: DemoProvider) -> None:
    provider.fail = fate in ("retrying", "gave_up")
    tries = settings.NOTIFICATIONS_MAX_ATTEMPTS if fate == "gave_up" else 1
    for _ in range(tries):
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        deliver_message(message_id=message.pk, sender=provider)
    provider.fail = False
    message.refresh_from_db()
    if fate in ("delivered", "bounced"):
        status = "delivered" if fate == "delivered" else "permanent-failure"
        record_delivery_receipt(payload={
            "id": message.provider_id, "reference": message.reference, "status": status,
            "completed_at": (timezone.now() + timedelta(seconds=4)).isoformat(),
        })


def _backdate(message: Message, when) -> None:
    """Place the message a few minutes after its crime was recorded, as if sent then."""
    if when is None:
        return
    message.refresh_from_db()
    shift = (when + timedelta(minutes=3)) - message.created_at
    changes = {"created_at": message.created_at + shift}
    for name in ("sent_at", "delivered_at", "failed_at"):
        value = getattr(message, name)
        if value is not None:
            changes[name] = value + shift
    if message.status == Status.QUEUED:
        # Still retrying: due again shortly, whenever the demo's send_due_messages next runs.
        changes["next_attempt_at"] = timezone.now() + timedelta(minutes=5)
    Message.objects.filter(pk=message.pk).update(**changes)
