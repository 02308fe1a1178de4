"""Business actions on crimes: record from a contact, classify, reclassify, cancel with a C-code, close with an outcome.

Each runs in one transaction, locks the crime row it changes, and writes its audit
entry there, naming the victim's person id so the data protection officer finds it
by person.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Team
from audit.models import Action
from audit.services import record_entry
from contacts.models import Contact, ContactPerson, PersonRole, Route
from people.models import Person

from . import rules
from .models import (
    OUTBOX_CHANNELS,
    BureauTask,
    BureauTaskKind,
    BureauTaskStatus,
    CancellationCode,
    ContactMethod,
    ContactResult,
    Crime,
    CrimeStatus,
    Decision,
    DecisionKind,
    Enquiry,
    EnquiryStatus,
    HomeOfficeClassification,
    Investigation,
    InvestigationState,
    OutcomeType,
    Reopening,
    ReviewKind,
    ReviewQuality,
    ReviewRequest,
    ReviewRequestChannel,
    ReviewRequestStatus,
    ReviewResult,
    SolvabilityFactor,
    SupervisorReview,
    Suspect,
    UpdateChannel,
    VictimContactAttempt,
    VictimDecision,
    VictimUpdate,
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
    finish_investigation(crime)
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
    finish_investigation(crime)
    _audit(
        crime=crime, actor=actor, action=Action.ALTERATION, event="closed", outcome=outcome.number,
        victim_decision=crime.victim_decision,
    )
    return crime


# --- Investigation (issue 6) -------------------------------------------------------------------------
#
# Allocation, the investigation plan, victim contact, supervisor reviews, the Victims' Code
# and crime admin bureau tasks. Same shape as above: keyword-only, one transaction, the
# crime row locked, one audit entry naming the victim.

INVESTIGATOR_PERMISSION = "accounts.investigate_crimes"
SUPERVISOR_PERMISSION = "accounts.supervise_investigations"

NOT_AN_INVESTIGATOR = "Choose an investigator: {name} cannot investigate crimes."
NOT_A_RESOLUTION_CENTRE = "Choose a resolution centre."
NOT_QUEUED = "{reference} is no longer waiting in a queue; it was allocated to {investigator}."
TEXT_REQUIRED = "Enter {what}."
DUE_IN_PAST = "The due date must be today or later."
SUSPECT_UNKNOWN = "No person with that reference was found in the person index; check the reference, e.g. P00000042."
SUSPECT_IS_VICTIM = "The victim cannot also be linked as the suspect."
NO_VICTIM = "This crime has no victim recorded, so there is no one to update."
NO_ADDRESS_FOR = {
    UpdateChannel.EMAIL: "The victim has no email address recorded; choose another channel.",
    UpdateChannel.SMS: "The victim has no mobile number recorded; choose another channel.",
    UpdateChannel.LETTER: "The victim has no postal address recorded; choose another channel.",
}
REOPEN_ONLY_CLOSED = "Only a closed crime can be reopened."
TASK_NOT_OPEN = "This task has already been taken by {name}."
TASK_NOT_TAKEN = "Take the task before reporting it done."


def investigation_setting(name: str, default: int) -> int:
    """A number from the ``CASES_*`` settings (review intervals, first-contact days)."""
    return int(getattr(settings, name, default))


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _by_token(model: type, form_token: str) -> Any:
    # A repeated submission of the same form returns what the first one made, and makes nothing.
    token = (form_token or "").strip()
    return model.objects.filter(form_token=token).first() if token else None


def _required(errors: dict[str, str], field: str, value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = TEXT_REQUIRED.format(what=what)
    return value


def victim_facts(crime: Crime, *, today: date) -> rules.VictimFacts:
    """What the enhanced-rights derivation and the queue's vulnerability flag read about the victim."""
    from contacts.models import ThriveAssessment, VulnerabilityLevel
    from people.models import VulnerabilityKind, VulnerabilityMarker

    victim = crime.victim
    age = None
    markers: list[str] = []
    if victim is not None:
        if victim.date_of_birth:
            dob = victim.date_of_birth
            age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        markers = list(
            VulnerabilityMarker.objects.filter(person=victim, from_date__lte=today)
            .filter(Q(to_date__isnull=True) | Q(to_date__gte=today)).values_list("kind", flat=True)
        )
    thrive = None
    if crime.contact_id:
        thrive = (
            ThriveAssessment.objects.filter(contact_id=crime.contact_id).order_by("-assessed_at", "-id")
            .values_list("vulnerability", flat=True).first()
        )
    crimes_in_year = 1
    if victim is not None:
        crimes_in_year = Crime.objects.filter(
            victim=victim, reported_at__gte=crime.reported_at - timedelta(days=365), reported_at__lte=crime.reported_at
        ).exclude(status=CrimeStatus.CANCELLED).count()
    return rules.VictimFacts(
        offence_code=crime.classification.code if crime.classification_id else "",
        incident_type=crime.contact.incident_type.code if crime.contact_id else "",
        victim_age=age,
        vulnerable=bool(markers) or (thrive not in (None, VulnerabilityLevel.NONE)),
        domestic_abuse=VulnerabilityKind.DOMESTIC_ABUSE in markers,
        crimes_in_last_year=crimes_in_year,
    )


def _first_contact_due(queued_on: date, enhanced: bool) -> date:
    return rules.first_contact_due(
        queued_on, enhanced=enhanced,
        standard_days=investigation_setting("CASES_FIRST_CONTACT_WORKING_DAYS", 5),
        enhanced_days=investigation_setting("CASES_FIRST_CONTACT_WORKING_DAYS_ENHANCED", 1),
    )


def _new_investigation(crime: Crime, *, team: Team | None, now: datetime) -> Investigation:
    today = timezone.localdate(now)
    facts = victim_facts(crime, today=today)
    reasons = rules.enhanced_rights(facts)
    return Investigation(
        crime=crime, team=team, state=InvestigationState.QUEUED, queued_at=now, vulnerable=facts.vulnerable or (
            facts.victim_age is not None and facts.victim_age < rules.UNDER_18),
        enhanced_rights_derived=bool(reasons), enhanced_rights_reasons=reasons,
        contact_due_on=_first_contact_due(today, bool(reasons)), next_update_due_on=None,
    )


