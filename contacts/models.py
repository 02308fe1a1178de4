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

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["received_at"], name="contacts_received"),
            models.Index(fields=["caller", "received_at"], name="contacts_caller_received"),
            models.Index(fields=["address", "received_at"], name="contacts_address_received"),
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
