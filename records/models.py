"""Records management for the data protection officer: the retention policy, the review queue and its
decisions, and the register of subject access requests.

APP "Review, retention and disposal" (Police information and records management Code of Practice):
keep a record while a policing purpose exists, review it on a risk-based schedule (MoPI groups) and
record every decision to retain. DPA 2018 s.45: a data subject may ask for a copy of their data;
the answer is due without undue delay, commonly read as one month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class RecordKind(models.TextChoices):
    """The kinds of record the retention policy covers, each erased by the app that owns it."""

    PERSON = "person", "Person record"
    CONTACT = "contact", "Contact with no crime"
    CHAT = "chat", "Live chat transcript"
    MESSAGE = "message", "Message in the outbox"
    REPORT = "report", "Closed online report"
    EXHIBIT = "exhibit", "Exhibit"
    STATEMENT = "statement", "Witness statement"


class MopiGroup(models.TextChoices):
    NONE = "", "Not a MoPI group"
    PUBLIC_PROTECTION = "1", "Group 1: public protection"
    SERIOUS = "2", "Group 2: other sexual, violent or serious"
    OTHER = "3", "Group 3: all other offences"


class RetentionRule(models.Model):
    """One line of the force's retention policy: which records, from which date, for how long.

    Reference data: seeded with defaults (migration 0002) that the force must confirm, then changed
    by administrators in the administration screens. ``code`` is what the finder keys on.
    """

    code = models.SlugField(max_length=40, unique=True)
    record_kind = models.CharField(max_length=10, choices=RecordKind.choices)
    title = models.CharField(max_length=120)
    mopi_group = models.CharField(max_length=1, choices=MopiGroup.choices, blank=True)
    applies_to = models.TextField(help_text="Which records this rule covers, in the words the review queue shows.")
    basis = models.CharField(max_length=200, help_text="The date the period runs from.")
    review_after_years = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Years after the basis date at which the record is due for review.",
    )
    until_age = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Review at the subject's birthday of this age instead (group 1: 100).",
    )
    confirmed_by_force = models.BooleanField(
        default=False, help_text="Ticked once the force's records manager has confirmed this default.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["record_kind", "mopi_group", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_after_years__isnull=False) | models.Q(until_age__isnull=False),
                name="records_rule_has_a_period",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def period_text(self) -> str:
        if self.until_age:
            return f"to the subject's {self.until_age}th birthday"
        return f"{self.review_after_years} year{'s' if self.review_after_years != 1 else ''} after {self.basis}"


class ReviewStatus(models.TextChoices):
    DUE = "due", "Due for review"
    RETAINED = "retained", "Retained"
    DISPOSED = "disposed", "Disposed of"


class RetentionReview(models.Model):
    """A record that reached its review date, and where its review stands; one row per record, ever.

    A retained record leaves the queue until its next review date; a disposed one never comes back.
    """

    record_kind = models.CharField(max_length=10, choices=RecordKind.choices)
    record_id = models.BigIntegerField()
    record_reference = models.CharField(max_length=20, help_text="The record's own reference, for the queue.")
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="reviews")
    basis_date = models.DateField(help_text="The date the rule's period ran from.")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DUE)
    next_review_on = models.DateField(null=True, blank=True)
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="records_review_queue")]
        constraints = [
            models.UniqueConstraint(fields=["record_kind", "record_id"], name="records_review_once_per_record"),
        ]

    def __str__(self) -> str:
        return f"{self.get_record_kind_display()} {self.record_reference} ({self.status})"


class Decision(models.TextChoices):
    RETAIN = "retain", "Retain"
    DISPOSE = "dispose", "Dispose of"


class RetentionDecision(models.Model):
    """One decision on a review: retain (why, and until when) or dispose. Never changed afterwards."""

    review = models.ForeignKey(RetentionReview, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    rule_code = models.CharField(max_length=40, help_text="The rule the record was due under, as it was then.")
    due_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="retain") | models.Q(next_review_on__isnull=False),
                name="records_retain_has_next_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.review_id}"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Pack produced"


class SubjectAccessRequest(models.Model):
    """A request under DPA 2018 s.45 from a data subject for a copy of their data, with its dates."""

    reference = models.CharField(max_length=12, unique=True, blank=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField()
    due_on = models.DateField(help_text="One month after it was received.")
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    pack_produced_at = models.DateTimeField(null=True, blank=True)
    pack_produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.reference or f"SAR {self.pk}"