def least_busy_resolution_centre() -> Team | None:
    """The active resolution centre with the fewest crimes waiting (ties by name): where a new crime queues."""
    return (
        Team.objects.filter(kind=Team.Kind.RESOLUTION_CENTRE, active=True)
        .annotate(waiting=Count("investigations", filter=Q(investigations__state=InvestigationState.QUEUED)))
        .order_by("waiting", "name").first()
    )


def _open_investigation(crime: Crime, *, actor: Any, team: Team | None, event: str) -> Investigation:
    existing = Investigation.objects.filter(crime=crime).first()
    if existing is not None:
        return existing
    investigation = _new_investigation(crime, team=team, now=timezone.now())
    if not crime.is_open:
        # A plan opened on a closed or cancelled crime (to read its history) joins no queue or list.
        investigation.state = InvestigationState.FINISHED
    investigation.save()
    _audit(
        crime=crime, actor=actor, action=Action.CONSULTATION, event="victims_code_assessed",
        reason=f"Victims' Code entitlement and vulnerability for {crime.reference}",
        enhanced_rights=investigation.enhanced_rights_derived, reasons=investigation.enhanced_rights_reasons,
    )
    _audit(crime=crime, actor=actor, action=Action.ALTERATION, event=event, team=team.name if team else "")
    return investigation


@transaction.atomic
def ensure_investigation(*, crime: Crime, actor: Any) -> Investigation:
    """The crime's investigation plan, opened (outside any queue) if it has none yet: every crime has a plan."""
    crime = _locked(crime)
    # Opened outside a resolution queue, it waits (in no queue) for a supervisor to allocate it.
    return _open_investigation(crime, actor=actor, team=None, event="investigation_opened")


@transaction.atomic
def queue_for_resolution(*, crime: Crime, actor: Any, team: Team | None = None) -> Investigation:
    """Put a crime that needs no deployment into a resolution centre's queue (the least busy unless named).

    Grade 4, route "resolution centre": the crime is investigated by phone, video and
    online, and waits in the centre's queue in the order that matters.
    """
    crime = _locked(crime)
    rules.crime_is_open(crime)
    if team is None:
        team = least_busy_resolution_centre()
    if team is None or team.kind != Team.Kind.RESOLUTION_CENTRE:
        raise ValidationError({"team": NOT_A_RESOLUTION_CENTRE})
    inv = _open_investigation(crime, actor=actor, team=team, event="queued")
    if inv.team_id is None and inv.state == InvestigationState.QUEUED:
        inv.team = team
        inv.save(update_fields=["team"])
        _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="queued", team=team.name)
    return inv


def crimes_routed_to_resolution() -> QuerySet[Crime]:
    """Open, recorded crimes from contacts graded 4 and routed to a resolution centre that are in no queue yet."""
    return Crime.objects.filter(
        status__in=(CrimeStatus.RECORDED, CrimeStatus.UNDER_INVESTIGATION),
        contact__route=Route.RESOLUTION_CENTRE, contact__grade=4, investigation__isnull=True,
    ).order_by("reported_at", "id")


def queue_routed_crimes(*, actor: Any, limit: int = 500) -> int:
    """Queue the crimes routed to resolution that are not in a queue yet; returns how many. Safe to repeat."""
    count = 0
    for crime in crimes_routed_to_resolution()[:limit]:
        queue_for_resolution(crime=crime, actor=actor)
        count += 1
    return count


def _check_investigator(user: Any) -> None:
    if user is None or not user.is_active or not user.has_perm(INVESTIGATOR_PERMISSION):
        raise ValidationError({"investigator": NOT_AN_INVESTIGATOR.format(name=user or "No one")})


def _start_investigating(crime: Crime, inv: Investigation, *, investigator: Any, actor: Any, now: datetime) -> None:
    inv.state = InvestigationState.ALLOCATED
    inv.investigator = investigator
    inv.allocated_at = now
    inv.allocated_by = _actor_or_none(actor)
    if actor is not None and getattr(actor, "pk", None) and actor.has_perm(SUPERVISOR_PERMISSION):
        inv.supervisor = actor
    # Supervision: the first review is due on allocation.
    inv.next_review_due_on = timezone.localdate(now)
    if inv.next_update_due_on is None:
        inv.next_update_due_on = inv.contact_due_on
    inv.save()
    if crime.status == CrimeStatus.RECORDED:
        crime.status = CrimeStatus.UNDER_INVESTIGATION
        crime.save(update_fields=["status"])


@transaction.atomic
def allocate_investigation(*, crime: Crime, actor: Any, investigator: Any) -> Investigation:
    """A supervisor allocates a crime to an investigator; the allocation review falls due at once."""
    crime = _locked(crime)
    rules.crime_is_open(crime)
    _check_investigator(investigator)
    inv = Investigation.objects.select_for_update().filter(crime=crime).first()
    if inv is None:
        inv = _open_investigation(crime, actor=actor, team=None, event="investigation_opened")
    before = inv.investigator.username if inv.investigator_id else ""
    _start_investigating(crime, inv, investigator=investigator, actor=actor, now=timezone.now())
    _audit(
        crime=crime, actor=actor, action=Action.ALTERATION, event="allocated",
        investigator=investigator.username, previous_investigator=before,
    )
    return inv


QUEUE_ORDER = ("-vulnerable", "contact_due_on", "-solvability_score", "queued_at", "id")


