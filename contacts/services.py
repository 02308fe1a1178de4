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
from audit.services import PendingEntry, append_entries, record_entry
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
