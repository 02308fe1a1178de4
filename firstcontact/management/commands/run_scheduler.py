"""``python manage.py run_scheduler``: run the periodic jobs of ``settings.SCHEDULE`` as they fall due."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from firstcontact import scheduling


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs (settings.SCHEDULE) when they are due, ticking until stopped. Several may run "
        "at once on PostgreSQL: each due run is claimed by one. --once runs what is due now and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run what is due now, then exit (for cron and tests).")
        parser.add_argument(
            "--tick", type=float, default=None,
            help=f"Seconds between looks at the schedule (default SCHEDULER_TICK_SECONDS, {settings.SCHEDULER_TICK_SECONDS}).",
        )

    def handle(self, *args: Any, once: bool, tick: float | None, **options: Any) -> None:
        try:
            jobs = scheduling.schedule()
        except Exception as error:
            raise CommandError(str(error)) from error
        if once:
            runs = scheduling.run_due(jobs=jobs)
            for run in runs:
                self.stdout.write(f"{run.job_name}: {run.get_outcome_display()}")
            failed = [run.job_name for run in runs if run.outcome != run.Outcome.OK]
            if not runs:
                self.stdout.write("Nothing was due.")
            if failed:
                raise CommandError(f"Failed: {', '.join(failed)} (see the scheduled jobs page).", returncode=1)
            return
        tick = settings.SCHEDULER_TICK_SECONDS if tick is None else tick
        if tick <= 0:
            raise CommandError("--tick must be a number of seconds above 0.")
        stop = threading.Event()

        def request_stop(signum, frame):
            # The job under way finishes and is recorded; a second signal stops at once.
            if stop.is_set():
                raise KeyboardInterrupt
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        for job in jobs:
            self.stdout.write(f"{job.name}: {job.what}, {job.when}")
        scheduling.run_forever(tick_seconds=tick, stop=stop, jobs=jobs)
