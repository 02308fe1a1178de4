"""Reports from the public and from businesses, the drafts they save to finish later, and tracking codes.

A submitted report is a ``contacts.Contact`` (channel ``online`` or ``business``) that the
triage queue assesses like a call; what the reporter answered lives here, one-to-one
with it. Business accounts, their sites and their staff are separate from police staff
accounts: a business user signs in to the public side only and holds no permission.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReportKind(models.TextChoices):
    THEFT = "theft", "Theft"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage"
    ONLINE_CRIME = "online_crime", "Online crime"
    ROAD_COLLISION = "road_collision", "Road collision with damage only"
    ASB = "asb", "Anti-social behaviour"
    SHOPLIFTING = "shoplifting", "Shoplifting"
    FUEL_DRIVE_OFF = "fuel_drive_off", "Fuel drive-off"


PUBLIC_KINDS = (ReportKind.THEFT, ReportKind.CRIMINAL_DAMAGE, ReportKind.ONLINE_CRIME, ReportKind.ROAD_COLLISION,
                ReportKind.ASB)
BUSINESS_KINDS = (ReportKind.SHOPLIFTING, ReportKind.FUEL_DRIVE_OFF)


class BusinessAccount(models.Model):
    """A business that reports online: a retailer, a filling station chain. Registered by police staff."""

    name = models.CharField(max_length=160, unique=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BusinessSite(models.Model):
    """One of a business's premises: where its incidents happen."""

    account = models.ForeignKey(BusinessAccount, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=160)
    address = models.CharField(max_length=200)
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="public_site_name_once")]

    def __str__(self) -> str:
        return f"{self.name}, {self.address}"


class BusinessUser(models.Model):
    """A member of a business's staff who reports for it; signs in with e-mail and password on the public side."""

    account = models.ForeignKey(BusinessAccount, on_delete=models.CASCADE, related_name="users")
    full_name = models.CharField(max_length=160)
    email = models.EmailField(unique=True)
    password = models.CharField(max_length=128, blank=True, help_text="A Django password hash; blank until set.")
    # The set-password link's token, hashed; cleared once used.
    invite_hash = models.CharField(max_length=64, blank=True, db_index=True)
    invite_expires_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.account})"


class BusinessSubmission(models.Model):
    """One business report sent in one go: several incidents, one idempotency key."""

    account = models.ForeignKey(BusinessAccount, on_delete=models.PROTECT, related_name="submissions")
    submitted_by = models.ForeignKey(BusinessUser, on_delete=models.PROTECT, related_name="submissions")
    submission_key = models.CharField(max_length=40, unique=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.account} submission {self.pk}"


class OnlineReport(models.Model):
    """What a member of the public or a business answered, for one incident; its contact is what staff assess."""

    contact = models.OneToOneField("contacts.Contact", on_delete=models.PROTECT, related_name="online_report")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    answers = models.JSONField(default=dict)
    # One report per key: a second submit of the same journey finds this report.
    submission_key = models.CharField(max_length=40, unique=True)
    reporter = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Where the tracking code goes: the reporter's own choice of e-mail or mobile.
    email = models.EmailField(blank=True)
    phone_e164 = models.CharField(max_length=20, blank=True)
    submission = models.ForeignKey(
        BusinessSubmission, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    site = models.ForeignKey(BusinessSite, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    offender_description = models.TextField(blank=True)
    vehicle_registration = models.CharField(max_length=8, blank=True, db_index=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["kind", "submitted_at"], name="public_report_kind_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} report {self.contact_id}"


class SeriesBasis(models.TextChoices):
    VEHICLE = "vehicle", "Same vehicle"
    OFFENDER = "offender", "Offender descriptions alike"


class SeriesLink(models.Model):
    """Two reports that may be the same offender's work, flagged for investigators to look at together."""

    earlier = models.ForeignKey(OnlineReport, on_delete=models.CASCADE, related_name="series_later")
    later = models.ForeignKey(OnlineReport, on_delete=models.CASCADE, related_name="series_earlier")
    basis = models.CharField(max_length=10, choices=SeriesBasis.choices)
    score = models.FloatField(help_text="How alike the descriptions are, 0-100 (100 for the same vehicle).")
    flagged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-flagged_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["earlier", "later", "basis"], name="public_series_link_once"),
        ]

    def __str__(self) -> str:
        return f"{self.earlier_id} ~ {self.later_id} ({self.basis})"


class ReportDraft(models.Model):
    """A report saved part-way to finish later; the link e-mailed carries a token whose hash is kept here."""

    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    answers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    resumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"draft saved {self.created_at:%Y-%m-%d %H:%M}"


class TrackingCode(models.Model):
    """A one-time code sent to a reporter so they can see their report's progress; only its hash is kept."""

    report = models.ForeignKey(OnlineReport, on_delete=models.CASCADE, related_name="tracking_codes")
    code_hash = models.CharField(max_length=64)
    channel = models.CharField(max_length=5, choices=[("email", "E-mail"), ("sms", "Text message")])
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"tracking code for {self.report_id}"
