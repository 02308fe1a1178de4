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

from . import matching
from .models import (
    Address,
    Gender,
    HouseholdMembership,
    IdentifierKind,
    LinkRole,
    NameKind,
    Person,
    PersonEmail,
    PersonIdentifier,
    PersonLink,
    PersonName,
    PersonPhone,
    PhoneKind,
    SubmittedChange,
    VulnerabilityKind,
    VulnerabilityMarker,
    person_reference,
)
from .rules import IdentifierError, canonical_identifier

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


def search_columns(given_name: str, family_name: str) -> dict[str, str]:
    """The folded names and phonetic keys stored beside a name so that search is an index lookup."""
    given, family = matching.fold(given_name), matching.fold(family_name)
    return {
        "given_norm": given[:100], "family_norm": family[:100],
        "given_key": matching.phonetic_key(given), "family_key": matching.phonetic_key(family),
    }


def canonical_postcode(raw: str) -> str:
    """A postcode in capitals with one space before the last three characters: 'st162dh' → 'ST16 2DH'."""
    compact = matching.fold_postcode(raw)
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


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
    person = Person.objects.create(
        reference=uuid.uuid4().hex[:12], created_at=now, updated_at=now, **values,
        **search_columns(values["given_name"], values["family_name"]),
    )
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
    keys: list[str] = []
    if {"given_name", "family_name"} & set(changed):
        for key, value in search_columns(locked.given_name, locked.family_name).items():
            setattr(locked, key, value)
            keys.append(key)
    locked.updated_at = timezone.now()
    locked.save(update_fields=[*changed, *keys, "updated_at"])
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
    postcode = canonical_postcode(postcode)
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


FORM_TOKEN_MAX = 64


def _already_submitted(token: str | None, model: type) -> Any | None:
    """The row an earlier submission of the same form made, if this token was used before."""
    token = (token or "").strip()
    if not token:
        return None
    if len(token) > FORM_TOKEN_MAX:
        raise ValidationError({"form_token": f"The form token must be {FORM_TOKEN_MAX} characters or fewer."})
    done = SubmittedChange.objects.filter(token=token).values_list("object_id", flat=True).first()
    return None if done is None else model._default_manager.filter(pk=done).first()


def _remember_submission(token: str | None, row: Any) -> None:
    """Claim the token in the change's own transaction: a racing twin fails on the unique token and rolls back."""
    token = (token or "").strip()
    if token:
        SubmittedChange.objects.create(token=token, model=row._meta.label_lower, object_id=row.pk)


def _log_alteration(*, actor: Any, person: Person, reason: str, action: str = Action.ALTERATION,
                    detail: dict[str, Any]) -> None:
    subject_type, subject_id = subject_of(person)
    record_entry(actor=actor, action=action, subject_type=subject_type, subject_id=subject_id,
                 person_id=person.pk, reason=reason, detail=detail)


def _dates_in_order(from_date: date | None, to_date: date | None, errors: dict[str, str]) -> None:
    today = timezone.localdate()
    if from_date is not None and from_date > today:
        errors["from_date"] = "The start date must be today or in the past."
    if from_date is not None and to_date is not None and to_date < from_date:
        errors["to_date"] = "The end date must be the same as or after the start date."


@transaction.atomic
def record_other_name(
    *, actor: Any, person: Person, kind: str, family_name: str, given_name: str = "",
    from_date: date | None = None, to_date: date | None = None, reason: str = "", form_token: str | None = None,
) -> PersonName:
    """Record an alias, a former name or a name at birth, searched like the current name; an alteration.

    With a ``form_token``, a second submission of the same form returns the name the first one made.
    """
    if (earlier := _already_submitted(form_token, PersonName)) is not None:
        return earlier
    errors: dict[str, str] = {}
    if kind not in NameKind.values:
        errors["kind"] = f"The kind of name must be one of {', '.join(NameKind.values)}."
    given_name, family_name = (given_name or "").strip(), (family_name or "").strip()
    if not family_name:
        errors["family_name"] = "Enter the family name (surname) they were known by."
    for name, value in (("given_name", given_name), ("family_name", family_name)):
        if len(value) > 100:
            errors[name] = f"{name.replace('_', ' ').capitalize()} must be 100 characters or fewer."
    _dates_in_order(from_date, to_date, errors)
    if errors:
        raise ValidationError(errors)
    other = PersonName.objects.create(
        person=person, kind=kind, given_name=given_name, family_name=family_name, from_date=from_date,
        to_date=to_date, **search_columns(given_name, family_name),
    )
    _log_alteration(actor=actor, person=person, reason=reason, detail={"fields": ["other_names"], "kind": kind})
    _remember_submission(form_token, other)
    return other


@transaction.atomic
def add_phone(*, actor: Any, person: Person, number: str, kind: str = PhoneKind.OTHER, reason: str = "") -> PersonPhone:
    """Add a phone number (normalised to E.164); the first one also becomes the person's primary number."""
    if kind not in PhoneKind.values:
        raise ValidationError({"kind": f"The kind of phone must be one of {', '.join(PhoneKind.values)}."})
    e164 = normalise_phone(number, field="number")
    if not e164:
        raise ValidationError({"number": "Enter the phone number."})
    phone, created = PersonPhone.objects.get_or_create(person=person, number=e164, defaults={"kind": kind})
    if created:
        if not person.phone_e164:
            Person.objects.filter(pk=person.pk).update(phone_e164=e164, updated_at=timezone.now())
            person.phone_e164 = e164
        _log_alteration(actor=actor, person=person, reason=reason, detail={"fields": ["phones"]})
    return phone


