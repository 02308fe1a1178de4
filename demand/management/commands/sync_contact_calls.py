"""Count FirstContact's own 999, 101, chat and online contacts as call events (safe to run again)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demand.services import sync_contact_call_events


class Command(BaseCommand):
    help = ("Turn contacts recorded in FirstContact into call events; contacts already turned, or in an hour "
            "a telephony feed already reports for that queue, are left out (see docs/demand.md).")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="only contacts received in the last N days (default: all)")

    def handle(self, *args, **options):
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        since = timezone.now() - timedelta(days=days) if days else None
        counts = sync_contact_call_events(since=since)
        self.stdout.write(f"{counts['created']} call events made from contacts, {counts['present']} already present, "
                          f"{counts['covered']} left out as counted by the telephony feed.")
