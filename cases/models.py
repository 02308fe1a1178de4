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


# --- Investigation (issue 6): queues, plans, victim contact, reviews, the Victims' Code, bureau tasks ---------


class InvestigationState(models.TextChoices):
    QUEUED = "queued", "Waiting in a resolution centre's queue"
    ALLOCATED = "allocated", "Allocated to an investigator"
    FINISHED = "finished", "Finished"


class UpdateChannel(models.TextChoices):
    """How the victim agreed to be kept informed. Email and text go out through the outbox; a letter is a bureau task."""

    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"


OUTBOX_CHANNELS = (UpdateChannel.EMAIL, UpdateChannel.SMS)


class SolvabilityFactor(models.TextChoices):
    """Factors forces commonly screen volume crime on; each present one raises the solvability score by one."""

    KNOWN_SUSPECT = "known_suspect", "Suspect named or known"
    SUSPECT_DESCRIPTION = "suspect_description", "Description of the suspect"
    WITNESS = "witness", "Witness to the offence"
    CCTV = "cctv", "CCTV or other images"
    FORENSICS = "forensics", "Forensic opportunity"
    TRACEABLE_PROPERTY = "traceable_property", "Traceable property or vehicle"
    DISTINCTIVE_MO = "distinctive_mo", "Distinctive method"
    LINKED_SERIES = "linked_series", "Linked to a series"


class Investigation(models.Model):
    """The investigation of one crime: where it waits, who works it, its solvability, the victim's update plan.

    One per crime (its plan). The columns the resolution queue sorts on (vulnerable,
    contact due date, solvability, queued time) live here rather than being worked out
    from the contact and the person index on every page view, so the queue is one
    indexed read however many crimes wait.
    """

    crime = models.OneToOneField(Crime, on_delete=models.CASCADE, related_name="investigation")
    state = models.CharField(max_length=10, choices=InvestigationState.choices, default=InvestigationState.QUEUED)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="investigations",
        help_text="The resolution centre whose queue the crime is in.",
    )
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="investigations"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="supervised_investigations"
    )
    queued_at = models.DateTimeField(default=timezone.now)
    allocated_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vulnerable = models.BooleanField(default=False, help_text="The victim is vulnerable (THRIVE, markers or age).")
    solvability_factors = models.JSONField(default=list, blank=True)
    solvability_score = models.PositiveSmallIntegerField(default=0)
    enhanced_rights_derived = models.BooleanField(default=False)
    enhanced_rights_reasons = models.JSONField(default=list, blank=True)
    enhanced_rights_override = models.BooleanField(
        null=True, blank=True, help_text="Set when an officer decides otherwise than the derivation, with a reason."
    )
    enhanced_rights_override_reason = models.TextField(blank=True)
    contact_due_on = models.DateField(help_text="The victim should be contacted by this working day.")
    first_contacted_at = models.DateTimeField(null=True, blank=True)
    update_every_days = models.PositiveSmallIntegerField(null=True, blank=True)
    update_channel = models.CharField(max_length=10, choices=UpdateChannel.choices, blank=True)
    update_plan_agreed_at = models.DateTimeField(null=True, blank=True)
    next_update_due_on = models.DateField(null=True, blank=True)
    next_review_due_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            # The queue: only waiting crimes, already in the order the page shows them.
            models.Index(
                "team", models.F("vulnerable").desc(), "contact_due_on", models.F("solvability_score").desc(),
                "queued_at", "id", name="cases_inv_queue", condition=models.Q(state="queued"),
            ),
            models.Index(fields=["investigator", "state"], name="cases_inv_investigator"),
            models.Index(fields=["state", "next_review_due_on"], name="cases_inv_review_due"),
            models.Index(fields=["state", "next_update_due_on"], name="cases_inv_update_due"),
        ]

    def __str__(self) -> str:
        return f"Investigation of {self.crime_id}"

    @property
    def enhanced_rights(self) -> bool:
        if self.enhanced_rights_override is not None:
            return self.enhanced_rights_override
        return self.enhanced_rights_derived


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    ONLINE = "online", "Online message"


class ContactResult(models.TextChoices):
    SPOKE = "spoke", "Spoke to the victim"
    NO_ANSWER = "no_answer", "No answer"
    MESSAGE_LEFT = "message_left", "Message left"
    WRONG_DETAILS = "wrong_details", "Wrong number or address"
    DECLINED = "declined", "Victim declined to engage"


