"""Several schedulers at once on PostgreSQL: every due run is claimed, and run, by exactly one of them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from firstcontact import scheduling
from scheduling.models import JobRun, ScheduledJob

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOTE = "firstcontact.tests.scheduled_tasks.note_run_task"


def test_two_scheduler_threads_run_each_due_run_once(settings, tmp_path):
    """Two schedulers tick side by side for four seconds over five jobs due every second."""
    runs_file = tmp_path / "runs.txt"
    settings.SCHEDULE = [
        {"name": f"job-{n}", "task": NOTE, "kwargs": {"path": str(runs_file), "label": f"job-{n}", "seconds": 0.05},
         "every_seconds": 1}
        for n in range(5)
    ]
    stop, errors = threading.Event(), []
    start = threading.Barrier(2)

    def scheduler(me: str):
        try:
            start.wait(10)
            while not stop.is_set():
                scheduling.run_due(me=me)
                time.sleep(0.02)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, args=(f"scheduler-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join(20)
    assert not errors

    runs = list(JobRun.objects.values_list("job_name", "due_at", "scheduler", "outcome"))
    # No due time of any job was run twice, and every run that was recorded did its work once.
    assert len({(name, due) for name, due, _, _ in runs}) == len(runs)
    assert {outcome for *_, outcome in runs} == {JobRun.Outcome.OK}
    assert Counter(runs_file.read_text().splitlines()) == Counter(name for name, *_ in runs)
    # Each job ran about once a second (4 s: 4 or 5 times), and both schedulers took a share.
    per_job = Counter(name for name, *_ in runs)
    assert set(per_job) == {f"job-{n}" for n in range(5)}
    assert all(3 <= count <= 6 for count in per_job.values()), per_job
    assert {scheduler for _, _, scheduler, _ in runs} == {"scheduler-1", "scheduler-2"}


def test_two_scheduler_processes_started_together_run_each_job_once(tmp_path):
    """Two `run_scheduler --once` processes against one database, as two servers would start at once."""
    env = {k: v for k, v in os.environ.items() if k != "FIRSTCONTACT_TESTING"}
    db = django_settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env.update(
        SECRET_KEY="scheduler-test-" + "k" * 50,
        DATABASE_URL=f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        FIRSTCONTACT_VAR_DIR=str(tmp_path), SCHEDULE_DISABLED="find-duplicate-persons",
        PYTHONDONTWRITEBYTECODE="1",
    )
    command = [sys.executable, "manage.py", "run_scheduler", "--once"]
    processes = [
        subprocess.Popen(command, cwd=django_settings.BASE_DIR, env=env, stdout=subprocess.PIPE,  # noqa: S603
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs

    runs = list(JobRun.objects.values_list("job_name", "outcome", "scheduler"))
    # The jobs due at once on a first start (the repeating ones) ran once each, between the two.
    repeating = ["queue-routed-crimes", "seal-audit", "send-due-messages", "sweep-evidence-staging",
                 "sync-contact-calls"]
    assert sorted(name for name, *_ in runs) == repeating
    assert {outcome for _, outcome, _ in runs} == {JobRun.Outcome.OK}
    printed = [line for out, _ in outputs for line in out.splitlines() if line.endswith(": Succeeded")]
    assert len(printed) == len(repeating)
    assert all(row.next_run_at > timezone.now() for row in ScheduledJob.objects.all())