@transaction.atomic
def take_next(*, actor: Any, team: Team) -> Investigation | None:
    """Allocate the first crime in the team's queue to ``actor``; None when the queue is empty.

    Two investigators pressing "take next" at once get different crimes: on PostgreSQL
    the row is locked with SKIP LOCKED so the second skips to the next one; everywhere a
    conditional update refuses a crime someone else took first, and the next is tried.
    """
    _check_investigator(actor)
    for _attempt in range(5):
        waiting = Investigation.objects.filter(team=team, state=InvestigationState.QUEUED).order_by(*QUEUE_ORDER)
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True, of=("self",))
        inv = waiting.first()
        if inv is None:
            return None
        now = timezone.now()
        won = Investigation.objects.filter(pk=inv.pk, state=InvestigationState.QUEUED).update(
            state=InvestigationState.ALLOCATED, investigator=actor, allocated_at=now
        )
        if not won:
            continue
        crime = _locked(inv.crime)
        inv.refresh_from_db()
        _start_investigating(crime, inv, investigator=actor, actor=actor, now=now)
        _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="taken", investigator=actor.username)
        return inv
    return None


@transaction.atomic
def record_contact_attempt(
    *, crime: Crime, actor: Any, method: str, result: str, notes: str = "", form_token: str = ""
) -> VictimContactAttempt:
    """Record an attempt to reach the victim (phone, video call, online message) and its result."""
    if (done := _by_token(VictimContactAttempt, form_token)) is not None:
        return done
    crime = _locked(crime)
    errors = {}
    if method not in ContactMethod.values:
        errors["method"] = "Choose how you tried to reach the victim: phone, video call or online message."
    if result not in ContactResult.values:
        errors["result"] = "Choose the result of the attempt."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    attempt = VictimContactAttempt.objects.create(
        crime=crime, method=method, result=result, notes=notes.strip(), attempted_at=now,
        attempted_by=_actor_or_none(actor), form_token=form_token.strip() or None,
    )
    if result == ContactResult.SPOKE:
        Investigation.objects.filter(crime=crime, first_contacted_at__isnull=True).update(first_contacted_at=now)
    _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="victim_contact_attempt", method=method,
           result=result)
    return attempt


@transaction.atomic
def add_enquiry(
    *, crime: Crime, actor: Any, title: str, objective: str = "", owner: Any = None, due_on: date,
    form_token: str = "",
) -> Enquiry:
    """Add a line of enquiry to the investigation plan: what, why, who does it and by when."""
    if (done := _by_token(Enquiry, form_token)) is not None:
        return done
    crime = _locked(crime)
    rules.crime_is_open(crime)
    errors: dict[str, str] = {}
    title = _required(errors, "title", title, "the line of enquiry")
    if due_on is None:
        errors["due_on"] = "Enter the date the enquiry is due, for example 27 3 2027."
    elif due_on < timezone.localdate():
        errors["due_on"] = DUE_IN_PAST
    if errors:
        raise ValidationError(errors)
    enquiry = Enquiry.objects.create(
        crime=crime, title=title, objective=(objective or "").strip(), owner=owner, due_on=due_on,
        created_by=_actor_or_none(actor), form_token=form_token.strip() or None,
    )
    _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="enquiry_added", enquiry=enquiry.pk,
           title=title, owner=getattr(owner, "username", ""), due_on=due_on.isoformat())
    return enquiry


@transaction.atomic
def update_enquiry(*, enquiry: Enquiry, actor: Any, status: str, result: str = "") -> Enquiry:
    """Move a line of enquiry on (started, done, not pursued) with what it found."""
    crime = _locked(enquiry.crime)
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if status not in EnquiryStatus.values:
        raise ValidationError({"status": "Choose the status of the enquiry."})
    finishing = status in (EnquiryStatus.DONE, EnquiryStatus.NOT_PURSUED)
    if finishing and not (result or "").strip():
        raise ValidationError({"result": "Enter what the enquiry found, or why it was not pursued."})
    enquiry.status = status
    enquiry.result = (result or "").strip() or enquiry.result
    enquiry.finished_at = timezone.now() if finishing else None
    enquiry.save(update_fields=["status", "result", "finished_at"])
    _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="enquiry_updated", enquiry=enquiry.pk,
           status=status)
    return enquiry


@transaction.atomic
def assess_solvability(*, crime: Crime, actor: Any, factors: list[str]) -> Investigation:
    """Record which solvability factors are present; the score (how many) orders the resolution queue."""
    crime = _locked(crime)
    unknown = sorted(set(factors) - set(SolvabilityFactor.values))
    if unknown:
        raise ValidationError({"factors": "Choose solvability factors from the list."})
    inv = _open_investigation(crime, actor=actor, team=None, event="investigation_opened")
    chosen = [value for value in SolvabilityFactor.values if value in set(factors)]
    inv.solvability_factors = chosen
    inv.solvability_score = len(chosen)
    inv.save(update_fields=["solvability_factors", "solvability_score"])
    _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="solvability", factors=chosen)
    return inv


@transaction.atomic
def link_suspect(*, crime: Crime, actor: Any, person_reference: str, reason: str) -> Suspect:
    """Link a person from the person index to the crime as its suspect; the look-up and the link are both logged."""
    from people import selectors as people_selectors
    from people import services as people_services
    from people.models import LinkRole, Person

    crime = _locked(crime)
    rules.crime_is_open(crime)
    errors: dict[str, str] = {}
    reason = _required(errors, "reason", reason, "why this person is a suspect")
    reference = (person_reference or "").strip().upper()
    if not reference:
        errors["person_reference"] = "Enter the suspect's person reference, e.g. P00000042."
    if errors:
        raise ValidationError(errors)
    try:
        person = people_selectors.get_person(
            actor=actor, reason=f"Linking a suspect to {crime.reference}: {reason}", reference=reference
        )
    except Person.DoesNotExist:
        raise ValidationError({"person_reference": SUSPECT_UNKNOWN}) from None
    if person.pk == crime.victim_id:
        raise ValidationError({"person_reference": SUSPECT_IS_VICTIM})
    suspect, created = Suspect.objects.get_or_create(
        crime=crime, person=person, defaults={"reason": reason, "linked_by": _actor_or_none(actor)}
    )
    if created:
        people_services.link_to_crime(
            actor=actor, person=person, crime_reference=crime.reference, role=LinkRole.SUSPECT, reason=reason
        )
        record_entry(
            actor=actor, action=Action.COMBINATION, subject_type="cases.crime", subject_id=crime.pk,
            person_id=person.pk, reason=reason,
            detail={"event": "suspect_linked", "reference": crime.reference, "person": person.reference},
        )
    return suspect


