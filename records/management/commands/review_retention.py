"""``manage.py review_retention``: put every record that reached its review date into the DPO's queue.

For the scheduler (daily). ``--dry-run`` counts what would be queued, by rule, and writes nothing.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from records import services
from records.models import RetentionRule


class Command(BaseCommand):
    help = "Queue records due for retention review (APP review, retention and disposal); --dry-run only counts."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count due records by rule; write nothing.")
        parser.add_argument("--date", help="Review as of this day (YYYY-MM-DD) instead of today.")
        parser.add_argument("--no-progress", action="store_true", help="Never show the progress bar.")

    def handle(self, *args: Any, dry_run: bool, date: str | None, no_progress: bool, verbosity: int, **options):
        today = None
        if date:
            try:
                today = _parse_day(date)
            except ValueError:
                raise CommandError(f"--date must be a real date as YYYY-MM-DD, for example 2026-06-01 (got {date!r})") from None
        show = not no_progress and sys.stderr.isatty()

        def progress(records):
            # The finders stream due records; the bar counts them as they are found and queued.
            return tqdm(records, unit=" records", desc="Due for review", file=sys.stderr, disable=not show)

        counts = services.find_due_records(today=today, dry_run=dry_run, progress=progress)
        titles = dict(RetentionRule.objects.values_list("code", "title"))
        verb = "would be queued" if dry_run else "queued"
        if verbosity:
            for code in sorted(counts):
                self.stdout.write(f"{titles.get(code, code)} ({code}): {counts[code]}")
            self.stdout.write(f"{sum(counts.values())} record(s) {verb} for retention review.")


def _parse_day(text: str) -> date:
    return date.fromisoformat(text)
