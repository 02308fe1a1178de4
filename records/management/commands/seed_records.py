"""``manage.py seed_records --demo``: a few records due for retention review and one open subject access request."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from records.demo import seed_demo_records


class Command(BaseCommand):
    help = (
        "Add a few old persons and contacts to the demo force, queue what is due for retention review, and "
        "register one open subject access request. Running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="seed the demo force's records work (demo mode only)")

    def handle(self, *args, demo: bool, verbosity: int, **options):
        if not demo:
            raise CommandError("Give --demo: this command only seeds the demo force's records work.")
        if not settings.DEMO:
            raise CommandError("--demo seeds made-up records: only in demo mode (FIRSTCONTACT_MODE=demo).")
        try:
            result = seed_demo_records()
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        if verbosity:
            self.stdout.write(f"{result.queued} record(s) due for retention review; open subject access request "
                              f"{result.request}.")
