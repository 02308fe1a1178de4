"""Contacts from the public through any channel, the incident types they are about, and who was involved.

Minimal on purpose: the first-contact issue adds THRIVE, grading rules, routing,
DASH and crime recording on top of these.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

CONTACT_REFERENCE_PREFIX = "C"
CONTACT_REFERENCE_DIGITS = 9


def contact_reference(pk: int) -> str:
    """The public reference of a contact, e.g. C000000042, given to the caller."""
    return f"{CONTACT_REFERENCE_PREFIX}{pk:0{CONTACT_REFERENCE_DIGITS}d}"


class IncidentCategory(models.TextChoices):
    """The National Standard for Incident Recording's families: crime, the three ASB types, and the rest."""

    CRIME = "crime", "Crime"
    ASB_PERSONAL = "asb_personal", "Anti-social behaviour: personal"
    ASB_NUISANCE = "asb_nuisance", "Anti-social behaviour: nuisance"
    ASB_ENVIRONMENTAL = "asb_environmental", "Anti-social behaviour: environmental"
    NON_CRIME = "non_crime", "Non-crime incident"


class IncidentType(models.Model):
    """What a contact is about. Reference data: administrators add and retire types, never delete them."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=IncidentCategory.choices)
    police_uk_category = models.CharField(
        max_length=60, blank=True, help_text="The data.police.uk crime category this type is published under."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    EMERGENCY = "999", "999"
    NON_EMERGENCY = "101", "101"
    ONLINE = "online", "Online report"
    CHAT = "chat", "Live chat"
    BUSINESS = "business", "Business report"
    WALK_IN = "walk_in", "Front counter (walk-in)"
    EMAIL = "email", "E-mail"


class Grade(models.IntegerChoices):
    EMERGENCY = 1, "1 Emergency"
    PRIORITY = 2, "2 Priority"
    SCHEDULED = 3, "3 Scheduled"
    RESOLUTION_WITHOUT_DEPLOYMENT = 4, "4 Resolution without deployment"


class Contact(models.Model):
    """One approach by the public: a call, a chat, an online or business report, a visit or an e-mail."""

    reference = models.CharField(max_length=12, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    caller = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="contacts_made"
    )
    address = models.ForeignKey(
        "people.Address", null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    location_text = models.CharField(max_length=200, blank=True, help_text="Where, when it is not an address.")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    incident_type = models.ForeignKey(IncidentType, on_delete=models.PROTECT, related_name="contacts")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    summary = models.TextField(blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts_handled"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The call-taking form's one-off token: a second submit of the same form finds this contact
    # instead of recording another (a double click, a retried request after a dropped connection).
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)
    route = models.CharField(max_length=20, blank=True, help_text="Where the contact went after grading.")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["received_at"], name="contacts_received"),
            models.Index(fields=["caller", "received_at"], name="contacts_caller_received"),
            models.Index(fields=["address", "received_at"], name="contacts_address_received"),
            # The history panel joins a person's roles to their contacts' times: with both columns in
            # one small index the join reads no table pages (index-only), which matters when cold.
            models.Index(fields=["id", "received_at"], name="contacts_id_received"),
            # The triage queue: the few contacts not yet graded, oldest first, among a million.
            models.Index(fields=["received_at"], condition=models.Q(grade__isnull=True), name="contacts_awaiting_grade"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__isnull=True) | models.Q(grade__gte=1, grade__lte=4),
                name="contacts_grade_1_to_4",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_channel_display()})"


class PersonRole(models.TextChoices):
    CALLER = "caller", "Caller"
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    SUSPECT = "suspect", "Suspect"
    OTHER = "other", "Other"


class ContactPerson(models.Model):
    """A person involved in a contact, in a role; the same person may hold several roles."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="people")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="contact_roles")
    role = models.CharField(max_length=10, choices=PersonRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "person", "role"], name="contacts_person_role_once"),
        ]
        indexes = [models.Index(fields=["person", "role"], name="contacts_person_role")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.role} in {self.contact_id}"


