"""``manage.py seed_investigations --demo [--seed 42]``: resolution queues and investigations for the demo force."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import ensure_demo_users
from cases.investigation_demo import seed_demo_investigations


class Command(BaseCommand):
    help = (
        "Put the demo force's recent open crimes into the resolution centres' queues and give some an "
        "investigation's history: plans, victim contact, reviews (some overdue), updates due, bureau tasks. "
        "Running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="seed the demo force's investigations (demo mode only)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")

    def handle(self, *args, demo: bool, seed: int, verbosity: int, **options):
        if not demo:
            raise CommandError("Give --demo: this command only seeds the demo force's investigations.")
        if not settings.DEMO:
            raise CommandError("--demo seeds made-up investigations: only in demo mode (FIRSTCONTACT_MODE=demo).")
        started = time.perf_counter()
        # The demo logins (resolver, supervisor) should have work of their own when the demo opens.
        ensure_demo_users()
        result = seed_demo_investigations(seed=seed)
        if verbosity:
            self.stdout.write(
                f"Queued {result.queued:,} demo crimes in the resolution centres and allocated {result.allocated:,} "
                f"with an investigation's history ({result.audit_entries_before:,} audit entries) in "
                f"{time.perf_counter() - started:.1f} s."
            )
