"""Periodic jobs: the schedule declared in settings, and the tick that runs what is due.

``settings.SCHEDULE`` lists the jobs. Each has a name, what to run (a management command with its
arguments, or the dotted path of a django-tasks task that is enqueued for the workers) and when
(every so many seconds or minutes, or daily at a UK local time). ``manage.py run_scheduler`` calls
:func:`run_due` every few seconds.

Several schedulers may run at once, on one machine or many. Each due run is claimed once: the
job's row is locked with ``SELECT … FOR UPDATE SKIP LOCKED`` (on SQLite, whose transactions here
begin IMMEDIATE, the whole claim is serialised instead) and its ``next_run_at`` is moved past now
before the lock is released, so a second scheduler finds nothing due. A run missed while every
scheduler was down runs once when one starts, not once per missed time.
"""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command, get_commands
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from audit.context import audit_context

logger = logging.getLogger("firstcontact.scheduling")

LOCAL_TIME = ZoneInfo("Europe/London")
MESSAGE_LIMIT = 4000  # characters of a run's output kept: the end, where errors and totals are
_DAILY_AT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_KEYS = {"name", "command", "task", "kwargs", "every_seconds", "every_minutes", "daily_at"}


@dataclass(frozen=True)
class Job:
    """One periodic job: what it runs and when. Exactly one of ``command``/``task``, one of ``every``/``daily_at``."""

    name: str
    command: tuple[str, ...] = ()
    task: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    every: timedelta | None = None
    daily_at: time | None = None

    @property
    def what(self) -> str:
        """What the job runs, as an operator would type it."""
        if self.command:
            return "manage.py " + " ".join(self.command)
        args = ", ".join(f"{key}={value!r}" for key, value in self.kwargs.items())
        return f"task {self.task}({args})"

    @property
    def when(self) -> str:
        """When the job runs, in words ("every 5 minutes", "daily at 03:30 UK time")."""
        if self.daily_at is not None:
            return f"daily at {self.daily_at:%H:%M} UK time"
        seconds = int(self.every.total_seconds())
        if seconds % 60 == 0:
            minutes = seconds // 60
            return "every minute" if minutes == 1 else f"every {minutes} minutes"
        return f"every {seconds} seconds"

    def first_due(self, now: datetime) -> datetime:
        """When a job new to the database is first due: at once if it repeats, at its time if daily."""
        if self.daily_at is None:
            return now
        return self.next_due(now, previous=now)

    def next_due(self, now: datetime, *, previous: datetime) -> datetime:
        """The first due time after ``now``, keeping the job's rhythm from ``previous``.

        Times missed while no scheduler ran are skipped, not queued: a job due every minute that
        was down for an hour runs once on start, then on its minute again.
        """
        if self.daily_at is not None:
            local_now = now.astimezone(LOCAL_TIME)
            candidate = datetime.combine(local_now.date(), self.daily_at, tzinfo=LOCAL_TIME)
            while candidate <= now:
                # Built from the local date each time, so the hour stays put across a clock change.
                candidate = datetime.combine(
                    candidate.date() + timedelta(days=1), self.daily_at, tzinfo=LOCAL_TIME
                )
            return candidate
        if previous > now:
            return previous
        missed = (now - previous) // self.every + 1
        return previous + missed * self.every


def _error(index: int, entry: Any, problem: str) -> ImproperlyConfigured:
    name = entry.get("name") if isinstance(entry, dict) else None
    label = f"SCHEDULE entry {index + 1}" + (f" ({name!r})" if name else "")
    return ImproperlyConfigured(f"{label}: {problem}")


