"""Business actions on contacts. Each writes its audit entries in the same transaction.

The first-contact issue adds THRIVE, grading and routing; this is the minimal record.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Action
from audit.services import PendingEntry, append_entries, erase_fields, record_entry
from people.models import Address, Person
from people.services import record_person

from . import grading, rules
from .models import (
    RESOLVED_AT_FIRST_CONTACT,
    AdviceArticle,
    Channel,
    Contact,
    ContactDraft,
    ContactOutcome,
    ContactPerson,
    DashAssessment,
    Engagement,
    GradeDecision,
    GradingRule,
    IncidentCategory,
    IncidentType,
    InvestigationNeed,
    Level,
    MaracReferral,
    OutcomeKind,
    PartnerAgency,
    PersonRole,
    RiskChecklist,
    Route,
    ThriveAssessment,
    VulnerabilityLevel,
    contact_reference,
)

FORM_TOKEN_MAX = 40
DRAFT_MAX_FIELDS = 200
DRAFT_MAX_VALUE = 10_000


def _check_times(received_at: datetime, answered_at: datetime | None, closed_at: datetime | None) -> None:
    errors = {}
    for name, value in (("received_at", received_at), ("answered_at", answered_at), ("closed_at", closed_at)):
        if value is not None and timezone.is_naive(value):
            errors[name] = f"{name.replace('_', ' ').capitalize()} must include a time zone."
    if errors:
        raise ValidationError(errors)
    if received_at > timezone.now():
        errors["received_at"] = "The time received cannot be in the future."
    if answered_at is not None and answered_at < received_at:
        errors["answered_at"] = "The time answered must be at or after the time received."
    if closed_at is not None and closed_at < (answered_at or received_at):
        errors["closed_at"] = "The time closed must be at or after the time received and answered."
    if errors:
        raise ValidationError(errors)


class DuplicateSubmission(Exception):  # noqa: N818 - named for what happened, not as an error
    """Another request recorded a contact with this form token first; this one's changes roll back."""

    def __init__(self, form_token: str):
        super().__init__(form_token)
        self.form_token = form_token


def record_contact(**values: Any) -> Contact:
    """Record a contact (see ``_record_contact``); a lost race on the form token returns the winner's contact."""
    try:
        return _record_contact(**values)
    except DuplicateSubmission as duplicate:
        return Contact.objects.get(form_token=duplicate.form_token)


def record_crime_for(*, contact: Contact, actor: Any) -> Any:
    """Open the crime record for a contact that reports a crime (NCRS: the 24-hour clock starts at receipt).

    Crime recording belongs to the cases app; it classifies the crime later or now.
    """
    from cases.services import record_crime_from_contact

    return record_crime_from_contact(contact=contact, actor=actor)


@transaction.atomic
def take_contact(*, actor: Any, new_caller: dict[str, str] | None = None, reason: str = "", **values: Any) -> Contact:
    """Record a contact taken on the call-taking page, adding a new caller to the person index first if given.

    All or nothing: a second submit of the same form (same token) adds no second
    caller and no second contact, even when both arrive at once.
    """
    token = (values.get("form_token") or "").strip()
    if token:
        existing = Contact.objects.filter(form_token=token).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            if new_caller:
                values["caller"] = record_person(actor=actor, reason=reason, **new_caller)
            contact = _record_contact(actor=actor, **values)
            if contact.incident_type.category == IncidentCategory.CRIME:
                record_crime_for(contact=contact, actor=actor)
            return contact
    except DuplicateSubmission as duplicate:
        return Contact.objects.get(form_token=duplicate.form_token)


