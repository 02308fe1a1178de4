"""When each scheduled job is next due, and what became of each run.

The schedule itself lives in settings (``SCHEDULE``); these tables hold only the state several
schedulers must share: one row per job whose ``next_run_at`` a scheduler moves on when it claims
the run, and one row per run, kept for the operations page.
"""

from __future__ import annotations

from django.db import models


class ScheduledJob(models.Model):
    """One job of ``settings.SCHEDULE`` and when it is next due; claiming a run moves ``next_run_at`` on."""

    name = models.CharField(max_length=80, unique=True)
    when = models.CharField(
        max_length=100, help_text="The schedule in words when next_run_at was worked out; a change works it out again."
    )
    next_run_at = models.DateTimeField()
    running_since = models.DateTimeField(
        null=True, blank=True, help_text="Set while a scheduler runs the job, so that a slow run is not started twice."
    )
    running_on = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    """One run of a scheduled job: who ran it, when, and whether it worked."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        OK = "ok", "Succeeded"
        FAILED = "failed", "Failed"

    job_name = models.CharField(max_length=80)
    due_at = models.DateTimeField(help_text="When the run was due; later than this if the scheduler was down.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    message = models.TextField(blank=True)
    scheduler = models.CharField(max_length=200, help_text="The scheduler process that ran it (host and process id).")

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["-started_at"], name="scheduling_run_started_idx"),
            models.Index(fields=["job_name", "-started_at"], name="scheduling_run_job_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.job_name} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def started_late(self) -> bool:
        """Started more than a minute after it was due: the scheduler was down or busy."""
        return (self.started_at - self.due_at).total_seconds() > 60
