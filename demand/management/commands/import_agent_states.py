"""Import handlers' telephony state changes (logged in, available, busy, wrap-up, logged out) from a CSV file."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demand import importers
from demand.services import record_agent_states


class Command(BaseCommand):
    help = "Import agent state changes (columns external_id, agent, state, at); re-imports add nothing twice."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file (gzip allowed)")
        parser.add_argument("--timezone", default=settings.TIME_ZONE,
                            help="zone of times written without an offset (default: %(default)s)")

    def handle(self, *args, **options):
        try:
            zone = ZoneInfo(options["timezone"])
        except Exception as error:
            raise CommandError(f"--timezone {options['timezone']!r} is not a known time zone.") from error
        path = options["path"]
        try:
            created, skipped = record_agent_states(records=importers.read_agent_states(path, zone=zone),
                                                   source="csv")
        except importers.ImportProblem as problem:
            raise CommandError(f"Nothing imported from {path}: {problem}") from problem
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {path}") from error
        self.stdout.write(f"{path}: {created} agent state changes added, {skipped} already present.")