class VictimContactAttempt(models.Model):
    """One attempt to reach the victim, by phone, video call or online message, and how it went."""

    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="contact_attempts")
    method = models.CharField(max_length=10, choices=ContactMethod.choices)
    result = models.CharField(max_length=15, choices=ContactResult.choices)
    notes = models.TextField(blank=True)
    attempted_at = models.DateTimeField(default=timezone.now)
    attempted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()}: {self.get_result_display()}"


class EnquiryStatus(models.TextChoices):
    OPEN = "open", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_PURSUED = "not_pursued", "Not pursued"


class Enquiry(models.Model):
    """A line of enquiry in the investigation plan: a task with its objective, owner, due date and status."""

    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="enquiries")
    title = models.CharField(max_length=200)
    objective = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="enquiries")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=EnquiryStatus.choices, default=EnquiryStatus.OPEN)
    result = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name_plural = "enquiries"

    def __str__(self) -> str:
        return self.title

    @property
    def is_outstanding(self) -> bool:
        return self.status in (EnquiryStatus.OPEN, EnquiryStatus.IN_PROGRESS)


class Suspect(models.Model):
    """A person from the person index linked to a crime as its suspect."""

    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="suspects")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [models.UniqueConstraint(fields=["crime", "person"], name="cases_suspect_once")]

    def __str__(self) -> str:
        return f"Suspect {self.person_id} in {self.crime_id}"


class DecisionKind(models.TextChoices):
    """Decisions in the log; all but the first are key decisions the victim must be told of (Victims' Code Right 6)."""

    GENERAL = "general", "Investigative decision"
    NOT_INVESTIGATED = "not_investigated", "Decision not to investigate further"
    SUSPECT_ARRESTED = "arrested", "Suspect arrested"
    SUSPECT_INTERVIEWED = "interviewed", "Suspect interviewed under caution"
    RELEASED_NFA = "released_nfa", "Suspect released without charge"
    BAILED = "bailed", "Suspect released on bail or bail conditions changed"
    UNDER_INVESTIGATION = "rui", "Suspect released under investigation"
    CHARGED = "charged", "Suspect charged"
    OUT_OF_COURT = "out_of_court", "Out-of-court disposal given"


class Decision(models.Model):
    """An entry in the investigation's decision log: what was decided, why, by whom; key ones carry a tell-by date."""

    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices, default=DecisionKind.GENERAL)
    decision = models.TextField()
    rationale = models.TextField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    tell_victim_by = models.DateField(null=True, blank=True)
    told_victim_at = models.DateTimeField(null=True, blank=True)
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-made_at", "-id"]
        indexes = [models.Index(fields=["told_victim_at", "tell_victim_by"], name="cases_decision_tell")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.decision[:60]}"

    @property
    def is_key(self) -> bool:
        return self.kind != DecisionKind.GENERAL


class ReviewKind(models.TextChoices):
    ALLOCATION = "allocation", "On allocation"
    SCHEDULED = "scheduled", "Scheduled review"


class ReviewQuality(models.TextChoices):
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class SupervisorReview(models.Model):
    """A supervisor's review: risk, outstanding actions, quality, new actions, and the next review date."""

    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=12, choices=ReviewKind.choices)
    risk = models.TextField()
    outstanding_actions = models.TextField(blank=True)
    quality = models.CharField(max_length=25, choices=ReviewQuality.choices)
    new_actions = models.TextField(blank=True)
    next_review_on = models.DateField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]

    def __str__(self) -> str:
        return f"Review of {self.crime_id} on {self.reviewed_at:%Y-%m-%d}"