@transaction.atomic
def record_decision(
    *, crime: Crime, actor: Any, kind: str, decision: str, rationale: str, form_token: str = ""
) -> Decision:
    """Write a decision in the log with its rationale; a key decision gets the date the victim must be told by.

    Victims' Code Right 6: 5 working days, 1 with enhanced rights.
    """
    if (done := _by_token(Decision, form_token)) is not None:
        return done
    crime = _locked(crime)
    errors: dict[str, str] = {}
    if kind not in DecisionKind.values:
        errors["kind"] = "Choose what kind of decision this is."
    decision = _required(errors, "decision", decision, "the decision")
    rationale = _required(errors, "rationale", rationale, "the reasons for the decision")
    if errors:
        raise ValidationError(errors)
    inv = _open_investigation(crime, actor=actor, team=None, event="investigation_opened")
    now = timezone.now()
    tell_by = (
        rules.VictimsCodeRight6.deadline(timezone.localdate(now), enhanced=inv.enhanced_rights)
        if kind != DecisionKind.GENERAL and crime.victim_id else None
    )
    entry = Decision.objects.create(
        crime=crime, kind=kind, decision=decision, rationale=rationale, made_by=_actor_or_none(actor), made_at=now,
        tell_victim_by=tell_by, form_token=form_token.strip() or None,
    )
    _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="decision", kind=kind,
           tell_victim_by=tell_by.isoformat() if tell_by else "")
    return entry


@transaction.atomic
def record_review(
    *, crime: Crime, actor: Any, risk: str, outstanding_actions: str = "", quality: str, new_actions: str = "",
    next_review_on: date | None = None, form_token: str = "",
) -> SupervisorReview:
    """A supervisor's review of the investigation; sets the next review date (default 7, then every 28 days).

    Supervision (College of Policing): review the risk, chase outstanding actions,
    check the quality, set new actions and the date of the next review.
    """
    if (done := _by_token(SupervisorReview, form_token)) is not None:
        return done
    crime = _locked(crime)
    rules.crime_is_open(crime)
    if actor is None or not actor.has_perm(SUPERVISOR_PERMISSION):
        raise PermissionDenied("Only a supervisor can review an investigation.")
    errors: dict[str, str] = {}
    risk = _required(errors, "risk", risk, "the risk as it stands")
    if quality not in ReviewQuality.values:
        errors["quality"] = "Choose the quality of the investigation: good, requires improvement or inadequate."
    today = timezone.localdate()
    if next_review_on is not None and next_review_on <= today:
        errors["next_review_on"] = "The next review must be after today."
    if errors:
        raise ValidationError(errors)
    inv = _open_investigation(crime, actor=actor, team=None, event="investigation_opened")
    done_before = crime.reviews.count()
    if next_review_on is None:
        next_review_on = rules.next_review_due(
            today, reviews_done=done_before + 1,
            first_days=investigation_setting("CASES_REVIEW_FIRST_DAYS", 7),
            every_days=investigation_setting("CASES_REVIEW_EVERY_DAYS", 28),
        )
    review = SupervisorReview.objects.create(
        crime=crime, kind=ReviewKind.ALLOCATION if done_before == 0 else ReviewKind.SCHEDULED, risk=risk,
        outstanding_actions=(outstanding_actions or "").strip(), quality=quality,
        new_actions=(new_actions or "").strip(), next_review_on=next_review_on, reviewed_by=_actor_or_none(actor),
        form_token=form_token.strip() or None,
    )
    inv.next_review_due_on = next_review_on
    if inv.supervisor_id is None:
        inv.supervisor = actor
    inv.save(update_fields=["next_review_due_on", "supervisor"])
    _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="review", quality=quality,
           next_review_on=next_review_on.isoformat())
    return review


@transaction.atomic
def agree_update_plan(*, crime: Crime, actor: Any, every_days: int | None, channel: str) -> Investigation:
    """Record how often and by what channel the victim agreed to be updated (Victims' Code)."""
    crime = _locked(crime)
    errors: dict[str, str] = {}
    if every_days is None or not 1 <= every_days <= 90:
        errors["every_days"] = "Enter how often the victim wants an update, in days from 1 to 90."
    if channel not in UpdateChannel.values:
        errors["channel"] = "Choose how the victim wants to be updated."
    if errors:
        raise ValidationError(errors)
    inv = _open_investigation(crime, actor=actor, team=None, event="investigation_opened")
    inv.update_every_days = every_days
    inv.update_channel = channel
    inv.update_plan_agreed_at = timezone.now()
    last = crime.victim_updates.order_by("-sent_at").values_list("sent_at", flat=True).first()
    base = timezone.localdate(last) if last else timezone.localdate()
    inv.next_update_due_on = base + timedelta(days=every_days)
    inv.save(update_fields=["update_every_days", "update_channel", "update_plan_agreed_at", "next_update_due_on"])
    _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="update_plan", every_days=every_days,
           channel=channel)
    return inv


@transaction.atomic
def set_enhanced_rights(*, crime: Crime, actor: Any, enhanced: bool | None, reason: str = "") -> Investigation:
    """Decide otherwise than the derivation (``enhanced`` True or False, with a reason), or go back to it (None)."""
    crime = _locked(crime)
    inv = _open_investigation(crime, actor=actor, team=None, event="investigation_opened")
    reason = (reason or "").strip()
    if enhanced is not None and not reason:
        raise ValidationError({"enhanced_reason": "Give the reason for deciding the victim's rights yourself."})
    inv.enhanced_rights_override = enhanced
    inv.enhanced_rights_override_reason = reason if enhanced is not None else ""
    inv.save(update_fields=["enhanced_rights_override", "enhanced_rights_override_reason"])
    _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="enhanced_rights", reason=reason,
           enhanced=inv.enhanced_rights, overridden=enhanced is not None)
    return inv