class ContactDraft(models.Model):
    """What a handler has typed into a contact not yet recorded, saved as they type.

    Nothing lost: a closed browser, a crash or a dropped connection leaves the draft on
    the server, keyed by handler and form token, and the page restores it. Recording the
    contact deletes the draft.
    """

    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_drafts")
    form_token = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["handler", "form_token"], name="contacts_draft_once_per_token"),
        ]

    def __str__(self) -> str:
        return f"draft {self.form_token} by {self.handler_id}"


class Route(models.TextChoices):
    """Where a contact goes after grading (DOMAIN.md §2, grade 4 covers the last four)."""

    DISPATCH = "dispatch", "Dispatch an officer"
    APPOINTMENT = "appointment", "Scheduled appointment"
    RESOLUTION_CENTRE = "resolution_centre", "Resolution centre"
    ADVICE = "advice", "Advice at first contact"
    SIGNPOST = "signpost", "Signpost to a partner agency"
    OTHER_FORCE = "other_force", "Pass to another force"


class Level(models.TextChoices):
    """An answer to Threat, Harm or Risk: a structured judgement, not a score."""

    NONE = "none", "None identified"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class InvestigationNeed(models.TextChoices):
    NONE = "none", "No lines of enquiry"
    ENQUIRIES = "enquiries", "Lines of enquiry, nothing at risk"
    EVIDENCE_AT_RISK = "evidence_at_risk", "Evidence or witnesses at risk now"


class VulnerabilityLevel(models.TextChoices):
    NONE = "none", "No vulnerability identified"
    VULNERABLE = "vulnerable", "Vulnerable, able to keep safe for now"
    UNABLE_TO_PROTECT = "unable_to_protect", "Unable to protect themselves or others from harm"


class Engagement(models.TextChoices):
    ATTEND = "attend", "Attend in person"
    APPOINTMENT = "appointment", "Meet by appointment"
    PHONE = "phone", "Phone or online follow-up"
    ADVICE = "advice", "Advice now resolves it"
    PARTNER = "partner", "A partner agency is better placed"


