"""Import attendance times (when officers arrived at incidents) from a CSV file or a DECC CAD export."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demand import importers
from demand.services import record_attendance

FORMATS = {"firstcontact": importers.read_attendance, "decc-cad": importers.read_decc_cad_attendance}


class Command(BaseCommand):
    help = "Import attendance times (FirstContact attendance CSV or DECC CAD export); re-imports add nothing twice."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file (gzip allowed)")
        parser.add_argument("--format", choices=sorted(FORMATS), default="firstcontact")
        parser.add_argument("--timezone", default=settings.TIME_ZONE,
                            help="zone of times written without an offset (default: %(default)s)")

    def handle(self, *args, **options):
        try:
            zone = ZoneInfo(options["timezone"])
        except Exception as error:
            raise CommandError(f"--timezone {options['timezone']!r} is not a known time zone.") from error
        path = options["path"]
        try:
            created, skipped = record_attendance(records=FORMATS[options["format"]](path, zone=zone),
                                                 source=options["format"])
        except importers.ImportProblem as problem:
            raise CommandError(f"Nothing imported from {path}: {problem}") from problem
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {path}") from error
        self.stdout.write(f"{path}: {created} attendance events added, {skipped} already present.")