def _victim_address(crime: Crime) -> str:
    # Where the victim lives now, not where the crime happened.
    membership = crime.victim.memberships.filter(to_date__isnull=True).select_related("address").first()
    return str(membership.address) if membership else ""


@transaction.atomic
def record_victim_update(
    *, crime: Crime, actor: Any, channel: str, message: str, form_token: str = ""
) -> VictimUpdate:
    """Give the victim an update; email, text and letter go out through the notifications outbox.

    Every key decision not yet told is marked told by this update (Victims' Code Right 6),
    and the next update falls due by the agreed plan.
    """
    if (done := _by_token(VictimUpdate, form_token)) is not None:
        return done
    crime = _locked(crime)
    errors: dict[str, str] = {}
    if channel not in UpdateChannel.values:
        errors["channel"] = "Choose how the update is given: phone call, email, text message or letter."
    message = _required(errors, "message", message, "the update for the victim")
    if crime.victim_id is None:
        errors["message"] = NO_VICTIM
    if errors:
        raise ValidationError(errors)
    victim = crime.victim
    recipient = {UpdateChannel.EMAIL: victim.email, UpdateChannel.SMS: victim.phone_e164}.get(channel, "")
    if channel == UpdateChannel.LETTER:
        recipient = _victim_address(crime)
    if channel in NO_ADDRESS_FOR and not recipient:
        raise ValidationError({"channel": NO_ADDRESS_FOR[channel]})
    inv = _open_investigation(crime, actor=actor, team=None, event="investigation_opened")
    now = timezone.now()
    update = VictimUpdate.objects.create(
        crime=crime, channel=channel, message=message, sent_at=now, sent_by=_actor_or_none(actor),
        form_token=form_token.strip() or None,
    )
    pending = list(crime.decisions.filter(told_victim_at__isnull=True, tell_victim_by__isnull=False))
    if pending:
        update.decisions.set(pending)
        Decision.objects.filter(pk__in=[d.pk for d in pending]).update(told_victim_at=now)
    if channel in OUTBOX_CHANNELS:
        from notifications.services import queue_message

        officer = (actor.get_full_name() or actor.username) if getattr(actor, "pk", None) else ""
        queued = queue_message(
            channel=channel, to=recipient, template="victim_update",
            personalisation={
                "name": victim.given_name, "crime_reference": crime.reference, "update": message,
                "officer": officer or "The investigating officer", "force_name": settings.FORCE_NAME,
            },
            reference=f"victim-update-{update.pk}", person_id=victim.pk, actor=actor,
            reason=f"Victims' Code update on {crime.reference}",
        )
        update.outbox_reference = queued.reference[:60]
        update.save(update_fields=["outbox_reference"])
    elif channel == UpdateChannel.LETTER:
        # Letters are printed and posted by the crime admin bureau: the update becomes their task.
        task = BureauTask.objects.create(
            crime=crime, kind=BureauTaskKind.VICTIM_LETTER, requested_by=_actor_or_none(actor),
            instructions=f"Send this update to the victim by letter:\n\n{message}",
        )
        update.outbox_reference = f"bureau task {task.pk}"
        update.save(update_fields=["outbox_reference"])
    if inv.update_every_days:
        inv.next_update_due_on = timezone.localdate(now) + timedelta(days=inv.update_every_days)
        inv.save(update_fields=["next_update_due_on"])
    # Email and text are logged as disclosures by the outbox (with the address); a call or a letter here.
    record_entry(
        actor=actor, action=Action.ALTERATION if channel in OUTBOX_CHANNELS else Action.DISCLOSURE,
        subject_type="cases.crime", subject_id=crime.pk, person_id=victim.pk,
        reason="Victims' Code update to the victim", recipients=[f"victim {victim.reference} by {channel}"],
        detail={"event": "victim_update", "reference": crime.reference, "channel": channel,
                "decisions_told": [d.pk for d in pending]},
    )
    return update


@transaction.atomic
def reopen_crime(*, crime: Crime, actor: Any, reason: str) -> Crime:
    """Reopen a closed crime, with the reason; the outcome it had is kept in the reopening record and the log."""
    crime = _locked(crime)
    if crime.status != CrimeStatus.CLOSED:
        raise ValidationError({"reopen_reason": REOPEN_ONLY_CLOSED})
    if not (reason or "").strip():
        raise ValidationError({"reopen_reason": "Give the reason for reopening the crime."})
    previous = crime.outcome
    Reopening.objects.create(crime=crime, previous_outcome=previous, reason=reason.strip(),
                             reopened_by=_actor_or_none(actor))
    crime.status = CrimeStatus.UNDER_INVESTIGATION
    crime.outcome = None
    crime.closed_at = None
    crime.closed_by = None
    crime.save(update_fields=["status", "outcome", "closed_at", "closed_by"])
    inv = Investigation.objects.filter(crime=crime).first()
    if inv is not None and inv.state == InvestigationState.FINISHED:
        inv.state = InvestigationState.ALLOCATED if inv.investigator_id else InvestigationState.QUEUED
        inv.next_review_due_on = timezone.localdate()
        inv.save(update_fields=["state", "next_review_due_on"])
    _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="reopened", reason=reason.strip(),
           previous_outcome=previous.number)
    return crime


def finish_investigation(crime: Crime) -> None:
    """Take a closed or cancelled crime out of queues, workloads and due lists."""
    Investigation.objects.filter(crime=crime).exclude(state=InvestigationState.FINISHED).update(
        state=InvestigationState.FINISHED
    )


@transaction.atomic
def request_bureau_task(
    *, crime: Crime, actor: Any, kind: str, instructions: str, form_token: str = ""
) -> BureauTask:
    """Hand an administrative task on a crime to the crime admin bureau."""
    if (done := _by_token(BureauTask, form_token)) is not None:
        return done
    crime = _locked(crime)
    errors: dict[str, str] = {}
    if kind not in BureauTaskKind.values:
        errors["kind"] = "Choose the kind of task."
    instructions = _required(errors, "instructions", instructions, "what the bureau should do")
    if errors:
        raise ValidationError(errors)
    task = BureauTask.objects.create(
        crime=crime, kind=kind, instructions=instructions, requested_by=_actor_or_none(actor),
        form_token=form_token.strip() or None,
    )
    _audit(crime=crime, actor=actor, action=Action.ALTERATION, event="bureau_task_requested", task=task.pk, kind=kind)
    return task