@transaction.atomic
def _record_contact(
    *,
    actor: Any,
    channel: str,
    incident_type: IncidentType,
    received_at: datetime,
    answered_at: datetime | None = None,
    closed_at: datetime | None = None,
    caller: Person | None = None,
    address: Address | None = None,
    location_text: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    grade: int | None = None,
    summary: str = "",
    people: Sequence[tuple[Person, str]] = (),
    form_token: str | None = None,
) -> Contact:
    """Record a contact from any channel with the people involved; logged as a collection for each person.

    DPA 2018 Part 3 s.62: taking a caller's account, or naming a victim, witness or
    suspect in it, is a collection of their personal data. With a ``form_token``, a
    second call with the same token returns the contact already recorded (a double
    submit records one contact), and the handler's draft under that token is deleted.
    """
    form_token = (form_token or "").strip() or None
    if form_token is not None:
        if len(form_token) > FORM_TOKEN_MAX:
            raise ValidationError({"form_token": f"The form token must be {FORM_TOKEN_MAX} characters or fewer."})
        existing = Contact.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = f"Channel must be one of {', '.join(Channel.values)}."
    if not incident_type.active:
        errors["incident_type"] = f"The incident type {incident_type.name!r} is no longer in use; choose another."
    if grade is not None and grade not in (1, 2, 3, 4):
        errors["grade"] = "Grade must be 1, 2, 3 or 4."
    if address is None and not location_text.strip() and latitude is None:
        errors["location_text"] = "Give where it happened: an address, a map point or a description of the place."
    roles = set(PersonRole.values)
    for _, role in people:
        if role not in roles:
            errors["people"] = f"A person's role must be one of {', '.join(PersonRole.values)}, not {role!r}."
    if errors:
        raise ValidationError(errors)
    _check_times(received_at, answered_at, closed_at)
    if address is not None and latitude is None:
        latitude, longitude = address.latitude, address.longitude

    try:
        # A savepoint, so that losing the race to a concurrent submit of the same form
        # leaves this transaction usable to fetch the winner's contact.
        with transaction.atomic():
            contact = Contact.objects.create(
                reference=uuid.uuid4().hex[:12], channel=channel, received_at=received_at,
                answered_at=answered_at, closed_at=closed_at, caller=caller, address=address,
                location_text=location_text.strip(), latitude=latitude, longitude=longitude,
                incident_type=incident_type, grade=grade, summary=summary.strip(),
                handled_by=actor if getattr(actor, "pk", None) else None, form_token=form_token,
            )
    except IntegrityError:
        if form_token is None or not Contact.objects.filter(form_token=form_token).exists():
            raise
        # Raised, not returned, so that whatever the caller did before in this transaction rolls back too.
        raise DuplicateSubmission(form_token) from None
    if form_token is not None and getattr(actor, "pk", None):
        ContactDraft.objects.filter(handler=actor, form_token=form_token).delete()
    # The reference comes from the id, known only after the insert.
    contact.reference = contact_reference(contact.pk)
    contact.save(update_fields=["reference"])

    involved = [(caller, PersonRole.CALLER)] if caller is not None else []
    involved += [(person, role) for person, role in people if (person, role) not in involved]
    ContactPerson.objects.bulk_create(
        [ContactPerson(contact=contact, person=person, role=role) for person, role in involved]
    )
    entries = [
        PendingEntry(
            action=Action.COLLECTION, subject_type="contacts.contact", subject_id=str(contact.pk), actor=actor,
            person_id=str(person.pk), detail={"role": str(role), "channel": channel},
        )
        for person, role in involved
    ] or [
        PendingEntry(action=Action.COLLECTION, subject_type="contacts.contact", subject_id=str(contact.pk),
                     actor=actor, detail={"channel": channel})
    ]
    append_entries(entries)
    return contact


def _draft_values(data: dict[str, Any]) -> dict[str, Any]:
    """Keep a draft's fields as strings or lists of strings, bounded, so a draft cannot grow without limit."""
    if len(data) > DRAFT_MAX_FIELDS:
        raise ValidationError({"data": f"A draft may hold at most {DRAFT_MAX_FIELDS} fields."})
    values: dict[str, Any] = {}
    for name, value in data.items():
        items = value if isinstance(value, list) else [value]
        texts = [str(item)[:DRAFT_MAX_VALUE] for item in items]
        values[str(name)[:100]] = texts if isinstance(value, list) else texts[0]
    return values


@transaction.atomic
def save_contact_draft(*, handler: Any, form_token: str, data: dict[str, Any]) -> ContactDraft:
    """Save what the handler has typed so far under the form's token; the latest save wins.

    Nothing lost (issue 5, item 11): the draft is the handler's own unfinished work, on
    the server so that it survives a closed browser. It is not yet a collection of
    anyone's data: that is logged when the contact is recorded, and the draft deleted.
    """
    token = (form_token or "").strip()
    if not token or len(token) > FORM_TOKEN_MAX:
        raise ValidationError({"form_token": f"The form token must be 1 to {FORM_TOKEN_MAX} characters."})
    if Contact.objects.filter(form_token=token).exists():
        raise ValidationError({"form_token": "This contact has already been recorded; its draft is closed."})
    draft, _ = ContactDraft.objects.update_or_create(
        handler=handler, form_token=token, defaults={"data": _draft_values(data), "updated_at": timezone.now()}
    )
    return draft


@transaction.atomic
def discard_contact_draft(*, handler: Any, form_token: str) -> int:
    """Delete the handler's draft under this token (the handler abandoned it); returns how many went."""
    deleted, _ = ContactDraft.objects.filter(handler=handler, form_token=(form_token or "").strip()).delete()
    return deleted


THRIVE_ELEMENTS = (
    ("threat", Level), ("harm", Level), ("risk", Level), ("investigation", InvestigationNeed),
    ("vulnerability", VulnerabilityLevel), ("engagement", Engagement),
)
OVERRIDE_REASON_REQUIRED = "Give the reason for choosing a different grade or route from the one suggested."


@transaction.atomic
def assess_thrive(
    *, contact: Contact, actor: Any, answers: dict[str, str], rationales: dict[str, str],
    vulnerability_factors: Sequence[str] = (),
) -> ThriveAssessment:
    """Record a THRIVE assessment of a contact; a re-assessment adds to the history, never replaces it.

    DOMAIN.md §1: every element answered, each with its rationale; who decided and
    when; the vulnerability factors. Logged as a collection about the people involved.
    """
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, choices in THRIVE_ELEMENTS:
        answer = (answers.get(name) or "").strip()
        rationale = (rationales.get(name) or "").strip()
        if answer not in choices.values:
            errors[name] = f"Choose the {name} answer."
        if not rationale:
            errors[f"{name}_rationale"] = f"Give the rationale for the {name} answer."
        values[name], values[f"{name}_rationale"] = answer, rationale
    from people.models import VulnerabilityKind

    factors = sorted(set(vulnerability_factors))
    unknown = [f for f in factors if f not in VulnerabilityKind.values]
    if unknown:
        errors["vulnerability_factors"] = f"Vulnerability factors must be among {', '.join(VulnerabilityKind.values)}."
    if errors:
        raise ValidationError(errors)
    assessment = ThriveAssessment.objects.create(
        contact=contact, assessed_by=actor if getattr(actor, "pk", None) else None, assessed_at=timezone.now(),
        vulnerability_factors=factors, **values,
    )
    person_ids = sorted(set(ContactPerson.objects.filter(contact=contact).values_list("person_id", flat=True)))
    append_entries(
        PendingEntry(action=Action.COLLECTION, subject_type="contacts.thriveassessment", subject_id=str(assessment.pk),
                     actor=actor, person_id=str(pk), detail={"contact": contact.reference, "factors": factors})
        for pk in person_ids or [""]
    )
    return assessment


