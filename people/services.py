"""Business actions on the person index. Each writes its audit entry in the same transaction.

DPA 2018 Part 3 s.62: collection and alteration of personal data are logged with who,
when and which record; the log row commits or fails with the change.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import erase_fields, record_entry, subject_of

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
    if from_date is None:
        raise ValidationError({"from_date": "Enter the date they moved."})
    if from_date > timezone.localdate():
        raise ValidationError({"from_date": "The date they moved must be today or in the past."})
    current = HouseholdMembership.objects.select_for_update().filter(person=person, to_date__isnull=True)
    for membership in current:
        if membership.address_id == address.pk:
            return membership
        if from_date <= membership.from_date:
            raise ValidationError({"from_date": (
                "The date they moved must be after "
                f"{membership.from_date.day} {membership.from_date:%B %Y}, when they started living at their "
                "current address.")})
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


CRIME_UNKNOWN = "Enter a crime reference that exists, like CR000000042."
LINK_ROLE_TAKEN = "They are already linked to {reference} as {role}; choose another crime or another role."


def _crime_by_reference(reference: str) -> Any:
    """The crime a typed reference names, read through the crimes app's selector; refused naming the field."""
    # Imported here: the crimes app's modules import the person index's when they load.
    from cases.selectors import crime_by_reference

    crime = crime_by_reference(reference) if reference and len(reference) <= 20 else None
    if crime is None:
        raise ValidationError({"crime_reference": CRIME_UNKNOWN})
    return crime


def _check_link(crime_reference: str, role: str) -> tuple[Any, str]:
    reference = (crime_reference or "").strip().upper()
    errors: dict[str, str] = {}
    if not reference:
        errors["crime_reference"] = "Enter the crime reference, like CR000000042."
    if role not in LinkRole.values:
        errors["role"] = f"The role must be one of {', '.join(LinkRole.values)}."
    if errors:
        raise ValidationError(errors)
    return _crime_by_reference(reference), role


@transaction.atomic
def link_to_crime(*, actor: Any, person: Person, crime_reference: str, role: str, reason: str = "") -> PersonLink:
    """Record a person's part in a crime (victim, witness, suspect, caller); a person may hold several roles.

    The crime must exist. Linking the same role again returns the link already held, so other
    apps (a suspect linked from the crime) can call it without checking first.
    """
    crime, role = _check_link(crime_reference, role)
    link, created = PersonLink.objects.get_or_create(
        person=person, crime_reference=crime.reference, role=role, defaults={"crime": crime}
    )
    if created:
        _log_alteration(actor=actor, person=person, reason=reason,
                        detail={"fields": ["crime_links"], "role": role, "crime": crime.reference})
    elif link.crime_id is None:
        PersonLink.objects.filter(pk=link.pk).update(crime=crime)
        link.crime = crime
    return link


@transaction.atomic
def record_crime_link(*, actor: Any, person: Person, crime_reference: str, role: str, reason: str = "",
                      form_token: str | None = None) -> PersonLink:
    """Link a person to a crime from their record; the same role in the same crime twice is refused.

    With a ``form_token``, a second submission of the same form returns the link the first one made.
    """
    if (earlier := _already_submitted(form_token, PersonLink)) is not None:
        return earlier
    crime, role = _check_link(crime_reference, role)
    if PersonLink.objects.filter(person=person, crime_reference=crime.reference, role=role).exists():
        raise ValidationError({"crime_reference": LINK_ROLE_TAKEN.format(
            reference=crime.reference, role=LinkRole(role).label.lower())})
    link = PersonLink.objects.create(person=person, crime=crime, crime_reference=crime.reference, role=role)
    _log_alteration(actor=actor, person=person, reason=reason,
                    detail={"fields": ["crime_links"], "role": role, "crime": crime.reference})
    _remember_submission(form_token, link)
    return link


# --- removing what was added by mistake, and correcting it ----------------------------------------
# A removal is an erasure of that item, logged against the person with metadata only (the kind of
# item, its kind, whether it was the main one): never the number, address or value removed.

REASON_FOR_REMOVAL = "Enter the reason for removing it."


def already_done(token: str | None) -> bool:
    """Whether a change form with this one-time token has already been acted on (a second click, a refresh)."""
    token = (token or "").strip()
    return bool(token) and SubmittedChange.objects.filter(token=token).exists()


