#!/usr/bin/env python
"""The outbox's cost: queueing beside a business change, and sending, against doing it directly.

Usage:
    bench/outbox.py --messages 300 --runs 3
    bench/outbox.py --messages 300 --runs 3 --senders 1,2,4 [--senders-only] [--transport smtp|file]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_bench_outbox bench/outbox.py   (a scratch database)

Anchors, measured in the same run on the same database:
- queueing: a bare ``Message.objects.create`` in its own transaction (what any model write costs)
  against ``queue_message`` (validation, template rendering, the disclosure entry in the audit
  chain, the task enqueued after commit);
- sending: the transport called directly (Django's ``EmailMessage.send`` to a real SMTP server;
  Notify's own client to a local server implementing Notify's API) against ``send_due_messages``
  through the same transport (claim, send, record).
- several senders (``--senders 1,2,4``): that many processes, each with its own connection, empty
  an outbox of ``--messages`` due messages through the same transport at once; messages a second
  is the whole outbox over the wall time from their common start until the last one finishes.
  "before" is the claiming the outbox had before batches (``send_due_messages`` listed the due ids
  and each worker took them one by one with a conditional UPDATE, as ``deliver_message`` still
  does), "after" is ``send_due_messages`` claiming leased batches (SKIP LOCKED on PostgreSQL). Each
  message must arrive exactly once; the claims a sender lost to another are counted as wasted.
  ``--senders-only`` skips the single-sender measurements above.
Migrates a fresh SQLite database in a temporary directory unless DATABASE_URL is set. Prints a
JSON line last.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstcontact.settings")
# As in production: a django-tasks task row per message after commit, sent by the worker (here by
# send_due_messages), not inline in the request as the demo does.
os.environ["NOTIFICATIONS_DELIVERY"] = "task"
if not os.environ.get("DATABASE_URL"):
    os.environ["FIRSTCONTACT_VAR_DIR"] = tempfile.mkdtemp(prefix="fc-bench-outbox-")


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _one_by_one(limit, sender):
    """Before batches: list the due ids, then claim and send each with one conditional UPDATE."""
    from django.utils import timezone

    from notifications.models import Message, Status
    from notifications.services import deliver_message

    counts = {"sent": 0, "skipped": 0}
    due_ids = list(
        Message.objects.filter(status__in=[Status.QUEUED, Status.SENDING], next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for message_id in due_ids:
        message = deliver_message(message_id=message_id, sender=sender)
        counts["skipped" if message is None else "sent"] += 1
    return counts


def _sender_process(mode, limit, transport, barrier, results):
    """One worker: its own database connection (opened after the fork), then the outbox emptied."""
    from notifications.senders import FileSender, SmtpSender
    from notifications.services import send_due_messages

    sender = SmtpSender() if transport == "smtp" else FileSender()
    barrier.wait()
    if mode == "before":
        counts = _one_by_one(limit, sender)
    else:
        counts = send_due_messages(limit=limit, sender=sender)
        counts = {"sent": counts["sent"] + counts["delivered"], "skipped": counts["skipped"]}
    results.put(counts)
    from django.db import connections

    connections.close_all()


def _senders_run(n_senders, mode, n, transport, label):
    """Queue ``n`` due messages, let ``n_senders`` processes send them; (seconds, wasted claims)."""
    import multiprocessing

    from django.db import connections
    from django.utils import timezone

    from notifications.models import Message, Status

    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            reference=f"{label}-{i}", channel="email", to=f"bench{i}@example.org", template="test_message",
            personalisation={"name": "Bench"}, subject="A message", body="Hello Bench,",
            status=Status.QUEUED, next_attempt_at=now,
        )
        for i in range(n)
    )
    due = Message.objects.filter(status__in=[Status.QUEUED, Status.SENDING], next_attempt_at__lte=now).count()
    assert due == n, f"{due} messages due, expected {n}: the database holds other due messages"
    connections.close_all()  # each child opens its own
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(n_senders + 1), context.Queue()
    processes = [
        context.Process(target=_sender_process, args=(mode, n, transport, barrier, results))
        for _ in range(n_senders)
    ]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    counts = [results.get(timeout=1800) for _ in processes]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
        assert process.exitcode == 0, f"a sender process failed ({process.exitcode})"
    sent = sum(c["sent"] for c in counts)
    assert sent == n, f"{mode} with {n_senders} senders sent {sent} of {n}"
    return elapsed, sum(c["skipped"] for c in counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--senders", default="", help="comma-separated numbers of concurrent senders, e.g. 1,2,4")
    parser.add_argument("--senders-only", action="store_true", help="measure only the concurrent senders")
    parser.add_argument("--transport", choices=("smtp", "file"), default="smtp",
                        help="what the concurrent senders send through (default the SMTP server)")
    args = parser.parse_args()
    sender_counts = [int(x) for x in args.senders.split(",") if x.strip()]
    if args.senders_only and not sender_counts:
        parser.error("--senders-only needs --senders")

    import django

    django.setup()
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from notifications_python_client.notifications import NotificationsAPIClient

    from notifications.models import Message
    from notifications.services import queue_message, send_due_messages
    from notifications.tests.servers import LocalNotify, SmtpServer
    from people.services import record_person

    call_command("migrate", verbosity=0)
    Message.objects.filter(reference__startswith="bench-").delete()
    with transaction.atomic():
        person = record_person(actor=None, given_name="Bench", family_name="Victim", email="bench@example.org")
    n = args.messages
    tag = f"{int(time.time())}"

    def bare(run):
        for i in range(n):
            with transaction.atomic():
                Message.objects.create(
                    reference=f"bench-bare-{tag}-{run}-{i}", channel="email", to="bench@example.org",
                    template="test_message", personalisation={"name": "Bench"}, subject="A message",
                    body="Hello Bench,", next_attempt_at=timezone.now(), status="delivered",
                )

    def queued(run, prefix):
        for i in range(n):
            with transaction.atomic():
                queue_message(
                    channel="email", to="bench@example.org", template="test_message",
                    personalisation={"name": "Bench"}, reference=f"{prefix}-{tag}-{run}-{i}", person_id=person.pk,
                    reason="Benchmark",
                )

    results: dict[str, list[float]] = {k: [] for k in (
        "bare_insert", "queue_message", "smtp_direct", "smtp_outbox", "notify_direct", "notify_outbox")}
    spool = Path(tempfile.mkdtemp(prefix="fc-bench-smtp-"))
    smtp = SmtpServer(spool)
    notify = LocalNotify()
    server = notify.serve()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.NOTIFY_API_KEY, settings.NOTIFY_BASE_URL = notify.api_key, notify.base_url
    settings.NOTIFY_GENERIC_TEMPLATE_IDS = {"email": "3c1f7b0e-5b64-4f3a-9f0e-5c2d8f1a0e11", "sms": ""}
    several: dict[str, dict[int, list[float]]] = {"before": {k: [] for k in sender_counts},
                                                  "after": {k: [] for k in sender_counts}}
    wasted: dict[str, dict[int, int]] = {"before": dict.fromkeys(sender_counts, 0), "after": dict.fromkeys(sender_counts, 0)}
    file_dir = Path(tempfile.mkdtemp(prefix="fc-bench-files-"))
    settings.NOTIFICATIONS_FILE_DIR = file_dir
    received_before = len(list(spool.glob("*.json")))
    try:
        for run in range(args.runs):
            for count in sender_counts:
                for mode in ("before", "after"):
                    elapsed, lost = _senders_run(count, mode, n, args.transport, f"bench-senders-{tag}-{run}-{mode}-{count}")
                    several[mode][count].append(elapsed)
                    wasted[mode][count] += lost
                    print(f"run {run + 1}: {mode}, {count} senders: {n / elapsed:.1f} messages/s, "
                          f"{lost} claims lost", file=sys.stderr, flush=True)
            if args.senders_only:
                continue
            results["bare_insert"].append(_timed(lambda run=run: bare(run)))
            # Queue the messages each outbox run will send; the queueing itself is the measured part.
            results["queue_message"].append(_timed(lambda run=run: queued(run, "bench-smtp")))

            def smtp_direct():
                for _ in range(n):
                    EmailMessage("A message", "Hello Bench,", settings.NOTIFICATIONS_FROM_EMAIL, ["bench@example.org"],
                                 connection=get_connection("django.core.mail.backends.smtp.EmailBackend")).send()

            results["smtp_direct"].append(_timed(smtp_direct))
            settings.NOTIFICATIONS_SENDER = "smtp"
            results["smtp_outbox"].append(_timed(lambda: send_due_messages(limit=n)))

            client = NotificationsAPIClient(notify.api_key, base_url=notify.base_url)

            def notify_direct(client=client):
                for i in range(n):
                    client.send_email_notification(
                        email_address="bench@example.org", template_id="3c1f7b0e-5b64-4f3a-9f0e-5c2d8f1a0e11",
                        personalisation={"subject": "A message", "body": "Hello Bench,"}, reference=f"direct-{i}",
                    )

            results["notify_direct"].append(_timed(notify_direct))
            queued(run, "bench-notify")
            settings.NOTIFICATIONS_SENDER = "notify"
            results["notify_outbox"].append(_timed(lambda: send_due_messages(limit=n)))
    finally:
        smtp.stop()
        server.shutdown()
    unsent = Message.objects.filter(reference__startswith="bench-").exclude(status__in=["sent", "delivered"]).count()
    summary = {"bench": "outbox", "database": django.db.connection.vendor, "messages": n, "runs": args.runs}
    if not args.senders_only:
        per_message_ms = {k: round(statistics.median(v) / n * 1000, 3) for k, v in results.items()}
        summary.update({
            "median_ms_per_message": per_message_ms,
            "ratio_queue_to_bare_insert": round(per_message_ms["queue_message"] / per_message_ms["bare_insert"], 2),
            "ratio_smtp_outbox_to_direct": round(per_message_ms["smtp_outbox"] / per_message_ms["smtp_direct"], 2),
            "ratio_notify_outbox_to_direct": round(per_message_ms["notify_outbox"] / per_message_ms["notify_direct"], 2),
        })
    summary.update({"unsent": unsent, "smtp_received": len(list(spool.glob("*.json"))),
                    "notify_requests": len(notify.requests)})
    if sender_counts:
        summary["senders"] = {
            "transport": args.transport,
            "median_messages_per_second": {
                mode: {str(k): round(n / statistics.median(v), 1) for k, v in by_count.items()}
                for mode, by_count in several.items()
            },
            "claims_lost": {mode: {str(k): v for k, v in by_count.items()} for mode, by_count in wasted.items()},
            "each_received_once": _each_once(spool, file_dir, args.transport, f"bench-senders-{tag}-",
                                             n * args.runs * len(sender_counts) * 2, received_before),
        }
    print(json.dumps(summary))


def _each_once(spool, file_dir, transport, prefix, expected, received_before):
    """Whether every concurrent-senders message reached the transport exactly once."""
    import collections
    import email

    seen = collections.Counter()
    if transport == "smtp":
        for path in spool.glob("*.json"):
            data = json.loads(path.read_text())["data"]
            reference = email.message_from_string(data).get("X-FirstContact-Reference", "")
            if reference.startswith(prefix):
                seen[reference] += 1
    else:
        for path in file_dir.iterdir():
            for line in path.read_text().splitlines():
                if f"(reference {prefix}" in line:
                    seen[line.rsplit("(reference ", 1)[1].rstrip(")")] += 1
    return len(seen) == expected and set(seen.values()) == {1}


if __name__ == "__main__":
    main()
