"""Populate the demo force's demand pages: queue settings, attendance, contacts as calls, agents on the board."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demand import importers, selectors, services
from demand.importers import AgentStateRecord, AttendanceRecord
from demand.models import Queue, QueueSettings
from demand.tasks import refresh_forecasts_task

CAD_FILE = "calls/decc_cad_incidents_2025-08-24_to_2025-12-06.csv.gz"

# Demo assumptions for attendance at the demo force's own graded contacts (the real
# CAD file gives the shape: grade 1 police arrive in a median 5 minutes in that city;
# a county force is slower, more so in the country).
RURAL_SHARE = 0.3
ARRIVAL_MEDIAN_MINUTES = {(1, "urban"): 10.0, (1, "rural"): 15.0, (2, "urban"): 30.0, (2, "rural"): 40.0}
ARRIVAL_SPREAD = 0.5  # sigma of the log-normal arrival time
NOT_ATTENDED_SHARE = 0.04  # cancelled or resolved before anyone arrived
DEMO_AGENTS = 24
AGENT_STATE_SHARES = {"available": 0.3, "busy": 0.45, "wrap_up": 0.1, "logged_in": 0.05, "logged_out": 0.1}


def _stable_fraction(text: str) -> float:
    """A number in [0, 1) fixed by ``text``, so a contact keeps its area across runs."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 2**32


class Command(BaseCommand):
    help = ("Demo: store the queue settings, import the CAD file's attendance times, time the demo contacts' "
            "attendance, count contacts as call events and put handlers on the live board. Safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="required: this command only makes demo data")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--no-forecast", action="store_true", help="do not refresh forecasts afterwards")

    def handle(self, *args, **options):
        if not options["demo"]:
            raise CommandError("This command makes demo data; run it with --demo.")
        for queue in Queue.values:
            if not QueueSettings.objects.filter(queue=queue).exists():
                current = selectors.queue_settings(queue)
                services.save_queue_settings(queue=queue, actor=None, **{
                    name: getattr(current, name) for name in services.SETTINGS_FIELDS})
        path = settings.DATA_DIR / CAD_FILE
        if path.exists():
            created, skipped = services.record_attendance(
                records=importers.read_decc_cad_attendance(path, zone=timezone.get_current_timezone()),
                source="decc-cad")
            self.stdout.write(f"{path.name}: {created} attendance events added, {skipped} already present.")
        else:
            self.stdout.write(f"{path} not found: no CAD attendance imported.")
        created, skipped = services.record_attendance(records=self._contact_attendance(options["seed"]),
                                                      source="demo")
        self.stdout.write(f"Demo contacts: {created} attendance events added, {skipped} already present.")
        counts = services.sync_contact_call_events()
        self.stdout.write(f"{counts['created']} call events made from contacts, {counts['present']} already "
                          f"present, {counts['covered']} left out as counted by the telephony feed.")
        created, _ = services.record_agent_states(records=self._agent_states(options["seed"]), source="demo")
        self.stdout.write(f"{created} agent state changes added (the live board counts those of the last "
                          f"12 hours; run this again to refresh them).")
        if counts["created"] and not options["no_forecast"]:
            made = refresh_forecasts_task.call(backtest_weeks=4)
            self.stdout.write(f"{made} forecast snapshots computed.")

    def _contact_attendance(self, seed: int):
        rng = np.random.default_rng(seed)
        for contact in selectors.contacts_needing_attendance():
            reference = contact["reference"]
            area = "rural" if _stable_fraction(f"area:{reference}") < RURAL_SHARE else "urban"
            # Draws keyed by the reference, so a re-run gives every contact the same times.
            draw = np.random.default_rng([seed, int(hashlib.sha256(reference.encode()).hexdigest()[:8], 16)])
            received = contact["received_at"]
            arrived = None
            if draw.random() >= NOT_ATTENDED_SHARE:
                minutes = draw.lognormal(np.log(ARRIVAL_MEDIAN_MINUTES[(contact["grade"], area)]), ARRIVAL_SPREAD)
                arrived = received + timedelta(minutes=float(minutes))
            yield AttendanceRecord(external_id=f"contact:{reference}", incident=reference, grade=contact["grade"],
                                   area=area, received_at=received,
                                   dispatched_at=received + timedelta(minutes=float(rng.uniform(1, 4))),
                                   arrived_at=arrived)

    def _agent_states(self, seed: int):
        now = timezone.now()
        block = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
        rng = np.random.default_rng([seed, int(block.timestamp())])
        states, shares = list(AGENT_STATE_SHARES), list(AGENT_STATE_SHARES.values())
        for n in range(1, DEMO_AGENTS + 1):
            agent = f"agent-{n:02d}"
            signed_in = block - timedelta(hours=float(rng.uniform(1, 6)))
            yield AgentStateRecord(external_id=f"demo:{agent}:{block:%Y%m%d%H%M}:0", agent=agent,
                                   state="logged_in", at=signed_in)
            state = states[int(rng.choice(len(states), p=shares))]
            yield AgentStateRecord(external_id=f"demo:{agent}:{block:%Y%m%d%H%M}:1", agent=agent, state=state,
                                   at=block - timedelta(minutes=float(rng.uniform(0, 14))))
