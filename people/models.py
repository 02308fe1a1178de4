"""The person index: persons, the addresses they live at, and who lives where (households).

Minimal on purpose: the person-index issue adds aliases, identifiers, vulnerability
markers and matching. Names and relations here are the ones it builds on.
"""

from __future__ import annotations

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