def _remember_removal(token: str | None, label: str, pk: int) -> None:
    token = (token or "").strip()
    if token:
        SubmittedChange.objects.create(token=token, model=label, object_id=pk)


def _log_erasure(*, actor: Any, person: Person, subject: tuple[str, str], reason: str, detail: dict[str, Any]) -> None:
    if not (reason or "").strip():
        raise ValidationError({"reason": REASON_FOR_REMOVAL})
    record_entry(actor=actor, action=Action.ERASURE, subject_type=subject[0], subject_id=subject[1],
                 person_id=person.pk, reason=reason, detail=detail)


def _locked_person(person: Person) -> Person:
    """The person's row, locked until the change commits.

    Removals and corrections of one person's record queue on this lock, so the second of two
    submissions of one form sent at once sees the first one's token (checked after the lock) and
    does nothing, rather than finding the item gone.
    """
    return Person.objects.select_for_update().get(pk=person.pk)


def _remove_main_or_further(*, person: Person, locked: Person, model: type, row_id: int | None, value_field: str,
                            main_field: str, same: Callable[[str], str], no_main: str, no_row: str,
                            ) -> tuple[Any, tuple[str, str], bool]:
    """Remove one phone number or e-mail address of a person: a further one (a row) or the main one.

    ``row_id`` None is a main value held on the person alone (no row repeats it). Search and the record
    read the main value and every further one, so they are kept in step: when the main value goes, the
    oldest further one (if any) becomes the main one. ``same`` folds values for comparing them (e-mail
    rows are kept in lower case). Returns the row removed (None for a main value alone), the audit
    subject, and whether the main value went.
    """
    main = getattr(locked, main_field)
    if row_id is None:
        if not main or model.objects.filter(person=locked, **{value_field: same(main)}).exists():
            raise model.DoesNotExist(no_main)
        row, value, subject = None, main, subject_of(locked)
    else:
        row = model.objects.select_for_update().filter(pk=row_id, person=locked).first()
        if row is None:
            raise model.DoesNotExist(no_row)
        value, subject = getattr(row, value_field), subject_of(row)
        row.delete()
    was_main = bool(main) and same(main) == same(value)
    if was_main:
        following = model.objects.filter(person=locked).order_by("id").values_list(value_field, flat=True).first()
        setattr(locked, main_field, following or "")
        locked.updated_at = timezone.now()
        locked.save(update_fields=[main_field, "updated_at"])
        setattr(person, main_field, getattr(locked, main_field))
    return row, subject, was_main


def _as_stored(value: str) -> str:
    """Phone numbers are held in E.164 on the person and on each row, so they compare as they are."""
    return value


@transaction.atomic
def remove_phone(*, actor: Any, person: Person, phone_id: int | None, reason: str,
                 form_token: str | None = None) -> None:
    """Remove a phone number added by mistake; an erasure naming the kind of phone, never the number.

    ``phone_id`` None is a main number held on no row; when the main number goes, the oldest further
    number (if any) becomes the main one.
    """
    locked = _locked_person(person)
    if already_done(form_token):
        return
    phone, subject, was_main = _remove_main_or_further(
        person=person, locked=locked, model=PersonPhone, row_id=phone_id, value_field="number",
        main_field="phone_e164", same=_as_stored, no_main="No main number held apart from the further numbers.",
        no_row="No such phone number on this record.")
    _log_erasure(actor=actor, person=locked, subject=subject, reason=reason, detail={
        "item": "phone", "fields": ["phones", "phone_e164"] if was_main else ["phones"],
        "kind": phone.kind if phone else "", "was_main": was_main,
    })
    _remember_removal(form_token, subject[0], int(subject[1]))