@transaction.atomic
def take_bureau_task(*, task: BureauTask, actor: Any) -> BureauTask:
    """A member of the bureau takes a waiting task (one person per task)."""
    task = BureauTask.objects.select_for_update().get(pk=task.pk)
    if task.status != BureauTaskStatus.OPEN:
        raise ValidationError({"task": TASK_NOT_OPEN.format(name=task.taken_by or "someone else")})
    task.status = BureauTaskStatus.TAKEN
    task.taken_by = _actor_or_none(actor)
    task.taken_at = timezone.now()
    task.save(update_fields=["status", "taken_by", "taken_at"])
    _audit(crime=task.crime, actor=actor, action=Action.ALTERATION, event="bureau_task_taken", task=task.pk)
    return task


@transaction.atomic
def complete_bureau_task(*, task: BureauTask, actor: Any, result: str) -> BureauTask:
    """Report a bureau task done, with what was done; the result shows on the case."""
    task = BureauTask.objects.select_for_update().get(pk=task.pk)
    if task.status == BureauTaskStatus.DONE:
        return task
    if task.status != BureauTaskStatus.TAKEN:
        raise ValidationError({"result": TASK_NOT_TAKEN})
    if not (result or "").strip():
        raise ValidationError({"result": "Enter what was done."})
    task.status = BureauTaskStatus.DONE
    task.result = result.strip()
    task.completed_at = timezone.now()
    task.save(update_fields=["status", "result", "completed_at"])
    _audit(crime=task.crime, actor=actor, action=Action.ALTERATION, event="bureau_task_done", task=task.pk)
    return task


# --- Victims' Right to Review ------------------------------------------------------------------------------
#
# Staff record the victim's request; it is acknowledged (the victim gets a message), then a
# supervisor who did not make the decision decides it, or refuses it as ineligible. Timescales
# are force settings: 3 months to ask, 10 working days to acknowledge, 30 days to decide.

VRR_NOT_CLOSED = "Only a closed crime's outcome can be reviewed; {reference} is {status}."
VRR_ALREADY_OPEN = "{reference} already has a review request in progress, received on {day}; deal with that one first."
VRR_FUTURE = "The date the victim asked must be today or earlier."
VRR_NOT_OPEN = "This review request has already been {status}."
VRR_NOT_ACKNOWLEDGED = "Acknowledge the request before deciding it."
VRR_NOT_A_SUPERVISOR = "Only a supervisor can decide or refuse a review request."
VRR_TOO_LONG_FOR_TEXT = ("The victim is told by text message, which holds at most {limit} characters: shorten the "
                         "reasons and what happens next by at least {over} characters.")


def vrr_months() -> int:
    return investigation_setting("CASES_VRR_MONTHS", rules.VRR_DEFAULT_MONTHS)


def vrr_eligibility(request: ReviewRequest) -> list[type[rules.BusinessRule]]:
    """The eligibility rules ``request`` breaks, judged on the outcome and dates it was recorded with."""
    # Judge the outcome the request was about, even if the crime has been reopened since.
    probe = Crime(status=CrimeStatus.CLOSED, outcome=request.outcome)
    return rules.vrr_eligibility(probe, requested_on=request.requested_on, told_on=request.decision_told_on,
                                 months=vrr_months())


def vrr_eligibility_now(crime: Crime, *, requested_on: date) -> list[type[rules.BusinessRule]]:
    """The eligibility rules a request made on ``requested_on`` about ``crime``'s decision as it stands would break."""
    told_on = timezone.localdate(crime.closed_at) if crime.closed_at else requested_on
    return rules.vrr_eligibility(crime, requested_on=requested_on, told_on=told_on, months=vrr_months())


def vrr_last_day(crime: Crime) -> date | None:
    """The last day the victim may ask for a review of the crime's closing decision (None while it is open)."""
    if crime.status != CrimeStatus.CLOSED or crime.closed_at is None:
        return None
    return rules.VRRWithinThreeMonths.last_day(timezone.localdate(crime.closed_at), months=vrr_months())


def _locked_request(request: ReviewRequest) -> ReviewRequest:
    return ReviewRequest.objects.select_for_update().select_related("crime", "outcome").get(pk=request.pk)


def _audit_vrr(request: ReviewRequest, *, actor: Any, event: str, reason: str = "", **detail: Any) -> None:
    _audit(crime=request.crime, actor=actor, action=Action.ALTERATION, event=event, reason=reason,
           review_request=request.pk, **detail)


