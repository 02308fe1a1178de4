"""Call events per queue, and forecast snapshots with their accuracy once the hours have passed."""

from __future__ import annotations

from django.db import models


class Queue(models.TextChoices):
    EMERGENCY = "999", "999"
    NON_EMERGENCY = "101", "101"
    CHAT = "chat", "Live chat"
    ONLINE = "online", "Online report"


# Answer target per queue, seconds: 999 is the National Call Handling Standard
# (90% within 10 s); the others have no national standard, so 30 s is our default.
ANSWER_TARGET_SECONDS = {Queue.EMERGENCY: 10, Queue.NON_EMERGENCY: 30, Queue.CHAT: 30, Queue.ONLINE: 3600}


class CallEvent(models.Model):
    """One contact offered to a queue: when it arrived, was answered or abandoned, and how long it took.

    Invariant: a call is answered or abandoned, not both, and neither before it was offered.
    ``external_id`` is the sending system's id: importing the same call twice changes nothing.
    """

    queue = models.CharField(max_length=8, choices=Queue.choices)
    offered_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)
    transferred = models.BooleanField(default=False)
    handled_seconds = models.PositiveIntegerField(null=True, blank=True)
    external_id = models.CharField(max_length=120, unique=True)
    source = models.CharField(max_length=40, default="api")

    class Meta:
        ordering = ["offered_at"]
        indexes = [models.Index(fields=["queue", "offered_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(answered_at__isnull=False) & models.Q(abandoned_at__isnull=False)),
                name="callevent_answered_or_abandoned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue} call {self.external_id}"

    @property
    def answer_seconds(self) -> float | None:
        if self.answered_at is None:
            return None
        return (self.answered_at - self.offered_at).total_seconds()


class ForecastSnapshot(models.Model):
    """An hourly forecast for one queue as made at ``made_at``, kept so its accuracy can be scored later.

    ``hours`` holds [iso hour, mean, lo80, hi80, lo95, hi95] rows. ``mase`` and
    ``coverage80`` are filled in once actual calls exist for the forecast hours.
    """

    queue = models.CharField(max_length=8, choices=Queue.choices)
    made_at = models.DateTimeField(auto_now_add=True)
    origin = models.DateTimeField(help_text="First forecast hour")
    horizon_hours = models.PositiveIntegerField()
    hours = models.JSONField()
    naive_scale = models.FloatField(help_text="In-sample MAE of the weekly seasonal naive (MASE denominator)")
    scored_hours = models.PositiveIntegerField(default=0)
    mase = models.FloatField(null=True, blank=True)
    coverage80 = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-made_at"]
        get_latest_by = "made_at"

    def __str__(self) -> str:
        return f"{self.queue} forecast from {self.origin:%Y-%m-%d %H:%M}"
