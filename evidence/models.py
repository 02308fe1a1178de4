"""Evidence for a crime (or for a contact before a crime exists): exhibits, written statements,
resumable uploads, single-use upload links for the public, the chain of custody, and the
evidential packages disclosed from them.

Files live in Django's storage (local files by default, object storage in production); the
database holds what each file is, its SHA-256 taken on receipt, and who touched it when.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExhibitKind(models.TextChoices):
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    DOCUMENT = "document", "Document (PDF)"


def _owner_constraint(prefix: str) -> models.CheckConstraint:
    # Evidence always belongs somewhere: to a crime, or to the contact (an online report)
    # that came before any crime was recorded.
    return models.CheckConstraint(
        condition=models.Q(crime__isnull=False) | models.Q(contact__isnull=False), name=f"{prefix}_has_owner"
    )


class UploadLink(models.Model):
    """A single-use, expiring link a victim or business uses to send evidence.

    Only the SHA-256 of the token is stored: someone who reads the database cannot use a link.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "Text message"

    class Purpose(models.TextChoices):
        EVIDENCE = "evidence", "Photos, video, audio or documents"
        CCTV = "cctv", "CCTV footage"

    token_hash = models.CharField(max_length=64, unique=True)
    crime = models.ForeignKey("cases.Crime", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recipient_name = models.CharField(max_length=120)
    recipient_email = models.EmailField(blank=True)
    recipient_phone = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.EVIDENCE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [_owner_constraint("evidence_link")]

    def __str__(self) -> str:
        return f"Upload link for {self.recipient_name}"

    def usable(self, now=None) -> bool:
        return self.used_at is None and (now or timezone.now()) < self.expires_at


class Upload(models.Model):
    """One file arriving, possibly over many requests: how much has arrived, and where it is staged.

    The resumable protocol (like tus): the client declares the length, sends chunks with
    their byte offset, and asks how much has arrived after a dropped connection.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    crime = models.ForeignKey("cases.Crime", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(UploadLink, null=True, blank=True, on_delete=models.CASCADE, related_name="uploads")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    length = models.BigIntegerField(help_text="The length the client declared, in bytes.")
    offset = models.BigIntegerField(default=0, help_text="Bytes received so far.")
    client_sha256 = models.CharField(max_length=64, blank=True)
    staging_name = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [_owner_constraint("evidence_upload")]

    def __str__(self) -> str:
        return f"Upload {self.id} ({self.offset} of {self.length} bytes)"

    @property
    def complete(self) -> bool:
        return self.completed_at is not None


class Exhibit(models.Model):
    """An item of evidence: an image, a recording, a video or a PDF, with its exhibit reference and hash."""

    crime = models.ForeignKey("cases.Crime", null=True, blank=True, on_delete=models.PROTECT, related_name="exhibits")
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="exhibits"
    )
    reference = models.CharField(
        max_length=20, help_text="Exhibit reference: the producer's initials and a number, e.g. JS/1."
    )
    kind = models.CharField(max_length=10, choices=ExhibitKind.choices)
    description = models.CharField(max_length=500)
    produced_by = models.CharField(max_length=120, help_text="Who produced the item: an officer, a victim, a business.")
    file = models.FileField(upload_to="evidence/exhibits/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    link = models.ForeignKey(UploadLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="exhibits")
    upload = models.OneToOneField(Upload, null=True, blank=True, on_delete=models.SET_NULL, related_name="exhibit")
    # CCTV: what a reviewer needs to line the footage up with real time.
    cctv_cameras = models.CharField(max_length=300, blank=True)
    cctv_clock_offset_seconds = models.IntegerField(
        null=True, blank=True, help_text="Camera clock minus real time, in seconds (positive when the camera is fast)."
    )
    cctv_from = models.DateTimeField(null=True, blank=True)
    cctv_to = models.DateTimeField(null=True, blank=True)
    # Destruction (evidence.services.destroy_exhibit): the stored file is removed, and ``file`` is
    # emptied once the storage confirms it; the reference, hash and custody chain stay for good.
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            _owner_constraint("evidence_exhibit"),
            models.UniqueConstraint(
                fields=["crime", "reference"], condition=models.Q(crime__isnull=False), name="evidence_exhibit_ref_per_crime"
            ),
            models.UniqueConstraint(
                fields=["contact", "reference"], condition=models.Q(crime__isnull=True),
                name="evidence_exhibit_ref_per_contact",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def destroyed(self) -> bool:
        return self.destroyed_at is not None


class Statement(models.Model):
    """A written statement (MG11 shape): the maker's words, their signed declaration, and its PDF."""

    crime = models.ForeignKey("cases.Crime", on_delete=models.PROTECT, related_name="statements")
    number = models.PositiveIntegerField(help_text="S1, S2… in the order statements were taken for the crime.")
    maker_name = models.CharField(max_length=120)
    maker_over_18 = models.BooleanField(default=True)
    maker_age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Given only when under 18.")
    maker_occupation = models.CharField(max_length=120, blank=True)
    body = models.TextField()
    signature = models.CharField(max_length=120, help_text="The maker's name typed as their signature.")
    signed_at = models.DateTimeField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    pdf = models.FileField(upload_to="evidence/statements/%Y/%m/", max_length=255)
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveSmallIntegerField(default=1)
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)
    # Erasure (evidence.services.erase_statement, from the retention review): the maker's details,
    # the words and the PDF go; the number, dates, SHA-256 and custody chain stay for good. ``pdf`` is
    # emptied once the storage confirms the file is gone.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["crime", "number"], name="evidence_statement_number_per_crime")]

    def __str__(self) -> str:
        return f"{self.reference} {self.maker_name}"

    @property
    def reference(self) -> str:
        return f"S{self.number}"

    @property
    def erased(self) -> bool:
        return self.erased_at is not None