def repeat_flags(contact: Contact) -> tuple[bool, bool]:
    """Whether the contact's caller is a repeat victim and its address a repeat location (counts only, no names)."""
    from .selectors import repeat_threshold, repeat_window_days

    since = contact.received_at - timedelta(days=repeat_window_days())
    window = Contact.objects.filter(received_at__gte=since, received_at__lte=contact.received_at)
    threshold = repeat_threshold()
    victim = bool(contact.caller_id) and (
        window.filter(people__person_id=contact.caller_id, people__role__in=[PersonRole.CALLER, PersonRole.VICTIM])
        .values("pk").distinct().count() >= threshold
    )
    location = bool(contact.address_id) and window.filter(address_id=contact.address_id).count() >= threshold
    return victim, location


def _rule(row: GradingRule) -> grading.Rule:
    return grading.Rule(
        name=row.name, text=row.text, grade=row.grade, route=row.route, position=row.position, channel=row.channel,
        incident_category=row.incident_category, incident_type=row.incident_type.code if row.incident_type else "",
        threat_at_least=row.threat_at_least, harm_at_least=row.harm_at_least, risk_at_least=row.risk_at_least,
        investigation=row.investigation, vulnerability_at_least=row.vulnerability_at_least,
        engagement=row.engagement, requires_repeat_victim=row.requires_repeat_victim,
        requires_repeat_location=row.requires_repeat_location,
        requires_vulnerability_factor=row.requires_vulnerability_factor,
    )


def suggest_grade(contact: Contact, thrive: ThriveAssessment | None) -> grading.Suggestion:
    """The grading table's suggestion for a contact given its latest THRIVE; no THRIVE, no suggestion."""
    if thrive is None:
        return grading.Suggestion(grade=None, route="", fired=())
    repeat_victim, repeat_location = repeat_flags(contact)
    facts = grading.Facts(
        channel=contact.channel, incident_category=contact.incident_type.category,
        incident_type=contact.incident_type.code, threat=thrive.threat, harm=thrive.harm, risk=thrive.risk,
        investigation=thrive.investigation, vulnerability=thrive.vulnerability, engagement=thrive.engagement,
        vulnerability_factors=tuple(thrive.vulnerability_factors), repeat_victim=repeat_victim,
        repeat_location=repeat_location,
    )
    rules = [_rule(row) for row in GradingRule.objects.filter(active=True).select_related("incident_type")]
    return grading.suggest(facts, rules)


@transaction.atomic
def grade_contact(
    *, contact: Contact, actor: Any, grade: int | None = None, route: str = "", override_reason: str = "",
) -> GradeDecision:
    """Grade and route a contact: the suggestion unless the handler chooses otherwise, with a reason.

    DESIGN.md §3: the suggested grade and route follow from THRIVE and the facts, with
    the rules that fired shown; an override needs a reason, and overrides are reported.
    """
    locked = Contact.objects.select_for_update().select_related("incident_type").get(pk=contact.pk)
    thrive = locked.thrive_assessments.order_by("-assessed_at", "-id").first()
    if thrive is None:
        raise ValidationError({"grade": "Complete THRIVE before grading the contact."})
    suggestion = suggest_grade(locked, thrive)
    grade = grade if grade is not None else suggestion.grade
    route = route or suggestion.route
    errors = {}
    if grade not in (1, 2, 3, 4):
        errors["grade"] = "Choose a grade from 1 to 4."
    if route not in Route.values:
        errors["route"] = "Choose a route."
    overridden = (grade, route) != (suggestion.grade, suggestion.route)
    if overridden and not override_reason.strip():
        errors["override_reason"] = OVERRIDE_REASON_REQUIRED
    if errors:
        raise ValidationError(errors)
    decision = GradeDecision.objects.create(
        contact=locked, thrive=thrive, suggested_grade=suggestion.grade, suggested_route=suggestion.route,
        rules_fired=[{"name": r.name, "text": r.text, "grade": r.grade, "route": r.route} for r in suggestion.fired],
        grade=grade, route=route, overridden=overridden, override_reason=override_reason.strip() if overridden else "",
        decided_by=actor if getattr(actor, "pk", None) else None, decided_at=timezone.now(),
    )
    locked.grade, locked.route = grade, route
    locked.save(update_fields=["grade", "route"])
    record_entry(
        actor=actor, action=Action.ALTERATION, subject_type="contacts.contact", subject_id=locked.pk,
        person_id=locked.caller_id, reason=override_reason.strip(),
        detail={"fields": ["grade", "route"], "grade": grade, "route": route, "overridden": overridden},
    )
    return decision


