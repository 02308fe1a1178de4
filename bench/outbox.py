#!/usr/bin/env python
"""The outbox's cost: queueing beside a business change, and sending, against doing it directly.

Usage:
    bench/outbox.py --messages 300 --runs 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_bench_outbox bench/outbox.py   (a scratch database)

Anchors, measured in the same run on the same database:
- queueing: a bare ``Message.objects.create`` in its own transaction (what any model write costs)
  against ``queue_message`` (validation, template rendering, the disclosure entry in the audit
  chain, the task enqueued after commit);
- sending: the transport called directly (Django's ``EmailMessage.send`` to a real SMTP server;
  Notify's own client to a local server implementing Notify's API) against ``send_due_messages``
  through the same transport (claim, send, record).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

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
    try:
        for run in range(args.runs):
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
    per_message_ms = {k: round(statistics.median(v) / n * 1000, 3) for k, v in results.items()}
    summary = {
        "bench": "outbox", "database": django.db.connection.vendor, "messages": n, "runs": args.runs,
        "median_ms_per_message": per_message_ms,
        "ratio_queue_to_bare_insert": round(per_message_ms["queue_message"] / per_message_ms["bare_insert"], 2),
        "ratio_smtp_outbox_to_direct": round(per_message_ms["smtp_outbox"] / per_message_ms["smtp_direct"], 2),
        "ratio_notify_outbox_to_direct": round(per_message_ms["notify_outbox"] / per_message_ms["notify_direct"], 2),
        "unsent": unsent, "smtp_received": len(list(spool.glob("*.json"))),
        "notify_requests": len(notify.requests),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