class EvidentialPackage(models.Model):
    """An evidential package produced for a named recipient: a disclosure of the crime's evidence."""

    crime = models.ForeignKey("cases.Crime", on_delete=models.PROTECT, related_name="evidential_packages")
    recipient = models.CharField(max_length=200, help_text="Who receives it, e.g. CPS Direct, or a named solicitor.")
    reason = models.TextField()
    produced_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    produced_at = models.DateTimeField(default=timezone.now)
    pdf = models.FileField(upload_to="evidence/packages/%Y/%m/", max_length=255)
    pdf_sha256 = models.CharField(max_length=64)
    exhibits = models.ManyToManyField(Exhibit, related_name="packages")
    statements = models.ManyToManyField(Statement, related_name="packages")
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-produced_at"]

    def __str__(self) -> str:
        return f"Evidential package for {self.recipient}"


class CustodyEvent(models.Model):
    """One link in an item's chain of custody: received, viewed, downloaded, disclosed, destroyed.

    Kept beside the audit log (which is for personal data in general) so an exhibit's whole
    history can be read in one place and printed with the package.
    """

    class Event(models.TextChoices):
        RECEIVED = "received", "Received"
        VIEWED = "viewed", "Viewed"
        DOWNLOADED = "downloaded", "Downloaded"
        DISCLOSED = "disclosed", "Disclosed"
        ATTACHED = "attached", "Attached to crime"
        DESTROYED = "destroyed", "Destroyed"

    exhibit = models.ForeignKey(Exhibit, null=True, blank=True, on_delete=models.PROTECT, related_name="custody")
    statement = models.ForeignKey(Statement, null=True, blank=True, on_delete=models.PROTECT, related_name="custody")
    package = models.ForeignKey(EvidentialPackage, null=True, blank=True, on_delete=models.PROTECT, related_name="custody")
    event = models.CharField(max_length=12, choices=Event.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    # Who authorised a destruction (a supervisor or the data protection officer); empty for other events.
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authorised_by_label = models.CharField(max_length=150, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(exhibit__isnull=False) | models.Q(statement__isnull=False) | models.Q(package__isnull=False),
                name="evidence_custody_has_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} by {self.actor_label}"