@transaction.atomic
def record_outcome(
    *, contact: Contact, actor: Any, kind: str, advice_article: AdviceArticle | None = None,
    partner_agency: PartnerAgency | None = None, notes: str = "",
) -> ContactOutcome:
    """Record how the contact ended at first contact and close it; advice names its article, a signpost its partner.

    Issue 5 item 5: advice or a signpost resolves the contact at first contact; the
    share of 101 contacts resolved so is reported. Recording again replaces the outcome.
    """
    errors = {}
    if kind not in OutcomeKind.values:
        errors["kind"] = "Choose how the contact ended."
    if kind == OutcomeKind.ADVICE and advice_article is None:
        errors["advice_article"] = "Choose the advice article given to the caller."
    if kind == OutcomeKind.SIGNPOST and partner_agency is None:
        errors["partner_agency"] = "Choose the partner agency the caller was signposted to."
    if errors:
        raise ValidationError(errors)
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    now = timezone.now()
    outcome, _ = ContactOutcome.objects.update_or_create(contact=locked, defaults={
        "kind": kind, "advice_article": advice_article if kind == OutcomeKind.ADVICE else None,
        "partner_agency": partner_agency if kind == OutcomeKind.SIGNPOST else None, "notes": notes.strip(),
        "resolved_at_first_contact": kind in RESOLVED_AT_FIRST_CONTACT,
        "recorded_by": actor if getattr(actor, "pk", None) else None, "recorded_at": now,
    })
    if locked.closed_at is None:
        locked.closed_at = max(now, locked.answered_at or locked.received_at)
        locked.save(update_fields=["closed_at"])
    record_entry(
        actor=actor, action=Action.ALTERATION, subject_type="contacts.contact", subject_id=locked.pk,
        person_id=locked.caller_id, detail={"fields": ["outcome", "closed_at"], "outcome": kind},
    )
    return outcome


DASH_ANSWERS = ("yes", "no", "not_known")


def call_outs_in_12_months(*, victim: Person, until: datetime) -> int:
    """Contacts in the twelve months to ``until`` in which the person was the victim or the caller."""
    since = until - timedelta(days=365)
    return (
        Contact.objects.filter(received_at__gt=since, received_at__lte=until, people__person=victim,
                               people__role__in=[PersonRole.VICTIM, PersonRole.CALLER])
        .values("pk").distinct().count()
    )