@transaction.atomic
def record_review_request(
    *, crime: Crime, actor: Any, requested_on: date | None, channel: str, victim_reasons: str, form_token: str = "",
    send_receipt: bool = False,
) -> ReviewRequest:
    """Record a victim's request for a review of a decision not to charge, made on their behalf by staff.

    The request is kept even when it is not eligible (the victim asked, and is owed an answer);
    a supervisor then refuses it with the reason. Due dates: acknowledged within 10 working
    days, decided within 30 days of the request (settings ``CASES_VRR_ACKNOWLEDGE_WORKING_DAYS``,
    ``CASES_VRR_DECIDE_DAYS``).

    ``send_receipt`` is for a request the victim sent themselves (Track my report): the victim is
    sent a receipt at once, in this transaction, saying when they will hear from us (the
    acknowledgement deadline). Staff who record a request tell the victim themselves, so none is sent.
    A repeated form token returns the first request and sends nothing more.
    """
    if (done := _by_token(ReviewRequest, form_token)) is not None:
        return done
    crime = _locked(crime)
    if crime.status != CrimeStatus.CLOSED or crime.outcome_id is None:
        raise ValidationError(VRR_NOT_CLOSED.format(reference=crime.reference,
                                                    status=crime.get_status_display().lower()))
    errors: dict[str, str] = {}
    if requested_on is None:
        errors["requested_on"] = "Enter the date the victim asked for the review."
    elif requested_on > timezone.localdate():
        errors["requested_on"] = VRR_FUTURE
    if channel not in ReviewRequestChannel.values:
        errors["channel"] = "Choose how the victim asked: phone call, email, letter, in person or online form."
    victim_reasons = _required(errors, "victim_reasons", victim_reasons, "the victim's reasons for asking")
    if errors:
        raise ValidationError(errors)
    waiting = crime.review_requests.filter(status__in=[ReviewRequestStatus.RECEIVED, ReviewRequestStatus.ACKNOWLEDGED])
    if (open_one := waiting.first()) is not None:
        raise ValidationError({"requested_on": VRR_ALREADY_OPEN.format(
            reference=crime.reference, day=f"{open_one.requested_on:%-d %b %Y}")})
    acknowledge_by, decide_by = rules.vrr_due_dates(
        requested_on,
        acknowledge_working_days=investigation_setting("CASES_VRR_ACKNOWLEDGE_WORKING_DAYS",
                                                       rules.VRR_ACKNOWLEDGE_WORKING_DAYS),
        decide_days=investigation_setting("CASES_VRR_DECIDE_DAYS", rules.VRR_DECIDE_DAYS),
    )
    request = ReviewRequest.objects.create(
        crime=crime, requested_on=requested_on, channel=channel, victim_reasons=victim_reasons,
        outcome=crime.outcome, decision_told_on=timezone.localdate(crime.closed_at),
        decision_made_by=crime.closed_by, acknowledge_by=acknowledge_by, decide_by=decide_by,
        recorded_by=_actor_or_none(actor), form_token=(form_token or "").strip() or None,
    )
    receipt = {}
    if send_receipt:
        request.receipt_channel, request.receipt_reference = _send_review_message(
            request, actor=actor, template="right_to_review_receipt", kind="receipt",
            reason=f"Victims' Right to Review receipt on {crime.reference}",
        )
        request.save(update_fields=["receipt_channel", "receipt_reference"])
        receipt = {"receipt": request.receipt_reference}
    _audit_vrr(request, actor=actor, event="vrr_requested", channel=channel,
               eligible=not vrr_eligibility(request), outcome=crime.outcome.number, **receipt)
    return request


def review_message_channel(crime: Crime) -> tuple[str, str]:
    """The (channel, address) by which the victim is told about their review: their preferred written channel.

    The channel agreed in the update plan when it is email, text or letter and we hold the
    address; otherwise (a phone call agreed, or no plan) email if we hold one, else text, else
    a letter posted by the bureau. The result of a review is always given in writing.
    """
    victim = crime.victim
    if victim is None:
        return "", ""
    email, phone = victim.email, victim.phone_e164
    agreed = Investigation.objects.filter(crime=crime).values_list("update_channel", flat=True).first() or ""
    if agreed == UpdateChannel.EMAIL and email:
        return UpdateChannel.EMAIL, email
    if agreed == UpdateChannel.SMS and phone:
        return UpdateChannel.SMS, phone
    if agreed == UpdateChannel.LETTER:
        return UpdateChannel.LETTER, _victim_address(crime)
    if email:
        return UpdateChannel.EMAIL, email
    if phone:
        return UpdateChannel.SMS, phone
    return UpdateChannel.LETTER, _victim_address(crime)


def _review_personalisation(request: ReviewRequest) -> dict[str, str]:
    crime, victim = request.crime, request.crime.victim
    return {
        "name": victim.given_name, "crime_reference": crime.reference,
        "requested_on": f"{request.requested_on:%-d %B %Y}", "decide_by": f"{request.decide_by:%-d %B %Y}",
        "acknowledge_by": f"{request.acknowledge_by:%-d %B %Y}",
        "reasons": request.decision_reasons or request.refusal_reason, "next_steps": request.next_steps,
        "force_name": settings.FORCE_NAME,
    }


def _send_review_message(
    request: ReviewRequest, *, actor: Any, template: str, kind: str, reason: str
) -> tuple[str, str]:
    """Queue the message ``template`` to the victim in their preferred channel; returns (channel, where it went).

    Email and text go through the outbox in the caller's transaction, idempotent by the reference
    ``vrr-<kind>-<request id>`` (the outbox logs the disclosure with the address); a letter
    becomes a bureau task carrying the same words. Nothing (``("", "")``) when the crime has no victim.
    """
    from notifications.services import queue_message, render_message

    crime = request.crime
    channel, to = review_message_channel(crime)
    if not channel:
        return "", ""
    personalisation = _review_personalisation(request)
    reference = f"vrr-{kind}-{request.pk}"
    if channel in OUTBOX_CHANNELS:
        queued = queue_message(channel=channel, to=to, template=template, personalisation=personalisation,
                               reference=reference, person_id=crime.victim_id, actor=actor, reason=reason)
        return channel, queued.reference[:60]
    _, body = render_message(channel="email", template=template, personalisation=personalisation)
    task = BureauTask.objects.create(
        crime=crime, kind=BureauTaskKind.VICTIM_LETTER, requested_by=_actor_or_none(actor),
        instructions=f"Send this letter to the victim{f' at {to}' if to else ''}:\n\n{body}",
    )
    return channel, f"bureau task {task.pk}"


def _tell_victim_of_review(request: ReviewRequest, *, actor: Any, template: str, kind: str, reason: str) -> str:
    """Queue the message ``template`` to the victim in their preferred channel; returns where it went."""
    return _send_review_message(request, actor=actor, template=template, kind=kind, reason=reason)[1]


