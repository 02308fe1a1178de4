"""Claiming due messages in batches with a lease: a batch is held by one sender until its lease
runs out, then whoever claims it next sends it, and the first sender does not send it again."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from notifications.models import Message, Status
from notifications.senders import FileSender
from notifications.services import claim_due_messages, send_claimed_messages, send_due_messages

pytestmark = pytest.mark.django_db


def _due_messages(count, prefix="batch"):
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            reference=f"{prefix}-{i}", channel="email", to=f"person{i}@example.org", template="test_message",
            personalisation={"name": f"P{i}"}, subject="A message", body=f"Hello P{i},",
            status=Status.QUEUED, next_attempt_at=now,
        )
        for i in range(count)
    )


def _written(directory):
    """Each reference the file sender wrote, with how many times."""
    text = "".join(path.read_text() for path in directory.iterdir())
    counts = {}
    for line in text.splitlines():
        if "(reference " in line:
            reference = line.rsplit("(reference ", 1)[1].rstrip(")")
            counts[reference] = counts.get(reference, 0) + 1
    return counts


def test_a_batch_is_leased_to_its_sender_and_the_next_claim_takes_the_next_messages():
    _due_messages(5)
    first = claim_due_messages(size=3)
    second = claim_due_messages(size=3)
    assert [m.reference for m in first] == ["batch-0", "batch-1", "batch-2"]
    assert [m.reference for m in second] == ["batch-3", "batch-4"]
    assert claim_due_messages(size=3) == []
    leased = Message.objects.get(reference="batch-0")
    assert leased.status == Status.SENDING and leased.attempts == 1 and leased.next_attempt_at > timezone.now()


def test_a_batch_whose_sender_died_is_claimed_again_when_its_lease_runs_out(settings, sent_messages_dir):
    settings.NOTIFICATIONS_SEND_LEASE_SECONDS = 1
    _due_messages(3)
    stranded = claim_due_messages(size=3)  # this sender stops here, as if its process had been killed
    assert send_due_messages(sender=FileSender()) == {"sent": 0, "delivered": 0, "retrying": 0, "failed": 0, "skipped": 0}
    time.sleep(1.1)
    counts = send_due_messages(sender=FileSender())
    assert counts["delivered"] == 3
    assert set(Message.objects.values_list("status", "attempts")) == {(Status.DELIVERED, 2)}
    # The first sender wakes up with its old batch: the messages are someone else's now; it sends none.
    assert send_claimed_messages(stranded, sender=FileSender())["skipped"] == 3
    assert _written(sent_messages_dir) == {"batch-0": 1, "batch-1": 1, "batch-2": 1}


def test_a_sender_whose_lease_ran_out_unclaimed_renews_it_and_sends_once(settings, sent_messages_dir):
    settings.NOTIFICATIONS_SEND_LEASE_SECONDS = 1
    _due_messages(2)
    batch = claim_due_messages(size=2)
    time.sleep(1.1)  # slow, but nobody took the messages meanwhile
    assert send_claimed_messages(batch, sender=FileSender())["delivered"] == 2
    assert set(Message.objects.values_list("status", "attempts")) == {(Status.DELIVERED, 1)}
    assert send_due_messages(sender=FileSender())["delivered"] == 0
    assert _written(sent_messages_dir) == {"batch-0": 1, "batch-1": 1}


def test_send_due_messages_goes_through_several_batches_up_to_its_limit(sent_messages_dir):
    _due_messages(7)
    assert send_due_messages(sender=FileSender(), batch_size=3, limit=5)["delivered"] == 5
    assert Message.objects.filter(status=Status.QUEUED).count() == 2
    assert send_due_messages(sender=FileSender(), batch_size=3)["delivered"] == 2
    assert sorted(_written(sent_messages_dir).values()) == [1] * 7
