"""The person index: persons, the addresses they live at, and who lives where (households).

Each person has a current name on Person and may have other names (aliases, former
names, name at birth), phones, e-mails, identifiers, vulnerability markers and links
to crimes. Writes go through people.services and reads through people.selectors, both audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

PERSON_REFERENCE_PREFIX = "P"
PERSON_REFERENCE_DIGITS = 8


def person_reference(pk: int) -> str:
    """The stable public reference of a person, e.g. P00000042: quoted on the phone, never reused."""
    return f"{PERSON_REFERENCE_PREFIX}{pk:0{PERSON_REFERENCE_DIGITS}d}"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class Address(models.Model):
    """A place people live: gazetteer-style, with the point and the LSOA it falls in.

    Coordinates are floats (WGS84 degrees): the source snap points carry six decimals
    (about 0.1 m), and analytics (hex grids, hotspots) want floats, not Decimals.
    """

    number_or_name = models.CharField(max_length=80, blank=True, help_text="House number, flat or house name.")
    street = models.CharField(max_length=120)
    locality = models.CharField(max_length=80, blank=True, help_text="Local authority district or village.")
    town = models.CharField(max_length=80, blank=True, help_text="Post town.")
    postcode = models.CharField(max_length=8, db_index=True)
    uprn = models.CharField(max_length=12, blank=True, help_text="Unique Property Reference Number, when known.")
    lsoa_code = models.CharField(max_length=9, blank=True, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "addresses"
        indexes = [models.Index(fields=["street", "town"], name="people_address_street_town")]

    def __str__(self) -> str:
        first = f"{self.number_or_name} {self.street}".strip()
        return ", ".join(part for part in (first, self.town, self.postcode) if part)


class Person(models.Model):
    """Someone the force has had contact with: a caller, victim, witness or suspect."""

    reference = models.CharField(max_length=12, unique=True, help_text="Public reference, e.g. P00000042.")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.NOT_KNOWN)
    phone_e164 = models.CharField("phone number", max_length=16, blank=True, help_text="E.164, e.g. +447700900123.")
    email = models.EmailField(blank=True)
    addresses = models.ManyToManyField(Address, through="HouseholdMembership", related_name="residents")
    # Search columns (people.matching): names folded to plain lower-case ASCII, and their phonetic keys.
    given_norm = models.CharField(max_length=100, default="", db_default="", editable=False)
    family_norm = models.CharField(max_length=100, default="", db_default="", editable=False)
    given_key = models.CharField(max_length=20, default="", db_default="", editable=False)
    family_key = models.CharField(max_length=20, default="", db_default="", editable=False)
    # Set by a merge (people.duplicates.merge_persons), cleared by its undo. A record merged away is
    # retired: search filters on this column in the same statement that finds candidates.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records", editable=False,
    )
    # Set explicitly (not auto_now) so that imported and generated records keep their own times.
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            # What call-time search filters on first: surname, date of birth, phone.
            models.Index(fields=["family_name", "given_name"], name="people_person_names"),
            models.Index(fields=["date_of_birth", "family_name"], name="people_person_dob"),
            models.Index(fields=["phone_e164"], name="people_person_phone"),
            models.Index(fields=["family_norm", "given_norm"], name="people_person_norm"),
            models.Index(fields=["family_key", "date_of_birth"], name="people_person_family_key"),
            models.Index(fields=["given_key", "date_of_birth"], name="people_person_given_key"),
            # A name typed alone may be a given name: its rows by B-tree (people.selectors, NamePart).
            models.Index(fields=["given_norm"], name="people_person_given_norm"),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} ({self.reference})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class HouseholdMembership(models.Model):
    """A person living at an address from one date to another; no end date means they live there now.

    The household of a person is everyone with a current membership at the same address.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="memberships")
    from_date = models.DateField()
    to_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-from_date", "id"]
        indexes = [models.Index(fields=["address", "to_date"], name="people_household_current")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_date__isnull=True) | models.Q(to_date__gte=models.F("from_date")),
                name="people_household_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        until = self.to_date.isoformat() if self.to_date else "now"
        return f"{self.person_id} at {self.address_id} {self.from_date.isoformat()}–{until}"

    @property
    def is_current(self) -> bool:
        return self.to_date is None


# --- Names, contact points, identifiers, vulnerability and links (person-index issue) ---------------
#
# The search columns (``*_norm`` and ``*_key``) are written by the services from people.matching at
# write time, so that call-time search is an index lookup. ``db_default`` lets bulk loaders that
# insert raw rows (the demo force, the benchmark) leave them for ``refresh_search_keys`` to fill.

