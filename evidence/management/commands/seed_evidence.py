"""``manage.py seed_evidence --demo``: exhibits, statements, a CCTV upload and a package on demo crimes."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from evidence.demo import seed_demo_evidence


class Command(BaseCommand):
    help = (
        "Give the newest open demo crimes photos, call extracts, receipts and witness statements; one gets CCTV "
        "sent by a business through an upload link and an evidential package. Running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="seed the demo force's evidence (demo mode only)")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000/", help="the address upload links point at")

    def handle(self, *args, demo: bool, base_url: str, verbosity: int, **options):
        if not demo:
            raise CommandError("Give --demo: this command only seeds the demo force's evidence.")
        if not settings.DEMO:
            raise CommandError("--demo seeds made-up evidence: only in demo mode (FIRSTCONTACT_MODE=demo).")
        started = time.perf_counter()
        result = seed_demo_evidence(base_url=base_url)
        if verbosity:
            self.stdout.write(
                f"Gave {result.crimes} demo crimes {result.exhibits} exhibits, {result.statements} statements and "
                f"{result.packages} evidential package(s) in {time.perf_counter() - started:.1f} s."
            )
