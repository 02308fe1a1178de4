"""Two transactions queueing the same reference at once, and two workers after the same message (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Message, Status
from notifications.senders import Handover
from notifications.services import deliver_message, queue_message

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _queue(reference="race-1", name="Sam"):
    return queue_message(
        channel="email", to="sam@example.org", template="test_message",
        personalisation={"name": name}, reference=reference,
    )


def test_the_same_reference_from_two_transactions_at_once_makes_one_message():
    first_inserted, results, errors = threading.Event(), [], []
    release = threading.Event()

    def first():
        try:
            with transaction.atomic():
                results.append(("first", _queue(name="First").pk))
                first_inserted.set()
                release.wait(10)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def second():
        try:
            first_inserted.wait(10)
            with transaction.atomic():
                # Blocks on the unique index until the first commits, then finds its message.
                results.append(("second", _queue(name="Second").pk))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_inserted.wait(10)
    release.set()
    for thread in threads:
        thread.join(20)
    assert not errors
    assert Message.objects.count() == 1
    assert {pk for _, pk in results} == {Message.objects.get().pk}
    assert Message.objects.get().body.startswith("Hello First,")


class SlowSender:
    name = "slow"

    def __init__(self):
        self.sent = 0
        self.started = threading.Event()
        self.finish = threading.Event()

    def send(self, message):
        self.sent += 1
        self.started.set()
        self.finish.wait(10)
        return Handover(provider_id="once")


def test_two_workers_never_send_the_same_message():
    with transaction.atomic():
        message = _queue(reference="race-2")
    # The commit already delivered it through the test settings' sender; make it due again.
    Message.objects.filter(pk=message.pk).update(status=Status.QUEUED, attempts=0, next_attempt_at=timezone.now())
    sender = SlowSender()
    outcome = {}

    def worker():
        try:
            outcome["first"] = deliver_message(message_id=message.pk, sender=sender)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    sender.started.wait(10)
    outcome["second"] = deliver_message(message_id=message.pk, sender=sender)
    sender.finish.set()
    thread.join(20)
    assert outcome["second"] is None
    assert outcome["first"].status == Status.SENT
    assert sender.sent == 1
