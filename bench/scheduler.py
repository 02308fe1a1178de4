#!/usr/bin/env python
"""The scheduler: what a tick costs, and what several schedulers at once do (PostgreSQL).

Usage (its own database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_sched_bench .venv/bin/python bench/scheduler.py \\
        --jobs 20 --seconds 10 --processes 2 4

1. Tick cost: ``run_due`` over the default schedule plus ``--jobs`` synthetic jobs, when nothing is
   due (what every scheduler pays every ``SCHEDULER_TICK_SECONDS``), and the claim-run-record cost
   of one due run of a no-op task enqueued for the workers.
2. Several schedulers at once: ``--processes`` processes tick for ``--seconds`` over ``--jobs`` jobs
   due every second. Counted: runs, and runs of a (job, due time) made more than once.

Anchor, in the same run: the same processes each keeping its own clock in memory (as a scheduler
library with an in-process job store does, or cron on each server), with the same jobs. The last
line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstcontact.settings")

NOOP = "bench.scheduler.noop_task"


import django  # noqa: E402

django.setup()

from django_tasks import task  # noqa: E402


@task()
def noop_task() -> None:
    """Does nothing: the bench measures the scheduler, not the job."""


def _entries(count: int) -> list[dict]:
    return [{"name": f"bench-{n:03d}", "task": NOOP, "every_seconds": 1} for n in range(count)]


def _reset() -> None:
    from scheduling.models import JobRun, ScheduledJob

    JobRun.objects.all().delete()
    ScheduledJob.objects.all().delete()


def tick_cost(jobs: int, ticks: int) -> dict:
    from django.conf import settings
    from django.utils import timezone

    from firstcontact import scheduling

    _reset()
    defaults = scheduling.parse_schedule(settings.SCHEDULE)
    synthetic = scheduling.parse_schedule(_entries(jobs))
    everything = defaults + synthetic
    now = timezone.now()
    scheduling.run_due(jobs=everything, now=now, me="bench")  # the first tick adds the rows and runs all
    idle, runs = [], []
    for _ in range(ticks):
        started = time.perf_counter()
        made = scheduling.run_due(jobs=everything, now=now, me="bench")
        idle.append((time.perf_counter() - started) * 1000)
        assert made == []
    one = scheduling.parse_schedule([{"name": "bench-one", "task": NOOP, "every_seconds": 1}])
    for n in range(ticks):
        started = time.perf_counter()
        made = scheduling.run_due(jobs=one, now=now + timedelta(seconds=n + 1), me="bench")
        runs.append((time.perf_counter() - started) * 1000)
        assert len(made) == 1
    return {
        "jobs_in_schedule": len(everything),
        "idle_tick_ms": {"median": round(statistics.median(idle), 2), "p95": round(sorted(idle)[int(0.95 * len(idle))], 2)},
        "one_due_run_ms": {"median": round(statistics.median(runs), 2), "p95": round(sorted(runs)[int(0.95 * len(runs))], 2)},
    }


def scheduler_process(mode: str, jobs: int, seconds: float, me: str) -> None:
    """One scheduler: ``claim`` is run_scheduler's tick; ``own-clock`` keeps its schedule in memory."""
    from django.db import close_old_connections
    from django.utils import timezone

    from firstcontact import scheduling
    from scheduling.models import JobRun

    schedule = scheduling.parse_schedule(_entries(jobs))
    end = time.monotonic() + seconds
    if mode == "claim":
        while time.monotonic() < end:
            scheduling.run_due(jobs=schedule, me=me)
            time.sleep(0.05)
    else:
        start = timezone.now().replace(microsecond=0)
        next_due = {job.name: start for job in schedule}
        while time.monotonic() < end:
            now = timezone.now()
            for job in schedule:
                if next_due[job.name] <= now:
                    noop_task.enqueue()
                    JobRun.objects.create(job_name=job.name, due_at=next_due[job.name], started_at=now,
                                          finished_at=timezone.now(), outcome=JobRun.Outcome.OK, scheduler=me)
                    next_due[job.name] = job.next_due(now, previous=next_due[job.name])
            time.sleep(0.05)
    close_old_connections()


def together(mode: str, processes: int, jobs: int, seconds: float) -> dict:
    from django.db.models import Count

    from scheduling.models import JobRun

    _reset()
    children = [
        subprocess.Popen([sys.executable, __file__, "--child", mode, "--jobs", str(jobs), "--seconds", str(seconds),
                          "--me", f"{mode}-{n}"])
        for n in range(processes)
    ]
    for child in children:
        if child.wait(seconds + 120) != 0:
            raise SystemExit(f"a {mode} scheduler failed")
    runs = JobRun.objects.count()
    repeated = sum(row["n"] - 1 for row in JobRun.objects.values("job_name", "due_at").annotate(n=Count("id"))
                   if row["n"] > 1)
    by_scheduler = dict(JobRun.objects.values_list("scheduler").annotate(n=Count("id")))
    return {"mode": mode, "processes": processes, "runs": runs, "runs_repeated": repeated,
            "runs_by_scheduler": by_scheduler}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--ticks", type=int, default=200)
    parser.add_argument("--processes", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--child", choices=["claim", "own-clock"])
    parser.add_argument("--me", default="")
    args = parser.parse_args()
    if args.child:
        scheduler_process(args.child, args.jobs, args.seconds, args.me)
        return

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("Run it on PostgreSQL: DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    result = {"tick": tick_cost(args.jobs, args.ticks), "together": []}
    print(json.dumps(result["tick"]))
    for processes in args.processes:
        for mode in ("claim", "own-clock"):
            row = together(mode, processes, args.jobs, args.seconds)
            print(json.dumps(row))
            result["together"].append(row)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