class ThriveAssessment(models.Model):
    """One THRIVE assessment of a contact: each element's answer and rationale, and who decided when.

    A re-assessment adds a row; the latest is the one that counts, the earlier ones
    stay as the history of how the judgement changed (DOMAIN.md §1).
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="thrive_assessments")
    threat = models.CharField(max_length=10, choices=Level.choices)
    threat_rationale = models.TextField()
    harm = models.CharField(max_length=10, choices=Level.choices)
    harm_rationale = models.TextField()
    risk = models.CharField(max_length=10, choices=Level.choices)
    risk_rationale = models.TextField()
    investigation = models.CharField(max_length=20, choices=InvestigationNeed.choices)
    investigation_rationale = models.TextField()
    vulnerability = models.CharField(max_length=20, choices=VulnerabilityLevel.choices)
    vulnerability_rationale = models.TextField()
    engagement = models.CharField(max_length=15, choices=Engagement.choices)
    engagement_rationale = models.TextField()
    vulnerability_factors = models.JSONField(default=list, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_at", "-id"]

    def __str__(self) -> str:
        return f"THRIVE for {self.contact_id} at {self.assessed_at:%Y-%m-%d %H:%M}"


class GradingRule(models.Model):
    """One named rule of the grading table: when its conditions hold, it suggests a grade and a route.

    Reference data that administrators edit. Blank conditions match anything; a level
    condition holds at that level or above. The most urgent grade among the rules that
    fire wins; among those, the first in position order gives the route.
    """

    name = models.CharField(max_length=120, unique=True)
    text = models.TextField(help_text="The rule in words, shown to the handler as the reason for the suggestion.")
    position = models.PositiveIntegerField(default=100, help_text="Lower goes first when rules tie on grade.")
    active = models.BooleanField(default=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    incident_category = models.CharField(max_length=20, choices=IncidentCategory.choices, blank=True)
    incident_type = models.ForeignKey(IncidentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    threat_at_least = models.CharField(max_length=10, choices=Level.choices, blank=True)
    harm_at_least = models.CharField(max_length=10, choices=Level.choices, blank=True)
    risk_at_least = models.CharField(max_length=10, choices=Level.choices, blank=True)
    investigation = models.CharField(max_length=20, choices=InvestigationNeed.choices, blank=True)
    vulnerability_at_least = models.CharField(max_length=20, choices=VulnerabilityLevel.choices, blank=True)
    engagement = models.CharField(max_length=15, choices=Engagement.choices, blank=True)
    requires_repeat_victim = models.BooleanField(default=False)
    requires_repeat_location = models.BooleanField(default=False)
    requires_vulnerability_factor = models.BooleanField(default=False)
    grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    route = models.CharField(max_length=20, choices=Route.choices)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(grade__gte=1, grade__lte=4), name="contacts_rule_grade_1_to_4"),
        ]

    def __str__(self) -> str:
        return self.name


class GradeDecision(models.Model):
    """The grade and route given to a contact, the suggestion it was given beside, and why they differ.

    The rules that fired are copied (name and text), so a later edit of the table does
    not rewrite the reasons a handler saw. An override needs a reason and is reported.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="grade_decisions")
    thrive = models.ForeignKey(ThriveAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    suggested_grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    suggested_route = models.CharField(max_length=20, choices=Route.choices, blank=True)
    rules_fired = models.JSONField(default=list, blank=True)
    grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    route = models.CharField(max_length=20, choices=Route.choices)
    overridden = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["overridden", "decided_at"], name="contacts_grade_overrides")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(overridden=False) | ~models.Q(override_reason=""),
                name="contacts_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"grade {self.grade} {self.route} for {self.contact_id}"


class PartnerAgency(models.Model):
    """An organisation a caller can be signposted to (DOMAIN.md §9). Reference data administrators edit."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    handles = models.TextField(help_text="What they deal with, in the words a handler reads to the caller.")
    contact_details = models.CharField(max_length=200, blank=True, help_text="Phone number or web address.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "partner agencies"

    def __str__(self) -> str:
        return self.name


class AdviceArticle(models.Model):
    """A piece of advice from the knowledge base that can resolve a contact at first contact."""

    title = models.CharField(max_length=160, unique=True)
    body = models.TextField()
    keywords = models.CharField(max_length=300, blank=True, help_text="Words a handler might search for.")
    incident_types = models.ManyToManyField(IncidentType, blank=True, related_name="advice_articles")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class OutcomeKind(models.TextChoices):
    ADVICE = "advice", "Resolved with advice"
    SIGNPOST = "signpost", "Signposted to a partner agency"
    ROUTED = "routed", "Routed for deployment or investigation"
    OTHER_FORCE = "other_force", "Passed to another force"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


RESOLVED_AT_FIRST_CONTACT = (OutcomeKind.ADVICE, OutcomeKind.SIGNPOST)


class ContactOutcome(models.Model):
    """How a contact ended at first contact: advice, a signpost, or routing on. One per contact."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="outcome")
    kind = models.CharField(max_length=20, choices=OutcomeKind.choices)
    advice_article = models.ForeignKey(AdviceArticle, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    partner_agency = models.ForeignKey(PartnerAgency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    resolved_at_first_contact = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["recorded_at", "resolved_at_first_contact"], name="contacts_outcome_resolved")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.contact_id}"


