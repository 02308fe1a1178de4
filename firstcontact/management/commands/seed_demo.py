"""``manage.py seed_demo --seed 42 [--scale N] [--until YYYY-MM-DD] [--reset]``: load the demo force."""

from __future__ import annotations

import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from audit.context import audit_context
from firstcontact.demo.seed import (
    AlreadySeeded,
    build_force,
    existing_counts,
    is_seeded,
    reset_demo_force,
    seed_demo_force,
)
from firstcontact.demo.sources import DemoDataMissing


def _until(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--until must be a date as YYYY-MM-DD, not {value!r}.") from None


def _scale(value: str) -> float:
    try:
        scale = float(value)
    except ValueError:
        raise CommandError(f"--scale must be a number such as 1, 10 or 100, not {value!r}.") from None
    if not 0 < scale <= 1000:
        raise CommandError(f"--scale must be more than 0 and at most 1000, not {value}.")
    return scale


class Command(BaseCommand):
    help = (
        "Load the demo force: persons, addresses, households and two years of contacts, generated from a seed "
        "and shaped by the real data in FIRSTCONTACT_DATA_DIR. The same --seed and --until give identical data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--scale", default="1",
            help="Multiplies the default 5,000 persons and 10,000 contacts; 100 gives 500,000 and 1,000,000.",
        )
        parser.add_argument(
            "--until", default=None,
            help="The history ends at 00:00 (London time) on this date, YYYY-MM-DD (default: today).",
        )
        parser.add_argument(
            "--reset", action="store_true",
            help="Demo mode only: erase the demo force already loaded (audited) and seed again.",
        )

    def handle(self, *args, **options) -> None:
        scale = _scale(str(options["scale"]))
        until = _until(options["until"]) if options["until"] else timezone.localdate()
        quiet = options["verbosity"] == 0

        def progress(label: str, total: int):
            return tqdm(total=total, desc=label, unit=" rows", disable=quiet, leave=False, file=self.stderr._out)

        started = time.perf_counter()
        with audit_context(source="command"):
            if is_seeded():
                if not options["reset"]:
                    counts = ", ".join(f"{n:,} {name}" for name, n in existing_counts().items())
                    self.stdout.write(f"The demo force is already seeded ({counts}); nothing done. "
                                      "Use --reset to erase it and seed again (demo mode only).")
                    return
                if not settings.DEMO:
                    raise CommandError("--reset is only allowed in demo mode (FIRSTCONTACT_MODE=demo).")
                erased = reset_demo_force(progress=progress)
                self.stdout.write(f"Erased the previous demo force ({erased:,} erasure entries logged).")
            try:
                force = build_force(seed=options["seed"], until=until, scale=scale)
            except DemoDataMissing as exc:
                raise CommandError(str(exc)) from exc
            generated = time.perf_counter()
            try:
                result = seed_demo_force(force=force, seed=options["seed"], progress=progress)
            except AlreadySeeded:
                self.stdout.write("The demo force was seeded by another process meanwhile; nothing done.")
                return
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Seeded the demo force (seed {options['seed']}, history to {until.isoformat()}): "
            f"{result.persons:,} persons, {result.addresses:,} addresses, {result.memberships:,} household "
            f"memberships, {result.contacts:,} contacts, {result.contact_people:,} people in contacts, "
            f"{result.audit_entries:,} audit entries in {elapsed:.1f} s "
            f"(generation {generated - started:.1f} s)."
        ))