@transaction.atomic
def change_phone_kind(*, actor: Any, person: Person, phone_id: int | None, kind: str, reason: str = "",
                      form_token: str | None = None) -> PersonPhone:
    """Correct whether a number is a mobile, home, work or other phone; an alteration naming the new kind.

    A main number held on no row gets one, with the kind given.
    """
    if (earlier := _already_submitted(form_token, PersonPhone)) is not None:
        return earlier
    if kind not in PhoneKind.values:
        raise ValidationError({"kind": f"The kind of phone must be one of {', '.join(PhoneKind.values)}."})
    locked = _locked_person(person)
    if phone_id is None:
        if not locked.phone_e164:
            raise PersonPhone.DoesNotExist("No main number on this record.")
        phone, created = PersonPhone.objects.get_or_create(person=locked, number=locked.phone_e164,
                                                           defaults={"kind": kind})
        changed = created or phone.kind != kind
    else:
        phone = PersonPhone.objects.select_for_update().filter(pk=phone_id, person=locked).first()
        if phone is None:
            raise PersonPhone.DoesNotExist("No such phone number on this record.")
        changed = phone.kind != kind
    if changed:
        phone.kind = kind
        phone.save(update_fields=["kind"])
        _log_alteration(actor=actor, person=locked, reason=reason, detail={"fields": ["phones"], "kind": kind})
        _remember_submission(form_token, phone)
    return phone


@transaction.atomic
def remove_email(*, actor: Any, person: Person, email_id: int | None, reason: str,
                 form_token: str | None = None) -> None:
    """Remove an e-mail address added by mistake; an erasure, never naming the address.

    ``email_id`` None is a main address held on no row; when the main address goes, the oldest
    further address (if any) becomes the main one.
    """
    locked = _locked_person(person)
    if already_done(form_token):
        return
    _, subject, was_main = _remove_main_or_further(
        person=person, locked=locked, model=PersonEmail, row_id=email_id, value_field="address",
        main_field="email", same=str.lower, no_main="No main address held apart from the further addresses.",
        no_row="No such e-mail address on this record.")
    _log_erasure(actor=actor, person=locked, subject=subject, reason=reason, detail={
        "item": "email", "fields": ["emails", "email"] if was_main else ["emails"], "was_main": was_main,
    })
    _remember_removal(form_token, subject[0], int(subject[1]))


@transaction.atomic
def remove_identifier(*, actor: Any, person: Person, identifier_id: int, reason: str,
                      form_token: str | None = None) -> None:
    """Remove an identifier added by mistake (the wrong person's NHS number, say); an erasure naming its kind."""
    locked = _locked_person(person)
    if already_done(form_token):
        return
    identifier = PersonIdentifier.objects.select_for_update().filter(pk=identifier_id, person=locked).first()
    if identifier is None:
        raise PersonIdentifier.DoesNotExist("No such identifier on this record.")
    subject, kind = subject_of(identifier), identifier.kind
    identifier.delete()
    _log_erasure(actor=actor, person=locked, subject=subject, reason=reason,
                 detail={"item": "identifier", "fields": ["identifiers"], "kind": kind})
    _remember_removal(form_token, subject[0], int(subject[1]))


@transaction.atomic
def remove_crime_link(*, actor: Any, person: Person, link_id: int, reason: str,
                      form_token: str | None = None) -> None:
    """Remove a link to a crime made by mistake; an erasure naming the role and the crime's reference.

    The crime's own record (its victim, its suspects) is the crimes app's and is not changed here.
    """
    _locked_person(person)
    if already_done(form_token):
        return
    link = PersonLink.objects.select_for_update().filter(pk=link_id, person=person).first()
    if link is None:
        raise PersonLink.DoesNotExist("No such crime link on this record.")
    subject, role, reference = subject_of(link), link.role, link.crime_reference
    link.delete()
    _log_erasure(actor=actor, person=person, subject=subject, reason=reason,
                 detail={"item": "crime_link", "fields": ["crime_links"], "role": role, "crime": reference})
    _remember_removal(form_token, subject[0], int(subject[1]))


# --- moving house -----------------------------------------------------------------------------------

NEW_ADDRESS = "new"
_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}")


def checked_postcode(raw: str, *, field: str = "postcode") -> str:
    """A full UK postcode in its canonical form ('st162dh' → 'ST16 2DH'); anything else refused naming the field."""
    compact = matching.fold_postcode(raw)
    if not compact:
        raise ValidationError({field: "Enter the postcode, like ST16 2DH."})
    if not _POSTCODE.fullmatch(compact):
        raise ValidationError({field: f"Enter a full UK postcode, like ST16 2DH (not {(raw or '').strip()!r})."})
    return canonical_postcode(compact)


