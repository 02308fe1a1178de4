"""Reads for the scheduled jobs page: each job with its next and last run, and the record of runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from firstcontact import scheduling

from .models import JobRun, ScheduledJob


@dataclass(frozen=True)
class JobStatus:
    """One job of the schedule as an administrator sees it."""

    name: str
    what: str
    when: str
    skipped_because: str  # "" when the job can run here
    next_run_at: datetime | None
    running_since: datetime | None
    last_run: JobRun | None


def job_statuses() -> list[JobStatus]:
    """Every job of the schedule in settings order, with when it is next due and how its last run ended."""
    jobs = scheduling.schedule()
    names = [job.name for job in jobs]
    rows = {row.name: row for row in ScheduledJob.objects.filter(name__in=names)}
    last: dict[str, JobRun] = {}
    for name in names:
        run = JobRun.objects.filter(job_name=name).order_by("-started_at", "-id").first()
        if run is not None:
            last[name] = run
    statuses = []
    for job in jobs:
        row = rows.get(job.name)
        statuses.append(JobStatus(
            name=job.name, what=job.what, when=job.when, skipped_because=scheduling.missing(job),
            next_run_at=row.next_run_at if row else None,
            running_since=row.running_since if row else None,
            last_run=last.get(job.name),
        ))
    return statuses


def recent_runs(*, job_name: str = "") -> QuerySet[JobRun]:
    """The record of runs, newest first; of one job when named."""
    runs = JobRun.objects.order_by("-started_at", "-id")
    return runs.filter(job_name=job_name) if job_name else runs
