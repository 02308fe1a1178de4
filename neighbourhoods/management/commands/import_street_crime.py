"""Import data.police.uk street-level files: ``manage.py import_street_crime PATH…`` or ``--demo``."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Team
from neighbourhoods import demo
from neighbourhoods.services import StreetFileError, compute_team_hotspots, import_street_crime

DEMO_FILE = "crime/staffordshire_street_2025-01_to_2025-09.csv.gz"
SHOW_BAD_ROWS = 20


class Command(BaseCommand):
    help = "Import data.police.uk street-level crime and ASB files (CSV or .csv.gz, files or folders)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="street CSV files or folders of them")
        parser.add_argument(
            "--demo",
            action="store_true",
            help="import the demo force's file from the data folder, give the demo teams their areas "
            "and compute their hotspots",
        )

    def handle(self, *args, paths, demo: bool, verbosity: int, **options):
        if demo:
            if not settings.DEMO:
                raise CommandError("--demo creates the demo force's areas: only in demo mode (FIRSTCONTACT_MODE=demo).")
            paths = [str(settings.DATA_DIR / DEMO_FILE)]
        if not paths:
            raise CommandError("Give one or more street CSV files or folders, or --demo.")
        started = time.perf_counter()
        try:
            run = import_street_crime(paths=paths, progress=verbosity > 0)
        except (FileNotFoundError, StreetFileError) as error:
            raise CommandError(str(error)) from error
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Read {run.rows_read:,} rows from {len(run.files)} file(s) in {seconds:.1f} s: "
            f"{run.created:,} new, {run.duplicates:,} already imported, {len(run.bad_rows):,} refused."
        )
        for bad in run.bad_rows[:SHOW_BAD_ROWS]:
            self.stdout.write(f"  {bad['file']} line {bad['line']}: {bad['problem']}")
        if len(run.bad_rows) > SHOW_BAD_ROWS:
            self.stdout.write(f"  … and {len(run.bad_rows) - SHOW_BAD_ROWS} more (see import run {run.pk}).")
        if demo:
            self._demo_hotspots()

    def _demo_hotspots(self) -> None:
        areas = demo.assign_demo_areas()
        for team_name, codes in areas.items():
            team = Team.objects.get(name=team_name)
            hotspot_run = compute_team_hotspots(team=team)
            self.stdout.write(
                f"  {team_name}: {len(codes)} LSOAs, {hotspot_run.events:,} events "
                f"{hotspot_run.first_month}–{hotspot_run.last_month}, "
                f"{hotspot_run.cells.filter(significance='hot').count()} significant hot cells"
            )
