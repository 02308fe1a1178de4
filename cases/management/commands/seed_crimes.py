"""``manage.py seed_crimes --demo [--seed 42]``: crime records for the demo force's crime-reporting contacts."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.demo import seed_demo_crimes


class Command(BaseCommand):
    help = (
        "Give most of the demo force's crime-reporting contacts a crime record: recorded (a few late or still "
        "waiting), checked, closed with outcomes or cancelled with C-codes. Running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="seed the demo force's crimes (demo mode only)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")

    def handle(self, *args, demo: bool, seed: int, verbosity: int, **options):
        if not demo:
            raise CommandError("Give --demo: this command only seeds the demo force's crimes.")
        if not settings.DEMO:
            raise CommandError("--demo seeds made-up crimes: only in demo mode (FIRSTCONTACT_MODE=demo).")
        started = time.perf_counter()
        result = seed_demo_crimes(seed=seed)
        if verbosity:
            self.stdout.write(
                f"Recorded {result.crimes:,} demo crimes ({result.awaiting:,} awaiting classification, "
                f"{result.closed:,} closed, {result.cancelled:,} cancelled) and {result.audit_entries:,} audit "
                f"entries in {time.perf_counter() - started:.1f} s."
            )
