"""``manage.py seed_call_taking --demo [--seed 42]``: THRIVE, grades, outcomes and DASH on the demo's latest contacts."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.context import audit_context
from contacts.demo import seed_call_taking


class Command(BaseCommand):
    help = "Assess, grade and resolve the demo force's latest contacts, so the call-taking pages show data."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="work on the demo force (demo mode only)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")

    def handle(self, *args, demo: bool, seed: int, verbosity: int, **options):
        if not demo:
            raise CommandError("Give --demo: this command only adds call-taking data to the demo force.")
        if not settings.DEMO:
            raise CommandError("--demo adds made-up assessments: only in demo mode (FIRSTCONTACT_MODE=demo).")
        with audit_context(source="command"):
            result = seed_call_taking(seed=seed)
        if verbosity:
            self.stdout.write(
                f"Call-taking demo: {result.assessed} THRIVE assessments, {result.graded} grades, "
                f"{result.outcomes} outcomes, {result.dash} DASH checklists."
            )