@transaction.atomic
def add_email(*, actor: Any, person: Person, address: str, reason: str = "") -> PersonEmail:
    """Add an e-mail address (stored in lower case); the first one also becomes the primary address."""
    text = (address or "").strip().lower()
    try:
        validate_email(text)
    except ValidationError:
        raise ValidationError({"address": "Enter an e-mail address in the correct format, like name@example.com."}) from None
    email, created = PersonEmail.objects.get_or_create(person=person, address=text)
    if created:
        if not person.email:
            Person.objects.filter(pk=person.pk).update(email=text, updated_at=timezone.now())
            person.email = text
        _log_alteration(actor=actor, person=person, reason=reason, detail={"fields": ["emails"]})
    return email


@transaction.atomic
def add_identifier(*, actor: Any, person: Person, kind: str, value: str, issuer: str = "",
                   reason: str = "") -> PersonIdentifier:
    """Record a reference another system holds the person by, checked against its format (people.rules)."""
    try:
        canonical = canonical_identifier(kind, value)
    except IdentifierError as exc:
        field_name = "kind" if kind not in IdentifierKind.values else "value"
        raise ValidationError({field_name: str(exc)}) from None
    identifier, created = PersonIdentifier.objects.get_or_create(
        person=person, kind=kind, value=canonical, defaults={"issuer": (issuer or "").strip()[:80]}
    )
    if created:
        _log_alteration(actor=actor, person=person, reason=reason, detail={"fields": ["identifiers"], "kind": kind})
    return identifier


@transaction.atomic
def record_vulnerability(
    *, actor: Any, person: Person, kind: str, from_date: date, source: str, to_date: date | None = None,
    notes: str = "", reason: str = "", form_token: str | None = None,
) -> VulnerabilityMarker:
    """Mark a person as vulnerable in a way, from a date, and say where that comes from; an alteration.

    With a ``form_token``, a second submission of the same form returns the marker the first one made.
    """
    if (earlier := _already_submitted(form_token, VulnerabilityMarker)) is not None:
        return earlier
    errors: dict[str, str] = {}
    if kind not in VulnerabilityKind.values:
        errors["kind"] = f"The vulnerability must be one of {', '.join(VulnerabilityKind.values)}."
    if from_date is None:
        errors["from_date"] = "Enter the date it applies from."
    source = (source or "").strip()
    if not source:
        errors["source"] = "Enter where this comes from, for example a contact reference or a partner agency."
    elif len(source) > 120:
        errors["source"] = "The source must be 120 characters or fewer."
    _dates_in_order(from_date, to_date, errors)
    if errors:
        raise ValidationError(errors)
    marker = VulnerabilityMarker.objects.create(
        person=person, kind=kind, from_date=from_date, to_date=to_date, source=source, notes=(notes or "").strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    _log_alteration(actor=actor, person=person, reason=reason, detail={"fields": ["vulnerabilities"], "kind": kind})
    _remember_submission(form_token, marker)
    return marker


@transaction.atomic
def end_vulnerability(*, actor: Any, marker: VulnerabilityMarker, to_date: date, reason: str = "",
                      form_token: str | None = None) -> VulnerabilityMarker:
    """Record the date a vulnerability stopped applying; the marker stays in the history.

    An end date may be today, in the past, or planned (a bail condition ending next month);
    a marker already ended keeps its date unless a new one is given.
    """
    if (earlier := _already_submitted(form_token, VulnerabilityMarker)) is not None:
        return earlier
    locked = VulnerabilityMarker.objects.select_for_update().get(pk=marker.pk)
    if to_date is None:
        raise ValidationError({"to_date": "Enter the date it stopped applying."})
    if to_date < locked.from_date:
        raise ValidationError({"to_date": "The end date must be the same as or after the start date."})
    locked.to_date = to_date
    locked.save(update_fields=["to_date"])
    _log_alteration(actor=actor, person=locked.person, reason=reason,
                    detail={"fields": ["vulnerabilities"], "kind": locked.kind, "ended": True})
    _remember_submission(form_token, locked)
    return locked


@transaction.atomic
def link_to_crime(*, actor: Any, person: Person, crime_reference: str, role: str, reason: str = "") -> PersonLink:
    """Record a person's part in a crime (victim, witness, suspect, caller); a person may hold several roles."""
    errors: dict[str, str] = {}
    reference = (crime_reference or "").strip().upper()
    if not reference or len(reference) > 20:
        errors["crime_reference"] = "Enter the crime reference, up to 20 characters."
    if role not in LinkRole.values:
        errors["role"] = f"The role must be one of {', '.join(LinkRole.values)}."
    if errors:
        raise ValidationError(errors)
    link, created = PersonLink.objects.get_or_create(person=person, crime_reference=reference, role=role)
    if created:
        _log_alteration(actor=actor, person=person, reason=reason,
                        detail={"fields": ["crime_links"], "role": role, "crime": reference})
    return link


def refresh_search_keys(*, batch_size: int = 5000) -> int:
    """Fill the folded-name and phonetic-key columns of persons and other names that lack them.

    For loaders that insert raw rows (the demo force, benchmarks): not an operation on
    anyone's data as such (the columns are derived from names already held), so not logged.
    """
    updated = 0
    for model in (Person, PersonName):
        while True:
            with transaction.atomic():
                rows = list(model.objects.filter(family_norm="").exclude(family_name="")
                            .values_list("pk", "given_name", "family_name")[:batch_size])
                if not rows:
                    break
                objects = [model(pk=pk, **search_columns(given, family)) for pk, given, family in rows]
                # A name that folds to nothing (punctuation only) keeps a marker, or it would be picked again.
                for obj in objects:
                    obj.family_norm = obj.family_norm or "-"
                model.objects.bulk_update(objects, ["given_norm", "family_norm", "given_key", "family_key"])
                updated += len(objects)
    return updated
