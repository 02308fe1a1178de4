"""Import call events from a CSV file, or load the demo's real call data and forecast it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demand import importers
from demand.services import record_call_events
from demand.tasks import refresh_forecasts_task

FORMATS = {
    "firstcontact": importers.read_call_events,
    "decc-cad": importers.read_decc_cad,
    "decc-phone-hourly": importers.read_decc_phone_hourly,
}
DEMO_FILES = [
    ("decc-phone-hourly", "calls/decc_phone_hourly_2025-10-26_to_2025-12-13.csv.gz"),
    ("decc-cad", "calls/decc_cad_incidents_2025-08-24_to_2025-12-06.csv.gz"),
]


class Command(BaseCommand):
    help = ("Import call events (FirstContact CSV, DECC CAD or DECC hourly phone file); "
            "--demo loads the DECC files from the data directory and computes forecasts.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="CSV file (gzip allowed)")
        parser.add_argument("--format", choices=sorted(FORMATS), default="firstcontact")
        parser.add_argument("--timezone", default=settings.TIME_ZONE,
                            help="zone of times written without an offset (default: %(default)s)")
        parser.add_argument("--demo", action="store_true", help="load the demo's real call data and forecast it")
        parser.add_argument("--no-forecast", action="store_true", help="skip computing forecasts after a --demo load")

    def handle(self, *args, **options):
        try:
            zone = ZoneInfo(options["timezone"])
        except Exception as error:
            raise CommandError(f"--timezone {options['timezone']!r} is not a known time zone.") from error
        if options["demo"]:
            jobs = [(fmt, settings.DATA_DIR / name) for fmt, name in DEMO_FILES]
        elif options["path"]:
            jobs = [(options["format"], options["path"])]
        else:
            raise CommandError("Give a file to import, or --demo.")
        for fmt, path in jobs:
            try:
                created, skipped = record_call_events(records=FORMATS[fmt](path, zone=zone), source=fmt)
            except importers.ImportProblem as problem:
                raise CommandError(f"Nothing imported from {path}: {problem}") from problem
            except FileNotFoundError as error:
                raise CommandError(f"No such file: {path}") from error
            self.stdout.write(f"{path}: {created} call events added, {skipped} already present.")
        if options["demo"] and not options["no_forecast"]:
            # A backtest snapshot four weeks before the last call shows forecast accuracy at once.
            # Run in this process (not queued) so the demo's pages are populated when it starts.
            made = refresh_forecasts_task.call(backtest_weeks=4)
            self.stdout.write(f"{made} forecast snapshots computed.")