class ChecklistKind(models.TextChoices):
    DASH = "dash", "DASH"
    DARA = "dara", "DARA"


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class RiskChecklist(models.Model):
    """A version of a domestic abuse risk checklist (DASH 24, a police 27-question variant, DARA).

    Versioned: a changed wording is a new row, so an assessment always shows the
    questions it was answered against.
    """

    code = models.SlugField(max_length=40)
    version = models.CharField(max_length=20)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=ChecklistKind.choices)
    questions = models.JSONField(help_text='A list of {"code": ..., "text": ...}.')
    high_from = models.PositiveSmallIntegerField(default=14)
    medium_from = models.PositiveSmallIntegerField(default=10)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="contacts_checklist_version_once")]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class DashAssessment(models.Model):
    """A victim's answers to a risk checklist at a contact, the scored and final risk levels, and escalation."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="dash_assessments")
    victim = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="dash_assessments")
    checklist = models.ForeignKey(RiskChecklist, on_delete=models.PROTECT, related_name="assessments")
    answers = models.JSONField(help_text='{"question code": "yes" | "no" | "not_known"}')
    yes_count = models.PositiveSmallIntegerField()
    scored_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    judgement_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    judgement_reason = models.TextField(blank=True)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    call_outs_12_months = models.PositiveIntegerField(default=0)
    escalation = models.BooleanField(default=False)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["victim", "assessed_at"], name="contacts_dash_victim")]

    def __str__(self) -> str:
        return f"{self.checklist.code} {self.risk_level} for {self.victim_id}"


class MaracReferral(models.Model):
    """A referral of a victim to the multi-agency risk assessment conference, with the grounds for it."""

    victim = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="marac_referrals")
    assessment = models.ForeignKey(DashAssessment, on_delete=models.PROTECT, related_name="marac_referrals")
    grounds = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["victim", "created_at"], name="contacts_marac_victim")]

    def __str__(self) -> str:
        return f"MARAC referral for {self.victim_id}"


# --- Scheduled appointments (grade 3) -------------------------------------------------------------


class AppointmentPattern(models.Model):
    """When a team sees the public by appointment: days, hours, slot length and how many at once.

    Reference data administrators edit; ``generate_appointment_slots`` turns it into
    slots. Several patterns per team are allowed (a weekday surgery and a Saturday one).
    """

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="appointment_patterns")
    name = models.CharField(max_length=120, help_text="Like 'Weekday appointments'.")
    weekdays = models.JSONField(default=list, help_text="Days of the week: 0 Monday to 6 Sunday, e.g. [0, 1, 2, 3, 4].")
    starts = models.TimeField(help_text="Time of the first slot (London time).")
    ends = models.TimeField(help_text="No slot runs past this time (London time).")
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    capacity = models.PositiveSmallIntegerField(default=1, help_text="Appointments that can share a slot.")
    place = models.CharField(max_length=200, help_text="Where: a police station, the caller's home, or by phone.")
    skip_bank_holidays = models.BooleanField(default=True, help_text="No slots on English bank holidays.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(slot_minutes__gte=5, slot_minutes__lte=240),
                                   name="contacts_pattern_slot_5_to_240"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="contacts_pattern_capacity"),
            models.CheckConstraint(condition=models.Q(ends__gt=models.F("starts")), name="contacts_pattern_ends_after"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.name}"


class AppointmentSlot(models.Model):
    """A time a team can see a caller, with room for ``capacity`` appointments."""

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="appointment_slots")
    pattern = models.ForeignKey(AppointmentPattern, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(default=1)
    place = models.CharField(max_length=200)

    class Meta:
        ordering = ["starts_at", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "starts_at"], name="contacts_slot_once_per_team"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="contacts_slot_ends_after"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="contacts_slot_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    MOVED = "moved", "Moved to another time"
    CANCELLED = "cancelled", "Cancelled"


class NotifyBy(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "E-mail"
    NONE = "none", "Do not send a message"


class Appointment(models.Model):
    """A caller's appointment with a team, agreed at first contact (grade 3, route 'appointment').

    No double booking: each booked appointment holds one numbered seat of its slot, and
    a seat can be held by one booked appointment only (a unique constraint, so even two
    bookings racing past the row lock cannot both win). A contact has at most one
    booked appointment; moving one marks it moved and books the new time.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="appointments")
    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    seat = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    notify_by = models.CharField(max_length=10, choices=NotifyBy.choices, default=NotifyBy.SMS)
    notes = models.TextField(blank=True)
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)
    moved_from = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="moved_to")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    booked_at = models.DateTimeField(default=timezone.now)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True, help_text="Why it was moved or cancelled.")

    class Meta:
        ordering = ["slot__starts_at", "seat"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "seat"], condition=models.Q(status="booked"),
                                    name="contacts_appointment_seat_once"),
            models.UniqueConstraint(fields=["contact"], condition=models.Q(status="booked"),
                                    name="contacts_one_booked_appointment"),
            models.CheckConstraint(condition=models.Q(seat__gte=1), name="contacts_appointment_seat_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} at {self.slot}"


class TeamCalendarFeed(models.Model):
    """A team's secret calendar subscription address, for calendar programs that poll without signing in.

    Only the SHA-256 of the token is kept: the address is shown once when it is made, and a
    copy of the database opens no feed. A team has at most one live address; replacing it
    revokes the old one, so a leaked address is shut by making a new one.
    """

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The page's one-off form token: a second submit of the same form makes no second address.
    form_token = models.CharField(max_length=40, null=True, blank=True, unique=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team"], condition=models.Q(revoked_at__isnull=True),
                                    name="contacts_one_live_calendar_feed"),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.team_id}" + (" (revoked)" if self.revoked_at else "")


