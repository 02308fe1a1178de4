"""Retries with back-off, the final failure, and staff sending a failed message again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from notifications.models import Message, Status
from notifications.senders import Handover, PermanentFailure, TemporaryFailure
from notifications.services import (
    deliver_message,
    queue_message,
    retry_delay,
    retry_message,
    send_due_messages,
)

pytestmark = pytest.mark.django_db


class ScriptedSender:
    """Answers each try with the next outcome in its script (an exception class or "ok")."""

    name = "scripted"

    def __init__(self, *script):
        self.script = list(script)
        self.tries = 0

    def send(self, message):
        self.tries += 1
        outcome = self.script.pop(0) if self.script else "ok"
        if outcome == "ok":
            return Handover(provider_id="accepted")
        raise outcome("provider said no")


@pytest.fixture
def message(settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 3600
    with transaction.atomic():
        return queue_message(
            channel="email", to="a@example.org", template="test_message",
            personalisation={"name": "A", "force_name": "Demo"}, reference="retry-1",
        )


def _make_due(message):
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_the_delay_doubles_from_the_base_up_to_the_cap(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 300
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 300, 300]


def test_a_temporary_failure_waits_then_succeeds(message):
    sender = ScriptedSender(TemporaryFailure)
    before = timezone.now()
    result = deliver_message(message_id=message.pk, sender=sender)
    assert result.status == Status.QUEUED and result.attempts == 1
    assert "provider said no" in result.last_error
    assert result.next_attempt_at >= before + timedelta(seconds=60)
    # Not due yet: a second run does nothing.
    assert send_due_messages(sender=sender)["sent"] == 0 and sender.tries == 1
    _make_due(message)
    assert send_due_messages(sender=sender)["sent"] == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2 and message.last_error == ""


def test_after_the_last_try_the_message_is_failed(message):
    sender = ScriptedSender(TemporaryFailure, TemporaryFailure, TemporaryFailure, TemporaryFailure)
    for _ in range(3):
        _make_due(message)
        deliver_message(message_id=message.pk, sender=sender)
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.attempts == 3 and message.failed_at
    _make_due(message)
    assert deliver_message(message_id=message.pk, sender=sender) is None
    assert sender.tries == 3


def test_a_permanent_failure_is_not_retried(message):
    sender = ScriptedSender(PermanentFailure)
    result = deliver_message(message_id=message.pk, sender=sender)
    assert result.status == Status.FAILED and result.attempts == 1


def test_staff_can_send_a_failed_message_again(message, make_user, django_capture_on_commit_callbacks, monkeypatch):
    deliver_message(message_id=message.pk, sender=ScriptedSender(PermanentFailure))
    sender = ScriptedSender()
    monkeypatch.setattr("notifications.senders.configured_sender", lambda: sender)
    manager = make_user("contact-centre-manager", username="mgr1")
    with django_capture_on_commit_callbacks(execute=True):
        retry_message(message_id=message.pk, actor=manager)
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 1 and sender.tries == 1


def test_a_send_abandoned_by_a_crashed_worker_is_picked_up_after_its_lease(message, settings):
    # A worker that claimed the message and died: status "sending", lease ran out.
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING, attempts=1, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    sender = ScriptedSender()
    assert send_due_messages(sender=sender)["sent"] == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2


def test_a_message_being_sent_is_not_taken_twice(message):
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING, attempts=1, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert deliver_message(message_id=message.pk, sender=ScriptedSender()) is None


def test_the_command_sends_due_messages(message, settings, tmp_path, capsys):
    settings.NOTIFICATIONS_SENDER = "file"
    settings.NOTIFICATIONS_FILE_DIR = tmp_path
    call_command("send_due_messages")
    assert "delivered 1" in capsys.readouterr().out
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "a@example.org" in written and "Hello A," in written
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
