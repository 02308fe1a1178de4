"""Send every message in the outbox that is due: new ones a worker missed, retries, abandoned sends."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications.services import send_due_messages


class Command(BaseCommand):
    help = "Send the outbox's due messages (run every minute from cron or a scheduler; safe to overlap)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="Most messages to try in this run (default 500).")

    def handle(self, *args, limit: int, **options):
        counts = send_due_messages(limit=limit)
        self.stdout.write(", ".join(f"{name} {count}" for name, count in counts.items()))