def parse_schedule(raw: Sequence[Any]) -> list[Job]:
    """Turn ``settings.SCHEDULE`` into jobs, refusing any entry that is ambiguous or malformed.

    A bad entry stops start-up with a message naming the entry and what is accepted, as every
    other setting does.
    """
    jobs: list[Job] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise _error(index, entry, "must be a dict with name, command or task, and every_… or daily_at.")
        unknown = set(entry) - _KEYS
        if unknown:
            raise _error(index, entry, f"unknown key(s) {', '.join(sorted(unknown))}; accepted: "
                         f"{', '.join(sorted(_KEYS))}.")
        name = entry.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise _error(index, entry, "name must be lower-case letters, digits and hyphens (at most 80).")
        if name in seen:
            raise _error(index, entry, f"the name {name!r} is used twice; each job needs its own.")
        seen.add(name)

        command, task = entry.get("command"), entry.get("task")
        if (command is None) == (task is None):
            raise _error(index, entry, "give exactly one of command (a list: name and arguments) or task (a dotted path).")
        if command is not None and (
            not isinstance(command, list | tuple) or not command or not all(isinstance(a, str) for a in command)
        ):
            raise _error(index, entry, "command must be a list of strings: the command's name, then its arguments.")
        if task is not None and (not isinstance(task, str) or "." not in task):
            raise _error(index, entry, "task must be the dotted path of a django-tasks task, e.g. app.tasks.name_task.")
        kwargs = entry.get("kwargs", {})
        if not isinstance(kwargs, dict) or (kwargs and task is None):
            raise _error(index, entry, "kwargs must be a dict, and only goes with task.")

        timings = [key for key in ("every_seconds", "every_minutes", "daily_at") if key in entry]
        if len(timings) != 1:
            raise _error(index, entry, "give exactly one of every_seconds, every_minutes or daily_at.")
        every = daily_at = None
        if timings[0] == "daily_at":
            match = _DAILY_AT.match(str(entry["daily_at"]))
            if not match:
                raise _error(index, entry, f"daily_at must be a 24-hour time HH:MM, e.g. 03:30, "
                             f"not {entry['daily_at']!r}.")
            daily_at = time(int(match[1]), int(match[2]))
        else:
            amount = entry[timings[0]]
            if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
                raise _error(index, entry, f"{timings[0]} must be a whole number of at least 1, not {amount!r}.")
            every = timedelta(seconds=amount) if timings[0] == "every_seconds" else timedelta(minutes=amount)
        jobs.append(Job(name=name, command=tuple(command or ()), task=task or "", kwargs=dict(kwargs),
                        every=every, daily_at=daily_at))
    return jobs


def schedule() -> list[Job]:
    """The jobs in ``settings.SCHEDULE``, less those named in ``SCHEDULE_DISABLED``."""
    disabled = set(getattr(settings, "SCHEDULE_DISABLED", ()))
    return [job for job in parse_schedule(getattr(settings, "SCHEDULE", [])) if job.name not in disabled]


def missing(job: Job) -> str:
    """Why the job cannot run in this installation ("" if it can): a command or task that does not exist.

    A job may name a command another part of the product adds later; until it exists the job is
    skipped with a warning rather than failing every time.
    """
    if job.command:
        return "" if job.command[0] in get_commands() else f"there is no management command {job.command[0]!r}"
    try:
        import_string(job.task)
    except ImportError:
        return f"there is no task {job.task!r}"
    return ""


def scheduler_id() -> str:
    """Names this scheduler process in the record of runs: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _sync_jobs(jobs: Iterable[Job], now: datetime) -> None:
    from scheduling.models import ScheduledJob

    rows = {row.name: row for row in ScheduledJob.objects.filter(name__in=[job.name for job in jobs])}
    new = [ScheduledJob(name=job.name, when=job.when, next_run_at=job.first_due(now))
           for job in jobs if job.name not in rows]
    if new:
        # Two schedulers starting together both try to add the rows: the second adds nothing.
        ScheduledJob.objects.bulk_create(new, ignore_conflicts=True)
    for job in jobs:
        row = rows.get(job.name)
        if row is not None and row.when != job.when:
            # The schedule was changed in settings: work the next time out again from the new one.
            ScheduledJob.objects.filter(pk=row.pk, when=row.when).update(when=job.when, next_run_at=job.first_due(now))


def _claim(jobs: dict[str, Job], now: datetime, me: str):
    """Claim one due run, or return None. The lock is held only while the row's times are moved on."""
    from scheduling.models import JobRun, ScheduledJob

    if not jobs:
        return None
    stale = now - timedelta(seconds=settings.SCHEDULER_STALE_SECONDS)
    with transaction.atomic():
        row = (
            ScheduledJob.objects.select_for_update(skip_locked=True)
            .filter(name__in=list(jobs), next_run_at__lte=now)
            .filter(Q(running_since__isnull=True) | Q(running_since__lt=stale))
            .order_by("next_run_at", "name")
            .first()
        )
        if row is None:
            return None
        if row.running_since is not None:
            # The scheduler that took the last run stopped before recording how it ended.
            JobRun.objects.filter(job_name=row.name, outcome=JobRun.Outcome.RUNNING).update(
                outcome=JobRun.Outcome.FAILED, finished_at=now,
                message=f"Interrupted: {row.running_on} stopped before the run finished.",
            )
        job = jobs[row.name]
        due_at = row.next_run_at
        row.next_run_at = job.next_due(now, previous=due_at)
        row.running_since, row.running_on = now, me
        row.save(update_fields=["next_run_at", "running_since", "running_on"])
        run = JobRun.objects.create(job_name=job.name, due_at=due_at, started_at=now, scheduler=me)
    return job, run


