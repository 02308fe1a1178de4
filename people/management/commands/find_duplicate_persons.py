"""manage.py find_duplicate_persons: train the duplicate model on the index and fill the review queue."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from people import linkage
from people.duplicates import find_duplicate_persons
from people.models import DuplicateRun
from people.tasks import find_duplicate_persons_task


class Command(BaseCommand):
    help = "Find probable duplicate persons with Splink (weights trained on the index) and queue them for review."

    def add_arguments(self, parser):
        parser.add_argument(
            "--review-probability", type=float, default=linkage.REVIEW_PROBABILITY,
            help=f"Queue pairs at or above this match probability (default {linkage.REVIEW_PROBABILITY}).",
        )
        parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all cores).")
        parser.add_argument("--enqueue", action="store_true", help="Hand the run to the task workers instead.")
        parser.add_argument(
            "--demo", action="store_true",
            help="For the demo force (make demo-data): do nothing if a run has already finished.",
        )

    def handle(self, *args, review_probability: float, threads: int | None, enqueue: bool, demo: bool = False,
               **options):
        if not 0 < review_probability < 1:
            raise CommandError("--review-probability must be between 0 and 1, for example 0.5.")
        if demo and DuplicateRun.objects.filter(finished_at__isnull=False).exists():
            self.stdout.write("The duplicate search has already run; the review queue is as it left it.")
            return
        if enqueue:
            result = find_duplicate_persons_task.enqueue()
            self.stdout.write(f"Queued the duplicate search as task {result.id}.")
            return
        found = find_duplicate_persons(review_probability=review_probability, threads=threads)
        run = found.run
        self.stdout.write(
            f"Looked at {run.persons} persons; {run.pairs_scored} pairs at or above {review_probability}; "
            f"{found.queued} new in the review queue, {found.updated} pending pairs rescored."
        )