class AppointmentCalendarLink(models.Model):
    """The unguessable link in a message to the caller that downloads their appointment as a calendar file.

    One per message sent (booked, moved, cancelled); every link of an appointment that was
    moved opens the latest time agreed, or its cancellation. Only the token's hash is kept.
    """

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="calendar_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar link of appointment {self.appointment_id}"


# --- Quality audit of calls -------------------------------------------------------------------------


class QualityChecklist(models.Model):
    """A version of the checklist an auditor scores a vulnerability assessment against.

    Versioned like the risk checklists: a changed wording is a new row, so a review
    always shows the questions it was scored on. Items are
    ``{"code", "text", "when": "always" | "domestic"}``; "domestic" items can be
    marked not applicable when the contact is not about domestic abuse.
    """

    code = models.SlugField(max_length=40)
    version = models.CharField(max_length=20)
    name = models.CharField(max_length=120)
    items = models.JSONField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="contacts_quality_version_once")]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class QualitySample(models.Model):
    """The contacts drawn for one handler's quality audit in one month: a reproducible random sample."""

    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quality_samples")
    month = models.DateField(help_text="The first day of the month sampled.")
    size = models.PositiveSmallIntegerField()
    seed = models.CharField(max_length=60, help_text="What the random draw was seeded with, to draw it again.")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "handler__username"]
        constraints = [models.UniqueConstraint(fields=["handler", "month"], name="contacts_quality_sample_once")]

    def __str__(self) -> str:
        return f"{self.handler} {self.month:%B %Y}"


class QualityReview(models.Model):
    """One sampled contact, and once scored, the auditor's answers, score and comments (the handler's feedback)."""

    sample = models.ForeignKey(QualitySample, on_delete=models.CASCADE, related_name="reviews")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="quality_reviews")
    checklist = models.ForeignKey(QualityChecklist, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict, blank=True, help_text='{"item code": "yes" | "no" | "na"}')
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Per cent of applicable items met.")
    comments = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sample", "contact__received_at"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "contact"], name="contacts_quality_review_once"),
            models.CheckConstraint(condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                                   name="contacts_quality_score_percent"),
        ]

    def __str__(self) -> str:
        return f"quality review of {self.contact_id}"
