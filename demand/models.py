"""Call events per queue, and forecast snapshots with their accuracy once the hours have passed."""

from __future__ import annotations

from django.conf import settings
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


# Answer targets and staffing defaults per queue until a manager stores their own
# (service level %, answer within seconds). 999 follows the National Call Handling
# Standard; 80% in the target is the common contact-centre convention for the rest.
DEFAULT_SERVICE_LEVEL = {Queue.EMERGENCY: 90, Queue.NON_EMERGENCY: 80, Queue.CHAT: 80, Queue.ONLINE: 80}
DEFAULT_AHT_SECONDS = {Queue.EMERGENCY: 240, Queue.NON_EMERGENCY: 420, Queue.CHAT: 600, Queue.ONLINE: 900}


class QueueSettings(models.Model):
    """A queue's service-level target and the staffing assumptions the staffing and what-if pages start from.

    One row per queue, edited by someone with *manage demand*; a queue without a row uses
    the defaults above (see ``selectors.queue_settings``).
    """

    queue = models.CharField(max_length=8, choices=Queue.choices, unique=True)
    service_level = models.PositiveSmallIntegerField(help_text="Share of calls answered within the target, %")
    target_seconds = models.PositiveIntegerField(help_text="Answer within this many seconds")
    aht_seconds = models.PositiveIntegerField(null=True, blank=True,
                                              help_text="Average handling time; blank: from the queue's recorded calls")
    shrinkage = models.PositiveSmallIntegerField(help_text="Paid time not on calls, %")
    max_occupancy = models.PositiveSmallIntegerField(help_text="Occupancy cap, %")
    patience_seconds = models.PositiveIntegerField(null=True, blank=True,
                                                   help_text="Callers' mean patience; blank: Erlang C")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name_plural = "queue settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(service_level__gte=1, service_level__lte=99),
                                   name="queuesettings_service_level_1_99"),
            models.CheckConstraint(condition=models.Q(shrinkage__lte=90), name="queuesettings_shrinkage_le_90"),
            models.CheckConstraint(condition=models.Q(max_occupancy__gte=1, max_occupancy__lte=100),
                                   name="queuesettings_occupancy_1_100"),
        ]

    def __str__(self) -> str:
        return f"{self.queue}: {self.service_level}% in {self.target_seconds} s"


class Area(models.TextChoices):
    URBAN = "urban", "Urban"
    RURAL = "rural", "Rural"


# Attendance targets in minutes by (grade, area): grade 1 15 min urban / 20 rural, grade 2 an hour
# (force-set targets, DOMAIN.md §2). Grades 3 and 4 are appointments or no deployment: no clock.
ATTENDANCE_TARGET_MINUTES = {(1, Area.URBAN): 15, (1, Area.RURAL): 20, (2, Area.URBAN): 60, (2, Area.RURAL): 60}


class AttendanceEvent(models.Model):
    """When an officer arrived at an incident, as command and control recorded it.

    The clock runs from ``received_at`` (the call reached the force) to ``arrived_at``
    (first officer on scene); no ``arrived_at`` means nobody attended (cancelled, or
    resolved on the way). ``external_id`` makes re-imports harmless.
    """

    external_id = models.CharField(max_length=120, unique=True)
    incident = models.CharField(max_length=40, blank=True, help_text="The incident's reference in command and control")
    grade = models.PositiveSmallIntegerField()
    area = models.CharField(max_length=5, choices=Area.choices, default=Area.URBAN)
    received_at = models.DateTimeField(db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=40, default="api")

    class Meta:
        ordering = ["received_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(grade__gte=1, grade__lte=4), name="attendance_grade_1_4"),
            models.CheckConstraint(condition=models.Q(arrived_at__isnull=True)
                                   | models.Q(arrived_at__gte=models.F("received_at")),
                                   name="attendance_arrived_after_received"),
        ]

    def __str__(self) -> str:
        return f"grade {self.grade} attendance {self.external_id}"


class AgentState(models.TextChoices):
    LOGGED_IN = "logged_in", "Logged in"
    AVAILABLE = "available", "Available"
    BUSY = "busy", "On a contact"
    WRAP_UP = "wrap_up", "Wrap-up"
    LOGGED_OUT = "logged_out", "Logged out"


class AgentStateEvent(models.Model):
    """A handler's telephony state changed at ``at`` (the telephony platform's agent-state feed).

    An agent's state is their latest event; one older than ``AGENT_STATE_STALE_HOURS``
    counts as logged out (a missed log-out must not show someone as free all night).
    """

    external_id = models.CharField(max_length=120, unique=True)
    agent = models.CharField(max_length=60, help_text="The telephony platform's agent id")
    state = models.CharField(max_length=12, choices=AgentState.choices)
    at = models.DateTimeField()
    source = models.CharField(max_length=40, default="api")

    class Meta:
        ordering = ["at"]
        indexes = [models.Index(fields=["agent", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.agent} {self.state} at {self.at:%Y-%m-%d %H:%M}"


AGENT_STATE_STALE_HOURS = 12