class VictimUpdate(models.Model):
    """An update given to the victim by the agreed channel: email and text are queued in the outbox, a letter is
    handed to the crime admin bureau, a phone call is recorded as made."""

    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="victim_updates")
    channel = models.CharField(max_length=10, choices=UpdateChannel.choices)
    message = models.TextField()
    decisions = models.ManyToManyField(Decision, blank=True, related_name="told_in")
    outbox_reference = models.CharField(max_length=60, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Update to the victim of {self.crime_id} by {self.channel}"


class Reopening(models.Model):
    """A closed crime opened again: the outcome it had, who reopened it and why."""

    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="reopenings")
    previous_outcome = models.ForeignKey(OutcomeType, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reopened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reopened_at", "-id"]

    def __str__(self) -> str:
        return f"Reopening of {self.crime_id}"


class BureauTaskKind(models.TextChoices):
    VICTIM_LETTER = "victim_letter", "Send a letter to the victim"
    CLASSIFICATION_CHECK = "classification_check", "Check the classification"
    DATA_QUALITY = "data_quality", "Correct the crime record"
    RECORD_PROPERTY = "record_property", "Record lost or stolen property"
    OTHER = "other", "Other administrative task"


class BureauTaskStatus(models.TextChoices):
    OPEN = "open", "Waiting"
    TAKEN = "taken", "Being done"
    DONE = "done", "Done"


class BureauTask(models.Model):
    """Administrative work an officer hands to the crime admin bureau; its completion is reported on the case."""

    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="bureau_tasks")
    kind = models.CharField(max_length=25, choices=BureauTaskKind.choices)
    instructions = models.TextField()
    status = models.CharField(max_length=10, choices=BureauTaskStatus.choices, default=BureauTaskStatus.OPEN)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    taken_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(blank=True)
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["status", "requested_at"], name="cases_bureau_task_queue")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


# --- Victims' Right to Review (police no-charge decisions) ------------------------------------------------


class ReviewRequestChannel(models.TextChoices):
    """How the victim asked for the review; staff record it on the victim's behalf."""

    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online form"


class ReviewRequestStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DECIDED = "decided", "Decided"
    REFUSED = "refused", "Refused as ineligible"


OPEN_REVIEW_REQUEST_STATUSES = (ReviewRequestStatus.RECEIVED, ReviewRequestStatus.ACKNOWLEDGED)


class ReviewResult(models.TextChoices):
    UPHELD = "upheld", "Original decision upheld"
    OVERTURNED = "overturned", "Original decision overturned"


class ReviewRequest(models.Model):
    """A victim's request for a review of a police decision not to charge (Victims' Right to Review).

    Received, then acknowledged (the victim is sent a message), then decided by a reviewing
    officer who did not make the original decision (upheld, or overturned with what happens
    next), or refused as ineligible with the reason. The due dates are fixed when it is recorded.
    """

    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="review_requests")
    requested_on = models.DateField(help_text="The day the victim asked for the review.")
    channel = models.CharField(max_length=10, choices=ReviewRequestChannel.choices)
    victim_reasons = models.TextField()
    status = models.CharField(max_length=12, choices=ReviewRequestStatus.choices,
                              default=ReviewRequestStatus.RECEIVED)
    outcome = models.ForeignKey(OutcomeType, on_delete=models.PROTECT, related_name="+",
                                help_text="The outcome under review, as it was when the request came in.")
    decision_told_on = models.DateField(help_text="When the victim was told of the outcome: the 3 months run from here.")
    decision_made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The officer who made the decision under review; they may not review it.",
    )
    acknowledge_by = models.DateField()
    decide_by = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledgement_reference = models.CharField(max_length=60, blank=True)
    receipt_channel = models.CharField(
        max_length=10, choices=UpdateChannel.choices, blank=True,
        help_text="How the victim was sent a receipt when they asked online; blank when staff recorded the request.",
    )
    receipt_reference = models.CharField(
        max_length=60, blank=True, help_text="The receipt's outbox message or bureau task.",
    )
    result_reference = models.CharField(
        max_length=60, blank=True, help_text="How the victim was told the result: the outbox message or the bureau task."
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="right_to_reviews"
    )
    result = models.CharField(max_length=12, choices=ReviewResult.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    next_steps = models.TextField(blank=True, help_text="When overturned: what happens next.")
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-requested_on", "-id"]
        indexes = [models.Index(fields=["status", "decide_by"], name="cases_vrr_queue")]
        constraints = [
            # One request in progress per crime: a second one waits until the first is decided or refused.
            models.UniqueConstraint(
                fields=["crime"], condition=models.Q(status__in=["received", "acknowledged"]),
                name="cases_vrr_one_open_per_crime",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="decided") | ~models.Q(result=""),
                name="cases_vrr_decided_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"Right to review of {self.crime_id} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REVIEW_REQUEST_STATUSES