NAME_MAX = 100
KEY_MAX = 20


class NameKind(models.TextChoices):
    ALIAS = "alias", "Alias (also known as)"
    FORMER = "former", "Former name"
    BIRTH = "birth", "Name at birth"


class PersonName(models.Model):
    """Another name a person is or was known by: an alias, a former name, or their name at birth.

    The current name stays on Person; these are searched alongside it.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=10, choices=NameKind.choices)
    given_name = models.CharField(max_length=NAME_MAX, blank=True)
    family_name = models.CharField(max_length=NAME_MAX)
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    given_norm = models.CharField(max_length=NAME_MAX, default="", db_default="", editable=False)
    family_norm = models.CharField(max_length=NAME_MAX, default="", db_default="", editable=False)
    given_key = models.CharField(max_length=KEY_MAX, default="", db_default="", editable=False)
    family_key = models.CharField(max_length=KEY_MAX, default="", db_default="", editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "family_name", "given_name", "id"]
        indexes = [
            models.Index(fields=["family_norm", "given_norm"], name="people_name_norm"),
            models.Index(fields=["family_key"], name="people_name_family_key"),
            models.Index(fields=["given_key"], name="people_name_given_key"),
            models.Index(fields=["given_norm"], name="people_name_given_norm"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_date__isnull=True) | models.Q(from_date__isnull=True)
                | models.Q(to_date__gte=models.F("from_date")),
                name="people_name_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} ({self.get_kind_display()})".strip()


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    HOME = "home", "Home"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class PersonPhone(models.Model):
    """A phone number a person can be reached on, in E.164; Person.phone_e164 is the primary one."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=16, help_text="E.164, e.g. +447700900123.")
    kind = models.CharField(max_length=10, choices=PhoneKind.choices, default=PhoneKind.OTHER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["number"], name="people_phone_number")]
        constraints = [models.UniqueConstraint(fields=["person", "number"], name="people_phone_once_per_person")]

    def __str__(self) -> str:
        return f"{self.number} ({self.kind})"


