"""Erasing a message that left the outbox: recipient and wording gone, the reference kept; queued ones refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action, AuditEntry
from notifications.models import Message, Status
from notifications.services import erase_message, queue_message


def _message(reference: str) -> Message:
    with transaction.atomic():
        return queue_message(channel="email", to="ravi@example.org", template="victim_update",
                             personalisation={"name": "Ravi", "update": "We have charged someone",
                                              "crime_reference": "CR000000042", "officer": "PC Shaw"},
                             reference=reference, reason="Victim update")


def test_erasing_a_sent_message_keeps_only_its_reference_and_times(db, dpo):
    message = _message("erase-me-1")
    with pytest.raises(ValidationError):
        erase_message(actor=dpo, message=message, reason="Retention")
    Message.objects.filter(pk=message.pk).update(status=Status.DELIVERED, delivered_at=timezone.now())

    erase_message(actor=dpo, message=message, reason="Retention: outbox message")

    message.refresh_from_db()
    assert (message.to, message.body, message.subject, message.personalisation) == ("", "", "", {})
    assert message.reference == "erase-me-1"
    entry = AuditEntry.objects.get(action=Action.ERASURE)
    assert entry.subject_type == "notifications.message"
    assert "ravi@example.org" not in str(entry.detail) and "charged" not in str(entry.detail)
    assert erase_message(actor=dpo, message=message, reason="again") == {}
    assert AuditEntry.objects.filter(action=Action.ERASURE).count() == 1