@transaction.atomic
def assess_dash(
    *, contact: Contact, actor: Any, victim: Person, checklist: RiskChecklist, answers: dict[str, str],
    judgement_level: str = "", judgement_reason: str = "",
) -> DashAssessment:
    """Record a victim's DASH or DARA answers, the risk level, escalation, and a MARAC referral when due.

    DOMAIN.md §6: 14+ "yes" is high, 10–13 medium; professional judgement may raise the
    level and never lower it; three or more call-outs in twelve months is escalation;
    a referral follows visible high risk, judgement, escalation, or a repeat within a year.
    """
    from django.conf import settings

    errors: dict[str, str] = {}
    codes = [q["code"] for q in checklist.questions]
    for code in codes:
        if answers.get(code) not in DASH_ANSWERS:
            errors[code] = "Answer yes, no or not known."
    if judgement_level and judgement_level not in rules.RISK_LEVELS:
        errors["judgement_level"] = "Choose standard, medium or high."
    if judgement_level and not judgement_reason.strip():
        errors["judgement_reason"] = "Give the reason for your professional judgement."
    if not ContactPerson.objects.filter(contact=contact, person=victim).exists():
        errors["victim"] = "The victim must be one of the people in this contact."
    if errors:
        raise ValidationError(errors)
    yes_count = sum(1 for code in codes if answers[code] == "yes")
    scored = rules.scored_level(yes_count, high_from=checklist.high_from, medium_from=checklist.medium_from)
    try:
        final = rules.apply_judgement(scored, judgement_level)
    except rules.JudgementCannotLower as exc:
        raise ValidationError({"judgement_level": str(exc)}) from None
    call_outs = call_outs_in_12_months(victim=victim, until=contact.received_at)
    escalation = rules.is_escalating(call_outs, threshold=int(getattr(settings, "DASH_ESCALATION_CALL_OUTS", 3)))
    assessment = DashAssessment.objects.create(
        contact=contact, victim=victim, checklist=checklist, answers={c: answers[c] for c in codes},
        yes_count=yes_count, scored_level=scored, judgement_level=judgement_level,
        judgement_reason=judgement_reason.strip(), risk_level=final, call_outs_12_months=call_outs,
        escalation=escalation, assessed_by=actor if getattr(actor, "pk", None) else None, assessed_at=timezone.now(),
    )
    last = MaracReferral.objects.filter(victim=victim).order_by("-created_at").values_list("created_at", flat=True).first()
    grounds = rules.marac_grounds(
        scored=scored, final=final, escalation=escalation,
        last_referral_on=timezone.localtime(last).date() if last else None, today=timezone.localdate(),
    )
    entries = [PendingEntry(
        action=Action.COLLECTION, subject_type="contacts.dashassessment", subject_id=str(assessment.pk), actor=actor,
        person_id=str(victim.pk), detail={"contact": contact.reference, "risk": final, "checklist": checklist.code},
    )]
    if grounds.any:
        referral = MaracReferral.objects.create(
            victim=victim, assessment=assessment, grounds=grounds.names(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        # Referring is sharing the victim's data with the MARAC partners: a disclosure.
        entries.append(PendingEntry(
            action=Action.DISCLOSURE, subject_type="contacts.maracreferral", subject_id=str(referral.pk), actor=actor,
            person_id=str(victim.pk), recipients=["MARAC"], reason="MARAC referral: " + ", ".join(grounds.names()),
        ))
    append_entries(entries)
    return assessment


# --- Scheduled appointments (grade 3) -------------------------------------------------------------

APPOINTMENT_TEMPLATE = "appointment_booked"
CANCELLED_TEMPLATE = "appointment_cancelled"


def _closed_days(first_day, days: int) -> set:
    """English bank holidays in the window: the front offices that take appointments are shut."""
    import holidays

    years = {first_day.year, (first_day + timedelta(days=days)).year}
    return set(holidays.country_holidays("GB", subdiv="ENG", years=sorted(years)))


@transaction.atomic
def generate_appointment_slots(*, first_day, days: int = 14, team: Any = None) -> int:
    """Make the slots of every active pattern (of one team, if given) for ``days`` days; returns how many are new.

    Safe to run again: a slot already there for the team and start time is kept as it is
    (with its bookings); ``(team, starts_at)`` is unique.
    """
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from . import slots
    from .models import AppointmentPattern, AppointmentSlot

    if days < 1 or days > 366:
        raise ValidationError({"days": "Generate slots for 1 to 366 days."})
    zone = ZoneInfo(settings.TIME_ZONE)
    patterns = AppointmentPattern.objects.filter(active=True, team__active=True).select_related("team")
    if team is not None:
        patterns = patterns.filter(team=team)
    closed = _closed_days(first_day, days)
    created = 0
    for row in patterns:
        pattern = slots.Pattern(weekdays=frozenset(int(d) for d in row.weekdays), starts=row.starts, ends=row.ends,
                                slot_minutes=row.slot_minutes)
        new = [
            AppointmentSlot(team=row.team, pattern=row, starts_at=start, ends_at=end, capacity=row.capacity,
                            place=row.place)
            for start, end in slots.slot_times(pattern, first_day=first_day, days=days, zone=zone,
                                               closed_days=closed if row.skip_bank_holidays else ())
        ]
        existing = set(AppointmentSlot.objects.filter(team=row.team, starts_at__in=[s.starts_at for s in new])
                       .values_list("starts_at", flat=True))
        fresh = [s for s in new if s.starts_at not in existing]
        AppointmentSlot.objects.bulk_create(fresh, ignore_conflicts=True)
        created += len(fresh)
    return created


def _appointment_message(*, appointment: Any, actor: Any, template: str) -> None:
    """Queue the caller's text or e-mail about their appointment, in the same transaction as the booking.

    The outbox sends it after commit, so a booking that rolls back sends nothing.
    """
    from .models import NotifyBy

    caller = appointment.contact.caller
    if appointment.notify_by == NotifyBy.NONE or caller is None:
        return
    to = caller.phone_e164 if appointment.notify_by == NotifyBy.SMS else caller.email
    if not to:
        return
    from notifications.services import queue_message

    starts = timezone.localtime(appointment.slot.starts_at)
    queue_message(
        channel=appointment.notify_by, to=to, template=template,
        personalisation={
            "name": caller.given_name or caller.full_name, "reference": appointment.contact.reference,
            "date": f"{starts:%A} {starts.day} {starts:%B %Y}", "time": f"{starts:%H:%M}",
            "place": appointment.slot.place, "team": appointment.slot.team.name,
        },
        # The calendar link opens the appointment: the outbox keeps it only until sent, and never shows it.
        secret_personalisation={"calendar_url": _caller_calendar_url(appointment)},
        # The outbox is idempotent by reference: one message per appointment and event, never two.
        reference=f"appointment-{appointment.pk}-{'cancelled' if template == CANCELLED_TEMPLATE else 'booked'}",
        person_id=caller.pk, actor=actor, reason=f"Appointment for contact {appointment.contact.reference}",
    )


def _check_appointment_allowed(contact: Contact) -> None:
    if contact.grade != 3 and contact.route != Route.APPOINTMENT:
        raise ValidationError({"slot": "Only a contact graded 3 or routed to a scheduled appointment can be booked."})


def _take_seat(slot_pk: int) -> tuple[Any, int]:
    """Lock the slot and return it with its first free seat, or refuse: the slot is full or has passed."""
    from .models import AppointmentSlot, AppointmentStatus

    slot = AppointmentSlot.objects.select_for_update(of=("self",)).select_related("team").filter(pk=slot_pk).first()
    if slot is None:
        raise ValidationError({"slot": "That time is no longer offered; choose another."})
    if slot.starts_at <= timezone.now():
        raise ValidationError({"slot": "That time has passed; choose a later one."})
    taken = set(slot.appointments.filter(status=AppointmentStatus.BOOKED).values_list("seat", flat=True))
    free = [seat for seat in range(1, slot.capacity + 1) if seat not in taken]
    if not free:
        raise ValidationError({"slot": "That time has just been booked by someone else; choose another."})
    return slot, free[0]


def _create_appointment(**values: Any) -> Any:
    from .models import Appointment

    try:
        # A savepoint: losing a race on the seat constraint leaves the transaction usable for the message.
        with transaction.atomic():
            return Appointment.objects.create(**values)
    except IntegrityError:
        raise ValidationError({"slot": "That time has just been booked by someone else; choose another."}) from None


@transaction.atomic
def book_appointment(
    *, contact: Contact, slot: Any, actor: Any, notify_by: str = "sms", notes: str = "", form_token: str = "",
) -> Any:
    """Book the caller's appointment in a free slot and queue their confirmation; one booking per form token.

    DOMAIN.md §2, grade 3: a scheduled appointment agreed with the caller. The slot row
    is locked while its seats are counted; the seat constraint refuses a double booking
    even so. A contact holds one booked appointment at a time: move it instead.
    """
    from .models import Appointment, AppointmentStatus, NotifyBy

    token = (form_token or "").strip()[:FORM_TOKEN_MAX] or None
    if token:
        existing = Appointment.objects.filter(form_token=token).first()
        if existing is not None:
            return existing
    if notify_by not in NotifyBy.values:
        raise ValidationError({"notify_by": "Choose text message, e-mail or no message."})
    locked = Contact.objects.select_for_update(of=("self",)).select_related("caller").get(pk=contact.pk)
    _check_appointment_allowed(locked)
    if Appointment.objects.filter(contact=locked, status=AppointmentStatus.BOOKED).exists():
        raise ValidationError({"slot": "This contact already has an appointment: move it or cancel it instead."})
    _check_notify(locked, notify_by)
    slot, seat = _take_seat(getattr(slot, "pk", slot))
    appointment = _create_appointment(
        contact=locked, slot=slot, seat=seat, notify_by=notify_by, notes=notes.strip(), form_token=token,
        booked_by=actor if getattr(actor, "pk", None) else None, booked_at=timezone.now(),
    )
    record_entry(
        actor=actor, action=Action.ALTERATION, subject_type="contacts.appointment", subject_id=appointment.pk,
        person_id=locked.caller_id, detail={"contact": locked.reference, "slot": slot.pk, "team": slot.team.name,
                                            "starts_at": slot.starts_at.isoformat(), "booked": True},
    )
    _appointment_message(appointment=appointment, actor=actor, template=APPOINTMENT_TEMPLATE)
    return appointment


def _check_notify(contact: Contact, notify_by: str) -> None:
    from .models import NotifyBy

    caller = contact.caller
    if notify_by == NotifyBy.SMS and not (caller and caller.phone_e164):
        raise ValidationError({"notify_by": "The caller has no phone number recorded: choose e-mail or no message."})
    if notify_by == NotifyBy.EMAIL and not (caller and caller.email):
        raise ValidationError({"notify_by": "The caller has no e-mail address recorded: choose a text or no message."})


@transaction.atomic
def move_appointment(*, appointment: Any, slot: Any, actor: Any, reason: str, notify_by: str | None = None) -> Any:
    """Move a booked appointment to another free slot, with the reason; the caller is told the new time.

    The old booking is kept, marked moved and linked to the new one, so the history shows
    every time agreed with the caller.
    """
    from .models import Appointment, AppointmentStatus, NotifyBy

    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for moving the appointment."})
    old = Appointment.objects.select_for_update(of=("self",)).select_related("contact__caller").get(pk=appointment.pk)
    if old.status != AppointmentStatus.BOOKED:
        raise ValidationError({"slot": "This appointment is no longer booked, so it cannot be moved."})
    notify_by = notify_by or old.notify_by
    if notify_by not in NotifyBy.values:
        raise ValidationError({"notify_by": "Choose text message, e-mail or no message."})
    _check_notify(old.contact, notify_by)
    slot_pk = getattr(slot, "pk", slot)
    if slot_pk == old.slot_id:
        raise ValidationError({"slot": "Choose a different time from the one booked."})
    # The old seat is freed first, so a move within a full slot's neighbours cannot block itself.
    now = timezone.now()
    old.status, old.ended_at, old.end_reason = AppointmentStatus.MOVED, now, reason.strip()
    old.ended_by = actor if getattr(actor, "pk", None) else None
    old.save(update_fields=["status", "ended_at", "end_reason", "ended_by"])
    new_slot, seat = _take_seat(slot_pk)
    new = _create_appointment(
        contact=old.contact, slot=new_slot, seat=seat, notify_by=notify_by, notes=old.notes, moved_from=old,
        booked_by=actor if getattr(actor, "pk", None) else None, booked_at=now,
    )
    record_entry(
        actor=actor, action=Action.ALTERATION, subject_type="contacts.appointment", subject_id=new.pk,
        person_id=old.contact.caller_id, reason=reason.strip(),
        detail={"contact": old.contact.reference, "moved_from": old.pk, "slot": new_slot.pk,
                "starts_at": new_slot.starts_at.isoformat()},
    )
    _appointment_message(appointment=new, actor=actor, template=APPOINTMENT_TEMPLATE)
    return new


@transaction.atomic
def cancel_appointment(*, appointment: Any, actor: Any, reason: str) -> Any:
    """Cancel a booked appointment with the reason, freeing its seat; the caller is told."""
    from .models import Appointment, AppointmentStatus

    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for cancelling the appointment."})
    locked = Appointment.objects.select_for_update(of=("self",)).select_related("contact__caller", "slot__team").get(
        pk=appointment.pk
    )
    if locked.status != AppointmentStatus.BOOKED:
        return locked  # already moved or cancelled: a repeated cancel changes nothing
    locked.status, locked.ended_at, locked.end_reason = AppointmentStatus.CANCELLED, timezone.now(), reason.strip()
    locked.ended_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["status", "ended_at", "end_reason", "ended_by"])
    record_entry(
        actor=actor, action=Action.ALTERATION, subject_type="contacts.appointment", subject_id=locked.pk,
        person_id=locked.contact.caller_id, reason=reason.strip(),
        detail={"contact": locked.contact.reference, "cancelled": True},
    )
    _appointment_message(appointment=locked, actor=actor, template=CANCELLED_TEMPLATE)
    return locked


# --- Calendar export of appointments ------------------------------------------------------------------

CALENDAR_TOKEN_BYTES = 32


def calendar_token_digest(token: str) -> str:
    """What is stored of a calendar token: its SHA-256, so a copy of the database opens no calendar.

    The tokens are 256 random bits, so a plain hash is as strong as a keyed one and does
    not break when the secret key is rotated.
    """
    import hashlib

    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def _caller_calendar_url(appointment: Any) -> str:
    """A new unguessable link to the appointment's calendar file, for the message to the caller."""
    import secrets

    from django.conf import settings
    from django.urls import reverse

    from .models import AppointmentCalendarLink

    token = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
    AppointmentCalendarLink.objects.create(appointment=appointment, token_hash=calendar_token_digest(token))
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("contacts-public:appointment-calendar", args=[token])


@transaction.atomic
def issue_team_calendar_feed(*, team: Any, actor: Any, form_token: str = "") -> tuple[Any, str]:
    """Make a team's secret calendar subscription address, revoking any before it; returns (feed, token).

    The token is returned once and never stored: the page shows the address once. The same
    form submitted again returns the address it made with an empty token, and makes no other.
    """
    import secrets

    from accounts.models import Team

    from .models import TeamCalendarFeed

    form_token = (form_token or "").strip()[:FORM_TOKEN_MAX] or None
    if form_token:
        existing = TeamCalendarFeed.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing, ""
    # The team row is locked so two replacements at once end with one live address, not an error.
    Team.objects.select_for_update().get(pk=team.pk)
    now = timezone.now()
    by = actor if getattr(actor, "pk", None) else None
    TeamCalendarFeed.objects.filter(team_id=team.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)
    token = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
    feed = TeamCalendarFeed.objects.create(team_id=team.pk, token_hash=calendar_token_digest(token), created_by=by,
                                           created_at=now, form_token=form_token)
    return feed, token


@transaction.atomic
def revoke_team_calendar_feed(*, team: Any, actor: Any) -> int:
    """Stop a team's calendar subscription address at once; returns how many were live (0 or 1)."""
    from .models import TeamCalendarFeed

    by = actor if getattr(actor, "pk", None) else None
    return TeamCalendarFeed.objects.filter(team_id=team.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by)


# --- Quality audit of calls --------------------------------------------------------------------------


def quality_sample_size() -> int:
    """N: contacts sampled per handler per month (setting ``QUALITY_SAMPLE_SIZE``, default 5)."""
    from django.conf import settings

    return int(getattr(settings, "QUALITY_SAMPLE_SIZE", 5))


def month_bounds(month) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next, in London time (the month a handler worked)."""
    from datetime import date as date_type
    from datetime import time
    from zoneinfo import ZoneInfo

    from django.conf import settings

    zone = ZoneInfo(settings.TIME_ZONE)
    first = date_type(month.year, month.month, 1)
    following = date_type(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (datetime.combine(first, time.min).replace(tzinfo=zone),
            datetime.combine(following, time.min).replace(tzinfo=zone))


def handlers_contacts(*, handler: Any, month) -> list[int]:
    """Contacts received in the month whose vulnerability assessment (THRIVE) the handler made, or that they took."""
    from django.db.models import Q

    start, end = month_bounds(month)
    return list(
        Contact.objects.filter(received_at__gte=start, received_at__lt=end)
        .filter(Q(thrive_assessments__assessed_by=handler) | Q(handled_by=handler, thrive_assessments__isnull=False))
        .values_list("pk", flat=True).distinct()
    )


@transaction.atomic
def draw_quality_sample(*, handler: Any, month, actor: Any, size: int | None = None) -> Any:
    """Draw N of a handler's assessed contacts of a month at random, reproducibly; drawing again returns the same sample.

    Quality assurance of calls (DESIGN.md §1, quality auditor): N per handler per month,
    from the contacts they assessed. The seed is handler and month, stored with it.
    """
    from datetime import date as date_type

    from . import quality
    from .models import QualityReview, QualitySample

    size = quality_sample_size() if size is None else size
    if not 1 <= size <= 50:
        raise ValidationError({"size": "Sample 1 to 50 contacts per handler."})
    month = date_type(month.year, month.month, 1)
    if month > timezone.localdate():
        raise ValidationError({"month": "Choose a month that has started."})
    existing = QualitySample.objects.filter(handler=handler, month=month).first()
    if existing is not None:
        return existing
    seed = quality.sample_seed(handler.pk, f"{month:%Y-%m}")
    chosen = quality.draw_sample(handlers_contacts(handler=handler, month=month), size, seed)
    try:
        with transaction.atomic():
            sample = QualitySample.objects.create(handler=handler, month=month, size=size, seed=seed,
                                                  drawn_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError:
        return QualitySample.objects.get(handler=handler, month=month)  # another auditor drew it at the same moment
    QualityReview.objects.bulk_create([QualityReview(sample=sample, contact_id=pk) for pk in chosen])
    return sample


def handlers_in_month(month) -> list[Any]:
    """Staff who assessed contacts received in the month: the handlers to sample."""
    from django.contrib.auth import get_user_model

    start, end = month_bounds(month)
    ids = (ThriveAssessment.objects.filter(contact__received_at__gte=start, contact__received_at__lt=end)
           .exclude(assessed_by=None).values_list("assessed_by", flat=True).distinct())
    return list(get_user_model().objects.filter(pk__in=ids).order_by("username"))


@transaction.atomic
def draw_quality_samples(*, month, actor: Any, size: int | None = None) -> list[Any]:
    """Draw the month's sample for every handler who assessed contacts in it (existing samples are kept)."""
    return [draw_quality_sample(handler=h, month=month, actor=actor, size=size) for h in handlers_in_month(month)]


def is_domestic(contact: Contact) -> bool:
    """Whether a contact is about domestic abuse: its type, or a DASH/DARA recorded on it."""
    code = contact.incident_type.code
    return "domestic" in code or contact.dash_assessments.exists()


@transaction.atomic
def score_quality_review(
    *, review: Any, actor: Any, checklist: Any, answers: dict[str, str], comments: str = "",
) -> Any:
    """Score a sampled contact's vulnerability assessment against the checklist, with comments for the handler.

    Every item is answered met ("yes"), not met ("no"), or, for an item that applies
    only to domestic abuse, not applicable ("na") when the contact is not domestic. A
    "not met" needs a comment: the handler is told what to do differently. Scoring
    again replaces the earlier score.
    """
    from . import quality
    from .models import QualityReview

    locked = QualityReview.objects.select_for_update(of=("self",)).select_related("contact__incident_type").get(pk=review.pk)
    domestic = is_domestic(locked.contact)
    errors: dict[str, str] = {}
    for number, item in enumerate(checklist.items, start=1):
        answer = answers.get(item["code"])
        if answer not in quality.ANSWERS:
            errors[item["code"]] = f"Answer item {number}: met, not met or not applicable."
        elif answer == "na" and (item.get("when") != "domestic" or domestic):
            errors[item["code"]] = f"Item {number} applies to this contact: answer met or not met."
    if not errors and "no" in answers.values() and not (comments or "").strip():
        errors["comments"] = "Give comments for the handler on each item not met."
    if errors:
        raise ValidationError(errors)
    result = quality.score(checklist.items, answers)
    locked.checklist, locked.comments = checklist, comments.strip()
    locked.answers = {item["code"]: answers[item["code"]] for item in checklist.items}
    locked.score, locked.reviewed_at = result.percent, timezone.now()
    locked.reviewed_by = actor if getattr(actor, "pk", None) else None
    locked.save()
    # The score is about the member of staff, not the caller; logged so the audit shows who judged whose work.
    record_entry(
        actor=actor, action=Action.COLLECTION, subject_type="contacts.qualityreview", subject_id=locked.pk,
        detail={"contact": locked.contact.reference, "handler": locked.sample.handler_id, "score": result.percent,
                "checklist": f"{checklist.code} v{checklist.version}"},
    )
    return locked


ERASED_TEXT = "Erased"
_THRIVE_TEXT = ("threat_rationale", "harm_rationale", "risk_rationale", "investigation_rationale",
                "vulnerability_rationale", "engagement_rationale")


@transaction.atomic
def erase_contact(*, actor: Any, contact: Contact, reason: str, detail: dict[str, Any] | None = None) -> dict[str, int]:
    """Erase the personal data of a contact at the end of its retention; the row stays for the statistics.

    APP "Review, retention and disposal" / DPA 2018 s.62: the summary, where it happened, who called
    and who was involved, the THRIVE rationales and free-text notes are removed; channel, times,
    incident type, grade and route stay (they feed demand figures and hold nothing about a person).
    One ``erasure`` entry holds counts, never content. A second call removes nothing and logs nothing.
    """
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    blank = {"summary": "", "location_text": "", "latitude": None, "longitude": None, "caller_id": None,
             "address_id": None}
    removed = {
        "people": ContactPerson.objects.filter(contact=locked).delete()[0],
        "thrive_rationales": ThriveAssessment.objects.filter(contact=locked).exclude(
            **dict.fromkeys(_THRIVE_TEXT, ""), vulnerability_factors=[]).update(
            **dict.fromkeys(_THRIVE_TEXT, ""), vulnerability_factors=[]),
        "override_reasons": GradeDecision.objects.filter(contact=locked, overridden=True).exclude(
            override_reason=ERASED_TEXT).update(override_reason=ERASED_TEXT),
        "outcome_notes": ContactOutcome.objects.filter(contact=locked).exclude(notes="").update(notes=""),
        "appointment_notes": locked.appointments.exclude(notes="", end_reason="").update(notes="", end_reason=""),
    }
    return erase_fields(
        locked, blank=blank, removed=removed, actor=actor, reason=reason, subject_type="contacts.contact",
        detail=detail,
    )