class PersonEmail(models.Model):
    """An e-mail address of a person, stored in lower case; Person.email is the primary one."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["address"], name="people_email_address")]
        constraints = [models.UniqueConstraint(fields=["person", "address"], name="people_email_once_per_person")]

    def __str__(self) -> str:
        return self.address


class IdentifierKind(models.TextChoices):
    PNC_ID = "pnc_id", "PNC ID"
    CRO_NUMBER = "cro_number", "CRO number"
    DRIVING_LICENCE = "driving_licence", "Driving licence number (GB)"
    PASSPORT = "passport", "Passport number"
    NHS_NUMBER = "nhs_number", "NHS number"
    NATIONAL_INSURANCE = "national_insurance", "National Insurance number"
    OTHER = "other", "Other"


class PersonIdentifier(models.Model):
    """A reference another system holds the person by (PNC ID, driving licence…), in its canonical form."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=20, choices=IdentifierKind.choices)
    value = models.CharField(max_length=40)
    issuer = models.CharField(max_length=80, blank=True, help_text="Who issued it, for passports and 'other'.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["kind", "value"], name="people_identifier_value")]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "value"], name="people_identifier_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class VulnerabilityKind(models.TextChoices):
    CHILD = "child", "Child"
    ELDERLY = "elderly", "Elderly"
    MENTAL_HEALTH = "mental_health", "Mental health"
    DISABILITY = "disability", "Disability"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse history"
    MISSING_EPISODES = "missing_episodes", "Missing episodes"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    COMMUNICATION = "communication", "Language or communication needs"
    OTHER = "other", "Other"


class VulnerabilityMarker(models.Model):
    """Something that makes a person vulnerable, from one date to another, and who said so.

    Surfaced at first contact for the person and their household; no end date means it applies now.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vulnerabilities")
    kind = models.CharField(max_length=20, choices=VulnerabilityKind.choices)
    from_date = models.DateField()
    to_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=120, help_text="Where it comes from, e.g. a contact reference or a partner.")
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-from_date", "id"]
        indexes = [models.Index(fields=["person", "to_date"], name="people_vulnerability_current")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_date__isnull=True) | models.Q(to_date__gte=models.F("from_date")),
                name="people_vulnerability_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.from_date.isoformat()}"

    @property
    def is_current(self) -> bool:
        return self.to_date is None or self.to_date >= timezone.localdate()


class LinkRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    SUSPECT = "suspect", "Suspect"
    CALLER = "caller", "Caller"
    OTHER = "other", "Other"


class PersonLink(models.Model):
    """A person's part in a crime, in a role: the crime by its key and, kept in step, its reference.

    Links to contacts are contacts.ContactPerson (owned by the contacts app).
    ``people.selectors.person_links`` returns both as one history. ``crime`` is empty only on
    links written before crimes had records to point at (their reference matched none).
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="crime_links")
    crime = models.ForeignKey(
        "cases.Crime", null=True, blank=True, on_delete=models.PROTECT, related_name="person_links",
    )
    crime_reference = models.CharField(max_length=20)
    role = models.CharField(max_length=10, choices=LinkRole.choices)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "id"]
        indexes = [models.Index(fields=["crime_reference"], name="people_link_crime")]
        constraints = [
            models.UniqueConstraint(fields=["person", "crime_reference", "role"], name="people_link_role_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.role} in {self.crime_reference}"


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    MERGED = "merged", "Merged"
    REJECTED = "rejected", "Not the same person"


class DuplicateCandidate(models.Model):
    """Two person records the duplicate job scored as probably the same person, for a reviewer to decide.

    One row per pair (lower id first); the score and the reasons are the model's at the time it ran.
    """

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(help_text="The model's probability that both are the same person (0–1).")
    match_weight = models.FloatField(help_text="Sum of the log2 Bayes factors of the fields compared.")
    reasons = models.JSONField(default=list, help_text="Per field: the level it fell in and that level's weight.")
    status = models.CharField(max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING)
    found_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-probability", "id"]
        indexes = [models.Index(fields=["status", "probability"], name="people_duplicate_queue")]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="people_duplicate_pair_once"),
            models.CheckConstraint(condition=models.Q(person_a__lt=models.F("person_b")), name="people_duplicate_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.probability:.3f}, {self.status})"


class PersonMerge(models.Model):
    """One person record folded into another, with everything that moved, so that it can be undone.

    ``moved`` maps "app_label.model.field" to the ids of the rows re-pointed from the duplicate to the
    survivor; ``added`` maps "app_label.model" to rows created on the survivor (aliases, phones).
    While not undone, the duplicate is retired: search and the queue leave it out.
    """

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    duplicate = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(DuplicateCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moved = models.JSONField(default=dict)
    added = models.JSONField(default=dict)
    reason = models.TextField()
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "id"]
        constraints = [
            # A record can be merged away only once at a time.
            models.UniqueConstraint(
                fields=["duplicate"], condition=models.Q(undone_at__isnull=True), name="people_merge_active_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duplicate_id} into {self.survivor_id}{' (undone)' if self.undone_at else ''}"

    @property
    def is_active(self) -> bool:
        return self.undone_at is None


class DuplicateRun(models.Model):
    """One run of the duplicate job: what it looked at, what it queued, and the weights it learned.

    The newest run's ``weights`` are the model the call-time scorer can read (one model, two paths).
    """

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    persons = models.PositiveIntegerField(default=0)
    pairs_scored = models.PositiveIntegerField(default=0, help_text="Pairs at or above the review threshold.")
    queued = models.PositiveIntegerField(default=0, help_text="New pairs added to the review queue.")
    weights = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "id"]

    def __str__(self) -> str:
        return f"Duplicate run {self.started_at:%Y-%m-%d %H:%M}: {self.queued} queued"


class SubmittedChange(models.Model):
    """A change form already acted on, by its one-time token: the same form sent twice changes nothing twice.

    The unique token makes a second submission (a double click, a refresh, a retry after a time-out)
    fail inside the transaction that would have repeated the change, however close together they come.
    """

    token = models.CharField(max_length=64, unique=True)
    model = models.CharField(max_length=40, help_text="app_label.model of the row the change made.")
    object_id = models.BigIntegerField()
    submitted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.token} → {self.model} {self.object_id}"


class NamePart(models.Model):
    """Every distinct folded family name and given name held on a person or one of their other names.

    Name-only search looks for names like the one typed in this small list (a GiST trigram index,
    PostgreSQL only) and then fetches the persons bearing them by B-tree, rather than scanning
    trigram lists of tens of thousands of persons. On PostgreSQL a trigger fills it as persons and
    other names are written (COPY included); names no longer borne by anyone stay, harmlessly.
    """

    FAMILY = "f"
    GIVEN = "g"

    kind = models.CharField(max_length=1, choices=[(FAMILY, "Family name"), (GIVEN, "Given name")])
    norm = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "norm"], name="people_namepart_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.norm}"

