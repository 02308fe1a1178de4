"""``manage.py seed_appointments_quality --demo [--seed 42]``: appointments, a month of call-quality audits, a triage queue."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.context import audit_context
from contacts.demo import seed_appointments_and_quality


class Command(BaseCommand):
    help = "Give the demo force appointment slots and bookings, last month's call-quality audit and a triage queue."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="work on the demo force (demo mode only)")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")

    def handle(self, *args, demo: bool, seed: int, verbosity: int, **options):
        if not demo:
            raise CommandError("Give --demo: this command only adds appointments and audits to the demo force.")
        if not settings.DEMO:
            raise CommandError("--demo adds made-up bookings and audits: only in demo mode (FIRSTCONTACT_MODE=demo).")
        with audit_context(source="command"):
            result = seed_appointments_and_quality(seed=seed)
        if verbosity:
            self.stdout.write(
                f"Appointments demo: {result.patterns} patterns, {result.slots} new slots, {result.booked} booked "
                f"({result.moved} moved, {result.cancelled} cancelled); call quality: {result.sampled} contacts "
                f"sampled, {result.scored} scored; {result.awaiting} contacts waiting for triage."
            )
