"""``manage.py seed_notifications --demo [--seed 42]``: the demo force's outbox, every state shown."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.context import audit_context
from notifications.demo import seed_demo_messages


class Command(BaseCommand):
    help = (
        "Send the demo force's victims written acknowledgements of their recorded crimes through the outbox "
        "(to var/sent-messages, nowhere else): most delivered, some awaiting a receipt, retrying or failed. "
        "Running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="seed the demo force's outbox (demo mode only)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")

    def handle(self, *args, demo: bool, seed: int, verbosity: int, **options):
        if not demo:
            raise CommandError("Give --demo: this command only seeds the demo force's outbox.")
        if not settings.DEMO:
            raise CommandError("--demo sends made-up messages: only in demo mode (FIRSTCONTACT_MODE=demo).")
        # The demo's made-up failures would otherwise fill the terminal with the outbox's warnings.
        outbox_log = logging.getLogger("notifications")
        level = outbox_log.level
        if verbosity < 2:
            outbox_log.setLevel(logging.ERROR)
        try:
            with audit_context(source="command"):
                result = seed_demo_messages(seed=seed)
        finally:
            outbox_log.setLevel(level)
        if verbosity:
            states = ", ".join(f"{count} {status}" for status, count in result.by_status.items())
            self.stdout.write(
                f"Demo outbox: {result.queued} messages queued now, {result.already} already there; {states}. "
                f"Their texts are in {settings.NOTIFICATIONS_FILE_DIR}."
            )
