"""Crimes recorded under the National Crime Recording Standard, and the Home Office reference data they use.

A crime starts from a contact that reports one. It is *recorded* once it carries a
Home Office classification (NCRS: within 24 hours of the report), may be cancelled
only with a C-code that the crime admin bureau approves, and is closed only with a
Home Office outcome type.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

CRIME_REFERENCE_PREFIX = "CR"
CRIME_REFERENCE_DIGITS = 9


def crime_reference(pk: int) -> str:
    """The crime reference given to the victim, e.g. CR000000042."""
    return f"{CRIME_REFERENCE_PREFIX}{pk:0{CRIME_REFERENCE_DIGITS}d}"


class HomeOfficeClassification(models.Model):
    """A notifiable offence as the Home Office Counting Rules code it, and where data.police.uk publishes it.

    Reference data: administrators add and retire classifications when the rules change
    each April; they are never deleted, so old crimes keep their meaning.
    """

    code = models.CharField(max_length=10, unique=True, help_text="Home Office offence code, e.g. 46.")
    name = models.CharField(max_length=160)
    police_uk_category = models.CharField(
        max_length=60, help_text="The data.police.uk crime category this offence is published under."
    )
    suggested_for = models.ForeignKey(
        "contacts.IncidentType", null=True, blank=True, on_delete=models.SET_NULL, related_name="classifications",
        help_text="The incident type for which this is offered as the first classification.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["police_uk_category", "name"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OutcomeType(models.Model):
    """A Home Office crime outcome type (1–22), the reason a crime was closed."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=160)
    requires_victim_decision = models.BooleanField(
        default=False, help_text="Outcomes 15 and 16 need an auditable record of the victim's decision."
    )

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class CancellationCode(models.Model):
    """A Home Office Counting Rules Section C reason for removing a recorded crime (C1–C4)."""

    code = models.CharField(max_length=4, unique=True)
    description = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class CrimeStatus(models.TextChoices):
    AWAITING_RECORDING = "awaiting", "Awaiting classification"
    RECORDED = "recorded", "Recorded"
    UNDER_INVESTIGATION = "investigating", "Under investigation"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (CrimeStatus.AWAITING_RECORDING, CrimeStatus.RECORDED, CrimeStatus.UNDER_INVESTIGATION)


class VictimDecision(models.TextChoices):
    """What the victim decided about police action, as outcomes 14–16 turn on it."""

    SUPPORTS = "supports", "Supports police action"
    DOES_NOT_SUPPORT = "does_not_support", "Does not support police action"
    WITHDRAWS = "withdraws", "Withdraws support for police action"


class Crime(models.Model):
    """One crime, for one victim, from the report to its outcome or cancellation."""

    reference = models.CharField(max_length=12, unique=True)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="crimes"
    )
    classification = models.ForeignKey(
        HomeOfficeClassification, null=True, blank=True, on_delete=models.PROTECT, related_name="crimes"
    )
    hocr_version = models.CharField(
        max_length=20, blank=True, help_text="The edition of the Home Office Counting Rules the classification used."
    )
    classification_checked_at = models.DateTimeField(null=True, blank=True)
    classification_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=15, choices=CrimeStatus.choices, default=CrimeStatus.AWAITING_RECORDING)
    reported_at = models.DateTimeField(help_text="When the report reached the force: the NCRS clock starts here.")
    recorded_at = models.DateTimeField(null=True, blank=True, help_text="When the crime was recorded with a classification.")
    victim = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="crimes_as_victim"
    )
    address = models.ForeignKey("people.Address", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    location_text = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    summary = models.TextField(blank=True)

    victim_decision = models.CharField(max_length=20, choices=VictimDecision.choices, blank=True)
    victim_decision_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome = models.ForeignKey(OutcomeType, null=True, blank=True, on_delete=models.PROTECT, related_name="crimes")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    cancellation_code = models.ForeignKey(
        CancellationCode, null=True, blank=True, on_delete=models.PROTECT, related_name="crimes"
    )
    cancellation_reason = models.TextField(blank=True)
    cancellation_requested_at = models.DateTimeField(null=True, blank=True)
    cancellation_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["status", "reported_at"], name="cases_crime_status_reported"),
            models.Index(fields=["reported_at"], name="cases_crime_reported"),
        ]
        constraints = [
            # The database's own guard behind the service's: a closed crime always has its outcome.
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(outcome__isnull=False),
                name="cases_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | models.Q(cancellation_code__isnull=False),
                name="cases_cancelled_has_c_code",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def cancellation_pending(self) -> bool:
        return self.cancellation_requested_at is not None and self.cancelled_at is None
