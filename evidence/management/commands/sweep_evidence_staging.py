"""``manage.py sweep_evidence_staging``: clear the staged files of evidence uploads that were never finished.

For the scheduler (hourly). Removes the staging files (and the upload rows) of uploads that never
became exhibits and can no longer do so: the upload link expired or was used, or nothing has
arrived for ``EVIDENCE_STAGING_MAX_AGE_HOURS`` (24). A file in use is never removed (see
``evidence.services.sweep_staging``). It also finishes destructions whose file removal failed.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from tqdm import tqdm

from evidence import services


class Command(BaseCommand):
    help = ("Remove the staged files of evidence uploads never finished, never received, or whose link expired; "
            "--dry-run only lists them.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count and list what would be removed; remove nothing.")
        parser.add_argument("--max-age-hours", type=int, default=None,
                            help="Remove uploads untouched for this many hours (default EVIDENCE_STAGING_MAX_AGE_HOURS, 24).")
        parser.add_argument("--no-progress", action="store_true", help="Never show the progress bar.")

    def handle(self, *args: Any, dry_run: bool, max_age_hours: int | None, no_progress: bool, verbosity: int,
               **options):
        if max_age_hours is not None and max_age_hours < 1:
            raise CommandError(f"--max-age-hours must be 1 or more (got {max_age_hours})")
        max_age = timedelta(hours=max_age_hours) if max_age_hours else None
        show = not no_progress and sys.stderr.isatty()

        def progress(candidates):
            return tqdm(candidates, unit=" uploads", desc="Unfinished uploads", file=sys.stderr, disable=not show)

        sweep = services.sweep_staging(max_age=max_age, dry_run=dry_run, progress=progress)
        finished = 0 if dry_run else services.finish_destructions()
        if not verbosity:
            return
        verb = "would be removed" if dry_run else "removed"
        if verbosity > 1:
            for item in sweep.removed:
                self.stdout.write(f"{item.name}: {filesizeformat(item.size)}, {item.why} ({verb})")
        self.stdout.write(f"{len(sweep.removed)} staged file(s) {verb}, {filesizeformat(sweep.freed)} in all; "
                          f"{sweep.in_use} left because they are in use.")
        if finished:
            self.stdout.write(f"{finished} destroyed exhibit file(s) removed from storage after an earlier failure.")
