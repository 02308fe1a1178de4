"""Several senders emptying the outbox at once on PostgreSQL, through a real SMTP server: each
message arrives exactly once, and a sender never waits on rows another sender is claiming."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Message, Status
from notifications.senders import SmtpSender
from notifications.services import send_due_messages

from .servers import SmtpServer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp(settings, tmp_path):
    server = SmtpServer(tmp_path)
    settings.NOTIFICATIONS_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


def _due_messages(count):
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            reference=f"many-{i}", channel="email", to=f"person{i}@example.org", template="test_message",
            personalisation={"name": f"P{i}"}, subject="A message", body=f"Hello P{i},",
            status=Status.QUEUED, next_attempt_at=now,
        )
        for i in range(count)
    )


class TogetherSender(SmtpSender):
    """The SMTP sender, whose first message in each worker waits until every worker holds a batch:
    so the run only passes if the workers really claimed and sent side by side."""

    def __init__(self, barrier):
        self.barrier = barrier
        self.local = threading.local()

    def send(self, message):
        if not getattr(self.local, "waited", False):
            self.local.waited = True
            self.barrier.wait()
        return super().send(message)


@pytest.mark.parametrize("workers", [2, 4])
def test_concurrent_senders_send_every_message_exactly_once(smtp, workers):
    total = 60
    _due_messages(total)
    sender = TogetherSender(threading.Barrier(workers, timeout=30))
    start = threading.Barrier(workers, timeout=30)
    results, errors = [], []

    def worker():
        try:
            start.wait()
            results.append(send_due_messages(sender=sender, batch_size=5))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    assert len(results) == workers and all(counts["sent"] > 0 for counts in results)
    assert sum(counts["sent"] for counts in results) == total
    assert sum(counts["skipped"] for counts in results) == 0
    received = Counter(mail["message"]["X-FirstContact-Reference"] for mail in smtp.received)
    assert received == Counter({f"many-{i}": 1 for i in range(total)})
    assert set(Message.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_a_sender_passes_over_rows_another_is_claiming_instead_of_waiting(smtp):
    _due_messages(6)
    locked, release = threading.Event(), threading.Event()

    def claiming_sender():
        # Another sender in the middle of its claim: the three oldest rows locked, not yet leased.
        try:
            with transaction.atomic():
                list(Message.objects.select_for_update().order_by("id")[:3])
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def our_sender():
        try:
            outcome["counts"] = send_due_messages(sender=SmtpSender(), batch_size=2)
        finally:
            connection.close()

    outcome = {}
    holder = threading.Thread(target=claiming_sender)
    holder.start()
    assert locked.wait(10)
    ours = threading.Thread(target=our_sender)
    ours.start()
    ours.join(20)
    finished_while_locked = not ours.is_alive()
    release.set()
    holder.join(10)
    ours.join(10)
    assert finished_while_locked
    assert outcome["counts"]["sent"] == 3
    assert sorted(mail["message"]["X-FirstContact-Reference"] for mail in smtp.received) == ["many-3", "many-4", "many-5"]
    assert Message.objects.filter(status=Status.QUEUED).count() == 3
