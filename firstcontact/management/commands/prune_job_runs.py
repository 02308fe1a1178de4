"""``python manage.py prune_job_runs``: forget scheduled job runs older than the keeping period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scheduling.models import JobRun


class Command(BaseCommand):
    help = "Delete the record of scheduled job runs that started more than --days ago (default SCHEDULER_KEEP_RUNS_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep runs this many days (at least 1).")

    def handle(self, *args: Any, days: int | None, **options: Any) -> None:
        days = settings.SCHEDULER_KEEP_RUNS_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be a whole number of at least 1.")
        # A run still marked running is kept whatever its age: it is evidence of a scheduler that died.
        deleted, _ = (
            JobRun.objects.filter(started_at__lt=timezone.now() - timedelta(days=days))
            .exclude(outcome=JobRun.Outcome.RUNNING)
            .delete()
        )
        self.stdout.write(f"Deleted {deleted} job run{'s' if deleted != 1 else ''} older than {days} days.")
