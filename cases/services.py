"""Business actions on crimes: record from a contact, classify, reclassify, cancel with a C-code, close with an outcome.

Each runs in one transaction, locks the crime row it changes, and writes its audit
entry there, naming the victim's person id so the data protection officer finds it
by person.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record_entry
from contacts.models import Contact, ContactPerson, PersonRole
from people.models import Person

from . import rules
from .models import (
    CancellationCode,
    Crime,
    CrimeStatus,
    HomeOfficeClassification,
    OutcomeType,
    VictimDecision,
    crime_reference,
)

# The edition of the Home Office Counting Rules in force; they change each April.
DEFAULT_HOCR_VERSION = "2025/26"

CLASSIFICATION_UNKNOWN = "Choose a Home Office classification from the list."
CLASSIFICATION_RETIRED = "The classification {code} is no longer in use; choose another."
REASON_REQUIRED = "Give the reason for the change."
C_CODE_UNKNOWN = "Choose a cancellation code: C1, C2, C3 or C4."
OUTCOME_UNKNOWN = "Choose a Home Office outcome type, 1 to 22."
DECISION_UNKNOWN = "Choose the victim's decision: supports, does not support, or withdraws."
ALREADY_CHECKED = "The classification of {reference} has been checked already; reclassify it with a reason instead."


def hocr_version() -> str:
    """The Counting Rules edition stamped on a classification (setting ``HOCR_VERSION``)."""
    return getattr(settings, "HOCR_VERSION", DEFAULT_HOCR_VERSION)


def _classification(value: HomeOfficeClassification | str) -> HomeOfficeClassification:
    if isinstance(value, str):
        found = HomeOfficeClassification.objects.filter(code=value.strip()).first()
        if found is None:
            raise ValidationError({"classification": CLASSIFICATION_UNKNOWN})
        value = found
    if not value.active:
        raise ValidationError({"classification": CLASSIFICATION_RETIRED.format(code=value.code)})
    return value


def _locked(crime: Crime) -> Crime:
    # Lock the row: two bureau staff acting on the same crime at once must not both win.
    return Crime.objects.select_for_update().get(pk=crime.pk)


def _audit(*, crime: Crime, actor: Any, action: str, event: str, reason: str = "", **detail: Any) -> None:
    record_entry(
        actor=actor, action=action, subject_type="cases.crime", subject_id=crime.pk,
        person_id=crime.victim_id, reason=reason, detail={"event": event, "reference": crime.reference, **detail},
    )


@transaction.atomic
def record_crime_from_contact(
    *,
    contact: Contact,
    actor: Any,
    classification: HomeOfficeClassification | str | None = None,
    victim: Person | None = None,
    summary: str = "",
    recorded_at: datetime | None = None,
) -> Crime:
    """Create the crime record for a contact that reports a crime; returns the existing one on a repeat call.

    NCRS: the clock starts when the contact was received. With a classification the
    crime is recorded at once (and waits for the bureau's classification check);
    without one it waits in the bureau's queue, on the 24-hour clock. One crime per
    victim: the victim defaults to the person named as victim on the contact.
    """
    if victim is None:
        link = ContactPerson.objects.filter(contact=contact, role=PersonRole.VICTIM).order_by("id").first()
        victim = link.person if link else None
    existing = (
        Crime.objects.filter(contact=contact, victim=victim).exclude(status=CrimeStatus.CANCELLED).first()
    )
    if existing is not None:
        # A double submit from the call-taking form must not record the crime twice.
        return existing
    chosen = _classification(classification) if classification is not None else None
    now = timezone.now()
    if recorded_at is not None and timezone.is_naive(recorded_at):
        raise ValidationError({"recorded_at": "The time recorded must include a time zone."})
    if recorded_at is not None and recorded_at < contact.received_at:
        raise ValidationError({"recorded_at": "The time recorded must be at or after the time the report was received."})
    crime = Crime.objects.create(
        reference=uuid.uuid4().hex[:12], contact=contact, classification=chosen,
        hocr_version=hocr_version() if chosen else "",
        status=CrimeStatus.RECORDED if chosen else CrimeStatus.AWAITING_RECORDING,
        reported_at=contact.received_at, recorded_at=(recorded_at or now) if chosen else None,
        victim=victim, address=contact.address, location_text=contact.location_text,
        latitude=contact.latitude, longitude=contact.longitude, summary=(summary or contact.summary).strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    # The reference comes from the id, known only after the insert.
    crime.reference = crime_reference(crime.pk)
    crime.save(update_fields=["reference"])
    _audit(
        crime=crime, actor=actor, action=Action.COLLECTION, event="recorded" if chosen else "awaiting_classification",
        contact=contact.reference, classification=chosen.code if chosen else "",
    )
    return crime


@transaction.atomic
def classify_crime(*, crime: Crime, actor: Any, classification: HomeOfficeClassification | str) -> Crime:
    """Check (confirm or correct) a crime's classification; a crime awaiting one is recorded now.

    NCRS: the crime admin bureau checks every classification; recording time is when
    a classification is first given, and it counts against the 24-hour clock.
    """
    crime = _locked(crime)
    rules.crime_is_open(crime)
    if crime.classification_checked_at is not None:
        raise ValidationError({"classification": ALREADY_CHECKED.format(reference=crime.reference)})
    chosen = _classification(classification)
    now = timezone.now()
    before = crime.classification.code if crime.classification_id else ""
    crime.classification = chosen
    crime.hocr_version = hocr_version()
    crime.classification_checked_at = now
    crime.classification_checked_by = actor if getattr(actor, "pk", None) else None
    if crime.status == CrimeStatus.AWAITING_RECORDING:
        crime.status = CrimeStatus.RECORDED
        crime.recorded_at = now
    crime.save()
    _audit(
        crime=crime, actor=actor, action=Action.ALTERATION, event="classification_checked",
        classification_before=before, classification=chosen.code, hocr_version=crime.hocr_version,
        within_24_hours=rules.NCRS24.passes(crime),
    )
    return crime


@transaction.atomic
def reclassify_crime(
    *, crime: Crime, actor: Any, classification: HomeOfficeClassification | str, reason: str
) -> Crime:
    """Change a recorded crime's classification, with the reason; the old and new codes are logged."""
    crime = _locked(crime)
    rules.crime_is_open(crime)
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    chosen = _classification(classification)
    before = crime.classification.code if crime.classification_id else ""
    now = timezone.now()
    crime.classification = chosen
    crime.hocr_version = hocr_version()
    crime.classification_checked_at = now
    crime.classification_checked_by = actor if getattr(actor, "pk", None) else None
    if crime.status == CrimeStatus.AWAITING_RECORDING:
        crime.status = CrimeStatus.RECORDED
        crime.recorded_at = now
    crime.save()
    _audit(
        crime=crime, actor=actor, action=Action.ALTERATION, event="reclassified", reason=reason.strip(),
        classification_before=before, classification=chosen.code, hocr_version=crime.hocr_version,
    )
    return crime


@transaction.atomic
def cancel_crime(*, crime: Crime, actor: Any, cancellation_code: CancellationCode | str, reason: str) -> Crime:
    """Ask for a crime to be cancelled on a C-code ground, with the reason; it waits for approval.

    HOCR Section C: a recorded crime is removed only on a C-code ground, and the Force
    Crime Registrar (here: a second member of the bureau) decides.
    """
    crime = _locked(crime)
    rules.crime_is_open(crime)
    if isinstance(cancellation_code, str):
        found = CancellationCode.objects.filter(code=cancellation_code.strip().upper()).first()
        if found is None:
            raise ValidationError({"cancellation_code": C_CODE_UNKNOWN})
        cancellation_code = found
    crime.cancellation_code = cancellation_code
    crime.cancellation_reason = reason.strip()
    try:
        rules.HOCRSectionC.check(crime)
    except rules.RuleViolation as violation:
        field = "cancellation_reason" if crime.cancellation_code_id else violation.field
        raise ValidationError({field: violation.message}) from None
    crime.cancellation_requested_at = timezone.now()
    crime.cancellation_requested_by = actor if getattr(actor, "pk", None) else None
    crime.cancelled_at = None
    crime.cancelled_by = None
    crime.save()
    _audit(
        crime=crime, actor=actor, action=Action.ALTERATION, event="cancellation_requested",
        reason=crime.cancellation_reason, cancellation_code=cancellation_code.code,
    )
    return crime


@transaction.atomic
def approve_cancellation(*, crime: Crime, actor: Any) -> Crime:
    """Approve a pending cancellation: the crime is cancelled with its C-code. The asker cannot approve."""
    crime = _locked(crime)
    rules.cancellation_awaits_decision(crime)
    if getattr(actor, "pk", None) is not None and actor.pk == crime.cancellation_requested_by_id:
        raise rules.SelfApproval(rules.SelfApproval.__doc__)
    rules.HOCRSectionC.check(crime)
    crime.status = CrimeStatus.CANCELLED
    crime.cancelled_at = timezone.now()
    crime.cancelled_by = actor if getattr(actor, "pk", None) else None
    crime.save()
    _audit(
        crime=crime, actor=actor, action=Action.ALTERATION, event="cancelled",
        reason=crime.cancellation_reason, cancellation_code=crime.cancellation_code.code,
    )
    return crime


@transaction.atomic
def reject_cancellation(*, crime: Crime, actor: Any, reason: str) -> Crime:
    """Turn down a pending cancellation, with the reason; the crime stays recorded."""
    crime = _locked(crime)
    rules.cancellation_awaits_decision(crime)
    if not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    code = crime.cancellation_code.code
    crime.cancellation_code = None
    crime.cancellation_reason = ""
    crime.cancellation_requested_at = None
    crime.cancellation_requested_by = None
    crime.save()
    _audit(
        crime=crime, actor=actor, action=Action.ALTERATION, event="cancellation_rejected",
        reason=reason.strip(), cancellation_code=code,
    )
    return crime


@transaction.atomic
def record_victim_decision(*, crime: Crime, actor: Any, decision: str) -> Crime:
    """Record whether the victim supports police action; outcomes 15 and 16 depend on it."""
    crime = _locked(crime)
    rules.crime_is_open(crime)
    if decision not in VictimDecision.values:
        raise ValidationError({"victim_decision": DECISION_UNKNOWN})
    crime.victim_decision = decision
    crime.victim_decision_recorded_at = timezone.now()
    crime.save(update_fields=["victim_decision", "victim_decision_recorded_at"])
    _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="victim_decision", decision=decision)
    return crime


@transaction.atomic
def close_crime(*, crime: Crime, actor: Any, outcome: OutcomeType | int | None) -> Crime:
    """Close a crime with its Home Office outcome type.

    Outcomes framework: a crime is closed only with an outcome (1–22); outcomes 15 and
    16 need the victim's decision recorded first (``record_victim_decision``).
    """
    crime = _locked(crime)
    if isinstance(outcome, int):
        found = OutcomeType.objects.filter(number=outcome).first()
        if found is None:
            raise ValidationError({"outcome": OUTCOME_UNKNOWN})
        outcome = found
    crime.outcome = outcome
    rules.crime_can_be_closed(crime)
    crime.status = CrimeStatus.CLOSED
    crime.closed_at = timezone.now()
    crime.closed_by = actor if getattr(actor, "pk", None) else None
    crime.save()
    _audit(
        crime=crime, actor=actor, action=Action.ALTERATION, event="closed", outcome=outcome.number,
        victim_decision=crime.victim_decision,
    )
    return crime
