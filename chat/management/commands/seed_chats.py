"""``manage.py seed_chats --demo [--seed 42]``: transcripts on the demo force's chat contacts, and a queue."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.context import audit_context
from chat.demo import seed_chats


class Command(BaseCommand):
    help = "Add ended live chats with transcripts to the demo's chat contacts, and a few people waiting."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="work on the demo force (demo mode only)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")

    def handle(self, *args, demo: bool, seed: int, verbosity: int, **options):
        if not demo:
            raise CommandError("Give --demo: this command only adds chats to the demo force.")
        if not settings.DEMO:
            raise CommandError("--demo adds made-up chats: only in demo mode (FIRSTCONTACT_MODE=demo).")
        with audit_context(source="command"):
            result = seed_chats(seed=seed)
        if verbosity:
            self.stdout.write(f"Live chat demo: {result.ended} ended chats with transcripts, {result.waiting} waiting.")