@transaction.atomic
def acknowledge_review_request(*, request: ReviewRequest, actor: Any) -> ReviewRequest:
    """Acknowledge the request and tell the victim: email or text through the outbox, else a letter by the bureau.

    Pressing the button twice acknowledges once: a request already acknowledged is returned as it is.
    """
    request = _locked_request(request)
    if request.status == ReviewRequestStatus.ACKNOWLEDGED:
        return request
    if request.status != ReviewRequestStatus.RECEIVED:
        raise ValidationError(VRR_NOT_OPEN.format(status=request.get_status_display().lower()))
    crime = request.crime
    now = timezone.now()
    sent_as = _tell_victim_of_review(
        request, actor=actor, template="right_to_review_acknowledged", kind="acknowledged",
        reason=f"Victims' Right to Review acknowledgement on {crime.reference}",
    )
    request.status = ReviewRequestStatus.ACKNOWLEDGED
    request.acknowledged_at = now
    request.acknowledged_by = _actor_or_none(actor)
    request.acknowledgement_reference = sent_as
    request.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "acknowledgement_reference"])
    _audit_vrr(request, actor=actor, event="vrr_acknowledged", sent_as=sent_as,
               late=timezone.localdate(now) > request.acknowledge_by)
    return request


def _tell_result(request: ReviewRequest, *, actor: Any, template: str, reason_field: str) -> str:
    """Tell the victim the result (decided or refused) in their preferred channel, in the same transaction.

    A text message has a length limit; reasons too long for it come back as an error on the
    reasons field, so the reviewer shortens them (nothing is saved until they do).
    """
    try:
        return _tell_victim_of_review(request, actor=actor, template=template, kind="result",
                                      reason=f"Victims' Right to Review result on {request.crime.reference}")
    except ValidationError as error:
        from notifications.services import SMS_MAX_CHARACTERS

        problems = error.message_dict.get("personalisation", []) if hasattr(error, "error_dict") else []
        length = next((re.search(r"would be (\d+)", p) for p in problems if "text message" in p), None)
        if length is None:
            raise
        over = int(length.group(1)) - SMS_MAX_CHARACTERS
        raise ValidationError({reason_field: VRR_TOO_LONG_FOR_TEXT.format(limit=SMS_MAX_CHARACTERS, over=over)}) from None


def _check_supervisor(actor: Any) -> None:
    if actor is None or not actor.has_perm(SUPERVISOR_PERMISSION):
        raise PermissionDenied(VRR_NOT_A_SUPERVISOR)


@transaction.atomic
def decide_review_request(
    *, request: ReviewRequest, actor: Any, result: str, reasons: str, next_steps: str = ""
) -> ReviewRequest:
    """The reviewing officer's decision: the original decision upheld, or overturned with what happens next.

    The reviewer is a supervisor who did not make the decision under review. Overturning
    reopens the crime (if it is still closed), with the review as the reason. A second
    submission of the same decision changes nothing.
    """
    _check_supervisor(actor)
    request = _locked_request(request)
    if request.status == ReviewRequestStatus.DECIDED and request.reviewer_id == getattr(actor, "pk", None) \
            and request.result == result:
        return request
    if request.status not in (ReviewRequestStatus.RECEIVED, ReviewRequestStatus.ACKNOWLEDGED):
        raise ValidationError(VRR_NOT_OPEN.format(status=request.get_status_display().lower()))
    if request.status != ReviewRequestStatus.ACKNOWLEDGED:
        raise ValidationError({"result": VRR_NOT_ACKNOWLEDGED})
    errors: dict[str, str] = {}
    if result not in ReviewResult.values:
        errors["result"] = "Choose the result of the review: upheld or overturned."
    reasons = _required(errors, "decision_reasons", reasons, "the reasons for the review's result")
    next_steps = (next_steps or "").strip()
    if result == ReviewResult.OVERTURNED and not next_steps:
        errors["next_steps"] = "Enter what happens next now the decision is overturned."
    if errors:
        raise ValidationError(errors)
    rules.VRRIndependentReviewer.check(request, reviewer=actor)
    for rule in vrr_eligibility(request):
        raise rules.RuleViolation(rule, f"{rule.text()} Refuse the request as ineligible instead.")
    request.status = ReviewRequestStatus.DECIDED
    request.result = result
    request.decision_reasons = reasons
    request.next_steps = next_steps if result == ReviewResult.OVERTURNED else ""
    request.reviewer = actor
    request.decided_at = timezone.now()
    request.result_reference = _tell_result(request, actor=actor, template=f"right_to_review_{result}",
                                            reason_field="decision_reasons")
    request.save(update_fields=["status", "result", "decision_reasons", "next_steps", "reviewer", "decided_at",
                                "result_reference"])
    _audit_vrr(request, actor=actor, event="vrr_decided", result=result, told_as=request.result_reference,
               late=timezone.localdate(request.decided_at) > request.decide_by)
    if result == ReviewResult.OVERTURNED and Crime.objects.filter(pk=request.crime_id,
                                                                  status=CrimeStatus.CLOSED).exists():
        reopen_crime(crime=request.crime, actor=actor,
                     reason=f"Victims' Right to Review: the decision was overturned. Next: {next_steps}")
    return request


@transaction.atomic
def refuse_review_request(*, request: ReviewRequest, actor: Any, reason: str) -> ReviewRequest:
    """Refuse a request as ineligible, with the reason (e.g. asked after 3 months, or the outcome is not a
    decision not to charge). A second submission changes nothing."""
    _check_supervisor(actor)
    request = _locked_request(request)
    if request.status == ReviewRequestStatus.REFUSED:
        return request
    if request.status not in (ReviewRequestStatus.RECEIVED, ReviewRequestStatus.ACKNOWLEDGED):
        raise ValidationError(VRR_NOT_OPEN.format(status=request.get_status_display().lower()))
    errors: dict[str, str] = {}
    reason = _required(errors, "refusal_reason", reason, "why the request is not eligible")
    if errors:
        raise ValidationError(errors)
    request.status = ReviewRequestStatus.REFUSED
    request.refusal_reason = reason
    request.reviewer = actor
    request.decided_at = timezone.now()
    request.result_reference = _tell_result(request, actor=actor, template="right_to_review_refused",
                                            reason_field="refusal_reason")
    request.save(update_fields=["status", "refusal_reason", "reviewer", "decided_at", "result_reference"])
    _audit_vrr(request, actor=actor, event="vrr_refused", reason=reason, told_as=request.result_reference)
    return request