def _execute(job: Job) -> tuple[bool, str]:
    """Run the job in this process (a command) or hand it to the workers (a task); return ok and what it said."""
    if job.command:
        out = io.StringIO()
        call_command(*job.command, stdout=out, stderr=out)
        return True, out.getvalue().strip() or "Finished (the command printed nothing)."
    from django_tasks import TaskResultStatus

    result = import_string(job.task).enqueue(**job.kwargs)
    if result.status == TaskResultStatus.FAILED:
        errors = "; ".join(f"{error.exception_class_path}: {error.traceback.strip().splitlines()[-1]}"
                           for error in result.errors)
        return False, f"Task {result.id} failed: {errors}"
    if result.status == TaskResultStatus.SUCCESSFUL:
        return True, f"Task {result.id} ran: {result.return_value!r}"
    return True, f"Handed to the workers as task {result.id}."


def _finish(job: Job, run, *, ok: bool, message: str) -> None:
    from scheduling.models import JobRun, ScheduledJob

    now = timezone.now()
    with transaction.atomic():
        row = ScheduledJob.objects.select_for_update().get(name=job.name)
        changes = {"running_since": None, "running_on": ""}
        if not ok:
            # A failure is tried again at the next tick of the schedule, or sooner for a daily job.
            retry_at = now + timedelta(seconds=settings.SCHEDULER_RETRY_SECONDS)
            if retry_at < row.next_run_at:
                changes["next_run_at"] = retry_at
        ScheduledJob.objects.filter(pk=row.pk).update(**changes)
        JobRun.objects.filter(pk=run.pk).update(
            finished_at=now, outcome=JobRun.Outcome.OK if ok else JobRun.Outcome.FAILED,
            message=message[-MESSAGE_LIMIT:],
        )


def run_job(job: Job, run) -> bool:
    """Run one claimed job, record how it ended, and return whether it succeeded. Never raises an error of the job's."""
    started = timezone.now()
    try:
        with audit_context(source="scheduler"):
            ok, message = _execute(job)
    except (KeyboardInterrupt, SystemExit) as stop:
        if isinstance(stop, SystemExit) and job.command:
            # A command that calls sys.exit() has ended, not the scheduler.
            ok, message = stop.code in (0, None), f"Exited with code {stop.code}."
        else:
            _finish(job, run, ok=False, message="Interrupted: the scheduler was stopped during the run.")
            raise
    except Exception as error:  # a failing job must never stop the scheduler
        logger.exception("Scheduled job %s failed", job.name)
        ok, message = False, f"{type(error).__name__}: {error}"
    _finish(job, run, ok=ok, message=message)
    seconds = (timezone.now() - started).total_seconds()
    if ok:
        logger.info("Scheduled job %s succeeded in %.1f s", job.name, seconds)
    else:
        logger.warning("Scheduled job %s failed in %.1f s: %s", job.name, seconds, message[-500:])
    return ok


_warned: set[str] = set()
_warned_lock = threading.Lock()


def runnable_jobs(jobs: Iterable[Job]) -> list[Job]:
    """The jobs whose command or task exists; each one skipped is warned about once per process."""
    ready = []
    for job in jobs:
        reason = missing(job)
        if not reason:
            ready.append(job)
            continue
        with _warned_lock:
            if job.name not in _warned:
                _warned.add(job.name)
                logger.warning("Scheduled job %s skipped: %s.", job.name, reason)
    return ready


def run_due(*, jobs: Sequence[Job] | None = None, now: datetime | None = None, me: str | None = None,
            stop: threading.Event | None = None) -> list:
    """Run every job that is due now, one at a time, each claimed so no other scheduler runs it too.

    Returns the runs this call made (``JobRun`` rows, reloaded after they finished).
    """
    from scheduling.models import JobRun

    ready = {job.name: job for job in runnable_jobs(schedule() if jobs is None else jobs)}
    if not ready:
        return []
    me = me or scheduler_id()
    _sync_jobs(ready.values(), now or timezone.now())
    runs, done = [], set()
    while not (stop and stop.is_set()):
        # One run of a job per call: a failed job's retry waits for a later tick.
        claimed = _claim({name: job for name, job in ready.items() if name not in done}, now or timezone.now(), me)
        if claimed is None:
            break
        job, run = claimed
        done.add(job.name)
        run_job(job, run)
        runs.append(run.pk)
    return list(JobRun.objects.filter(pk__in=runs).order_by("started_at", "id"))


def run_forever(*, tick_seconds: float, stop: threading.Event, jobs: Sequence[Job] | None = None) -> None:
    """Tick until ``stop`` is set: run what is due, then wait. A database outage is logged and waited out."""
    me = scheduler_id()
    logger.info("Scheduler %s started; ticking every %s s", me, tick_seconds)
    while not stop.is_set():
        # A long-lived process must not keep a connection the database has since dropped.
        close_old_connections()
        try:
            run_due(jobs=jobs, me=me, stop=stop)
        except Exception:
            logger.exception("Scheduler tick failed; trying again in %s s", tick_seconds)
        stop.wait(tick_seconds)
    close_old_connections()
    logger.info("Scheduler %s stopped", me)
