"""``python manage.py seal_audit``: chain the audit entries that wait in the staging table."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit import services


class Command(BaseCommand):
    help = (
        "Append committed audit entries that are still staged to the hash chain. Writers seal after "
        "each commit; this catches what a busy moment left behind. Safe to run at any time and in parallel."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=0, metavar="SECONDS",
            help="Keep running, sealing every SECONDS (default: once, then exit).",
        )

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        if every < 0:
            raise CommandError("--every must be a number of seconds of 0 or more.")
        while True:
            sealed = services.seal_pending()
            if options["verbosity"] > 1 or (sealed and not every):
                self.stdout.write(f"Sealed {sealed} audit entries; {services.staged_count()} waiting.")
            if not every:
                return
            time.sleep(every)