@transaction.atomic
def record_move(
    *, actor: Any, person: Person, postcode: str, from_date: date | None, address_id: int | str | None = None,
    number_or_name: str = "", street: str = "", town: str = "", reason: str = "", form_token: str | None = None,
) -> HouseholdMembership:
    """Move a person to an address already known at a postcode, or to a new one typed in; an alteration.

    Every problem is named against its field at once. A new address that matches one already held
    at that postcode (same number and street) is that address, not a second copy. The current
    membership ends the day before the move (``move_person``).
    """
    if (earlier := _already_submitted(form_token, HouseholdMembership)) is not None:
        return earlier
    errors: dict[str, str] = {}
    try:
        postcode = checked_postcode(postcode)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    address: Address | None = None
    number_or_name, street, town = (number_or_name or "").strip(), (street or "").strip(), (town or "").strip()
    if address_id in (None, ""):
        errors.setdefault("address", "Select the address, or that it is not listed.")
    elif str(address_id) != NEW_ADDRESS:
        address = Address.objects.filter(pk=int(address_id) if str(address_id).isdigit() else 0,
                                         postcode=postcode).first()
        if address is None and "postcode" not in errors:
            errors["address"] = "Select one of the addresses at this postcode, or that it is not listed."
    else:
        if not street:
            errors["street"] = "Enter the street of the new address."
        for name, value, most in (("number_or_name", number_or_name, 80), ("street", street, 120), ("town", town, 80)):
            if len(value) > most:
                errors[name] = f"{name.replace('_', ' ').capitalize()} must be {most} characters or fewer."
    if from_date is None:
        errors["from_date"] = "Enter the date they moved."
    elif from_date > timezone.localdate():
        errors["from_date"] = "The date they moved must be today or in the past."
    else:
        started = (HouseholdMembership.objects.filter(person=person, to_date__isnull=True)
                   .order_by("-from_date").values_list("from_date", flat=True).first())
        if started is not None and from_date <= started:
            errors["from_date"] = (f"The date they moved must be after {started.day} {started:%B %Y}, "
                                   "when they started living at their current address.")
    if errors:
        raise ValidationError(errors)
    if address is None:
        address = (Address.objects.filter(postcode=postcode, number_or_name__iexact=number_or_name,
                                          street__iexact=street).order_by("id").first()
                   or record_address(number_or_name=number_or_name, street=street, town=town, postcode=postcode))
    if HouseholdMembership.objects.filter(person=person, address=address, to_date__isnull=True).exists():
        raise ValidationError({"address": "They live at this address now; choose the address they moved to."})
    membership = move_person(actor=actor, person=person, address=address, from_date=from_date, reason=reason)
    _remember_submission(form_token, membership)
    return membership


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


ERASED_FAMILY_NAME = "Erased"


@transaction.atomic
def erase_person(*, actor: Any, person: Person, reason: str, detail: dict[str, Any] | None = None) -> dict[str, int]:
    """Erase a person's personal data at the end of its retention, leaving only the reference as a tombstone.

    APP "Review, retention and disposal" / DPA 2018 s.62: the names, date of birth, contact points,
    identifiers, vulnerability markers, addresses lived at and crime links are removed; the row stays
    (with its reference) because contacts and crimes kept under their own retention still point at it.
    One ``erasure`` entry holds what was removed as counts, never the values. A second call on an
    erased record removes nothing and logs nothing, so a repeated disposal is harmless.
    """
    locked = Person.objects.select_for_update().get(pk=person.pk)
    removed = {
        "other_names": locked.other_names.all().delete()[0],
        "phones": locked.phones.all().delete()[0],
        "emails": locked.emails.all().delete()[0],
        "identifiers": locked.identifiers.all().delete()[0],
        "vulnerabilities": locked.vulnerabilities.all().delete()[0],
        "addresses": locked.memberships.all().delete()[0],
        "crime_links": locked.crime_links.all().delete()[0],
    }
    blank = {
        "given_name": "", "family_name": ERASED_FAMILY_NAME, "date_of_birth": None, "gender": Gender.NOT_KNOWN,
        "phone_e164": "", "email": "", "given_norm": "", "family_norm": "", "given_key": "", "family_key": "",
    }
    subject_type, subject_id = subject_of(locked)
    return erase_fields(
        locked, blank=blank, removed=removed, actor=actor, reason=reason, subject_type=subject_type,
        subject_id=subject_id, person_id=locked.pk, detail=detail, also_set={"updated_at": timezone.now()},
    )
