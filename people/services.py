"""Business actions on the person index. Each writes its audit entry in the same transaction.

DPA 2018 Part 3 s.62: collection and alteration of personal data are logged with who,
when and which record; the log row commits or fails with the change.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record_entry, subject_of

from .models import Address, Gender, HouseholdMembership, Person, person_reference

# The fields a member of staff may change on a person through ``amend_person``.
AMENDABLE_FIELDS = ("given_name", "family_name", "date_of_birth", "gender", "phone_e164", "email")
OLDEST_AGE_YEARS = 130


def normalise_phone(raw: str, *, field: str = "phone_e164") -> str:
    """A phone number as E.164 (+447700900123), from any way it was typed; UK numbers need no +44.

    Empty stays empty. Anything that is not a possible number is refused naming the field.
    """
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        number = None
    # "Possible" (right length for the country), not "valid": Ofcom's drama ranges and new ranges must pass.
    if number is None or phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise ValidationError(
            {field: f"Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192 (not {text!r})."}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise person fields; every problem is reported against its field at once."""
    errors: dict[str, str] = {}
    cleaned = dict(values)
    for name in ("given_name", "family_name"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
            if name == "family_name" and not cleaned[name]:
                errors[name] = "Enter the family name (surname); use 'Unknown' if the caller will not give it."
            elif len(cleaned[name]) > Person._meta.get_field(name).max_length:
                errors[name] = f"{name.replace('_', ' ').capitalize()} must be 100 characters or fewer."
    if cleaned.get("date_of_birth") is not None:
        dob = cleaned["date_of_birth"]
        today = timezone.localdate()
        if not isinstance(dob, date):
            errors["date_of_birth"] = "Date of birth must be a real date, for example 27 3 1985."
        elif dob > today:
            errors["date_of_birth"] = "Date of birth must be today or in the past."
        elif dob < today - timedelta(days=int(OLDEST_AGE_YEARS * 365.25)):
            errors["date_of_birth"] = f"Date of birth must be within the last {OLDEST_AGE_YEARS} years."
    if "gender" in cleaned:
        cleaned["gender"] = cleaned["gender"] or Gender.NOT_KNOWN
        if cleaned["gender"] not in Gender.values:
            errors["gender"] = f"Gender must be one of {', '.join(Gender.values)}."
    if "phone_e164" in cleaned:
        try:
            cleaned["phone_e164"] = normalise_phone(cleaned["phone_e164"])
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].strip()
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = "Enter an e-mail address in the correct format, like name@example.com."
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def record_person(
    *,
    actor: Any,
    given_name: str,
    family_name: str,
    date_of_birth: date | None = None,
    gender: str = Gender.NOT_KNOWN,
    phone_e164: str = "",
    email: str = "",
    address: Address | None = None,
    living_there_since: date | None = None,
    reason: str = "",
) -> Person:
    """Add a person to the index (and, if given, to the household at an address); logged as a collection."""
    values = _clean({
        "given_name": given_name, "family_name": family_name, "date_of_birth": date_of_birth, "gender": gender,
        "phone_e164": phone_e164, "email": email,
    })
    now = timezone.now()
    # The reference comes from the id, which exists only after the insert: a unique placeholder until then.
    person = Person.objects.create(reference=uuid.uuid4().hex[:12], created_at=now, updated_at=now, **values)
    person.reference = person_reference(person.pk)
    person.save(update_fields=["reference"])
    if address is not None:
        HouseholdMembership.objects.create(
            person=person, address=address, from_date=living_there_since or timezone.localdate()
        )
    subject_type, subject_id = subject_of(person)
    record_entry(
        actor=actor, action=Action.COLLECTION, subject_type=subject_type, subject_id=subject_id,
        person_id=person.pk, reason=reason,
        detail={"fields": sorted(k for k, v in values.items() if v), "address_id": getattr(address, "pk", None)},
    )
    return person


@transaction.atomic
def amend_person(*, actor: Any, person: Person, changes: dict[str, Any], reason: str = "") -> Person:
    """Change a person's details; logged as an alteration naming the fields changed (not their values)."""
    unknown = sorted(set(changes) - set(AMENDABLE_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: f"Only these can be changed here: {', '.join(AMENDABLE_FIELDS)}."})
    values = _clean(changes)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    changed = sorted(name for name, value in values.items() if getattr(locked, name) != value)
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, values[name])
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*changed, "updated_at"])
    subject_type, subject_id = subject_of(locked)
    record_entry(
        actor=actor, action=Action.ALTERATION, subject_type=subject_type, subject_id=subject_id,
        person_id=locked.pk, reason=reason, detail={"fields": changed},
    )
    return locked


@transaction.atomic
def record_address(
    *,
    number_or_name: str,
    street: str,
    postcode: str,
    town: str = "",
    locality: str = "",
    lsoa_code: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> Address:
    """Add an address to the gazetteer. An address alone is not a person's data: linking someone to it is."""
    errors = {}
    if not street.strip():
        errors["street"] = "Enter the street."
    postcode = " ".join(postcode.upper().split())
    if not postcode:
        errors["postcode"] = "Enter the postcode, like ST16 2DH."
    if latitude is not None and not -90 <= latitude <= 90:
        errors["latitude"] = "Latitude must be between -90 and 90 degrees."
    if longitude is not None and not -180 <= longitude <= 180:
        errors["longitude"] = "Longitude must be between -180 and 180 degrees."
    if errors:
        raise ValidationError(errors)
    return Address.objects.create(
        number_or_name=number_or_name.strip(), street=street.strip(), postcode=postcode, town=town.strip(),
        locality=locality.strip(), lsoa_code=lsoa_code.strip(), latitude=latitude, longitude=longitude,
    )


@transaction.atomic
def move_person(*, actor: Any, person: Person, address: Address, from_date: date, reason: str = "") -> HouseholdMembership:
    """Record that a person lives at an address from a date, ending where they lived before; an alteration.

    A household is the people living at the same address now, so the earlier
    memberships end the day before the move.
    """
    current = HouseholdMembership.objects.select_for_update().filter(person=person, to_date__isnull=True)
    for membership in current:
        if membership.address_id == address.pk:
            return membership
        if from_date <= membership.from_date:
            raise ValidationError({"from_date": "The move must be after the date they started living at their current address."})
        membership.to_date = from_date - timedelta(days=1)
        membership.save(update_fields=["to_date"])
    membership = HouseholdMembership.objects.create(person=person, address=address, from_date=from_date)
    subject_type, subject_id = subject_of(person)
    record_entry(
        actor=actor, action=Action.ALTERATION, subject_type=subject_type, subject_id=subject_id,
        person_id=person.pk, reason=reason, detail={"fields": ["address"], "address_id": address.pk},
    )
    return membership
