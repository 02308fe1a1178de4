"""Call-taking data for the demo force: THRIVE, grades, outcomes and DASH on its latest contacts.

Everything goes through the services, so the audit log holds what a real shift would
leave. Deterministic for a seed; running it again adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from .models import (
    AdviceArticle,
    Channel,
    Contact,
    ContactPerson,
    IncidentCategory,
    PartnerAgency,
    PersonRole,
    RiskChecklist,
    ThriveAssessment,
)
from .services import assess_dash, assess_thrive, grade_contact, record_outcome

LATEST = 120
RESOLVED_101_SHARE = 0.6  # the reference force's 101 triage team resolves about 60% at first contact


@dataclass
class CallTakingDemo:
    assessed: int = 0
    graded: int = 0
    outcomes: int = 0
    dash: int = 0


def _answers(contact: Contact, rng: random.Random) -> dict[str, str]:
    category = contact.incident_type.category
    violent = contact.incident_type.code.startswith("violence") or contact.incident_type.code == "domestic-incident"
    if contact.channel == Channel.EMERGENCY and violent:
        return {"threat": "high", "harm": "high", "risk": "high", "investigation": "evidence_at_risk",
                "vulnerability": "unable_to_protect", "engagement": "attend"}
    if contact.channel == Channel.EMERGENCY:
        return {"threat": "medium", "harm": "medium", "risk": "medium", "investigation": "enquiries",
                "vulnerability": rng.choice(["none", "vulnerable"]), "engagement": "attend"}
    if category == IncidentCategory.ASB_ENVIRONMENTAL or rng.random() > RESOLVED_101_SHARE:
        engagement = "partner" if category != IncidentCategory.CRIME else "phone"
    else:
        engagement = "advice"
    return {"threat": "low", "harm": "low", "risk": "low", "investigation": "enquiries" if category == "crime" else "none",
            "vulnerability": "none", "engagement": engagement}


def seed_call_taking(*, seed: int = 42) -> CallTakingDemo:
    """THRIVE, a grade, an outcome (and a DASH for 999 violence with a victim) on the latest contacts."""
    result = CallTakingDemo()
    if ThriveAssessment.objects.exists():
        return result
    rng = random.Random(seed)
    articles = list(AdviceArticle.objects.filter(active=True).prefetch_related("incident_types"))
    partners = {p.code: p for p in PartnerAgency.objects.filter(active=True)}
    checklist = RiskChecklist.objects.filter(code="dash-police-27").order_by("-version").first()
    contacts = list(Contact.objects.select_related("incident_type").order_by("-received_at", "-pk")[:LATEST])
    for contact in contacts:
        with transaction.atomic():
            answers = _answers(contact, rng)
            assess_thrive(contact=contact, actor=None, answers=answers,
                          rationales={name: f"Demo: {value.replace('_', ' ')}" for name, value in answers.items()})
            result.assessed += 1
            grade_contact(contact=contact, actor=None)
            result.graded += 1
            if answers["engagement"] == "advice":
                fitting = [a for a in articles if contact.incident_type in a.incident_types.all()] or articles
                record_outcome(contact=contact, actor=None, kind="advice", advice_article=rng.choice(fitting))
                result.outcomes += 1
            elif answers["engagement"] == "partner":
                record_outcome(contact=contact, actor=None, kind="signpost", partner_agency=partners["local-council"])
                result.outcomes += 1
            if answers["threat"] == "high" and checklist is not None:
                link = ContactPerson.objects.filter(contact=contact, role__in=[PersonRole.VICTIM, PersonRole.CALLER]).first()
                if link is not None:
                    yes = rng.randint(6, 18)
                    codes = [q["code"] for q in checklist.questions]
                    assess_dash(contact=contact, actor=None, victim=link.person, checklist=checklist,
                                answers={c: "yes" if i < yes else "no" for i, c in enumerate(codes)})
                    result.dash += 1
    return result


# --- Appointments and call quality in the demo --------------------------------------------------------

APPOINTMENTS_BOOKED = 30
QUALITY_CONTACTS_PER_HANDLER = 12
DEMO_HANDLERS = ("handler", "triage")
AWAITING_CHANNELS = (("online", "shoplifting", 50), ("business", "shoplifting", 35), ("chat", "noise", 20),
                     ("email", "criminal-damage", 8))


@dataclass
class AppointmentsQualityDemo:
    patterns: int = 0
    slots: int = 0
    booked: int = 0
    moved: int = 0
    cancelled: int = 0
    sampled: int = 0
    scored: int = 0
    awaiting: int = 0


def _patterns() -> int:
    """A weekday pattern for every local policing team (front office) and resolution centre (by phone)."""
    from datetime import time

    from accounts.models import Team

    from .models import AppointmentPattern

    made = 0
    for team in Team.objects.filter(active=True, kind__in=[Team.Kind.LOCAL_POLICING, Team.Kind.RESOLUTION_CENTRE]):
        if team.appointment_patterns.exists():
            continue
        local = team.kind == Team.Kind.LOCAL_POLICING
        AppointmentPattern.objects.create(
            team=team, name="Weekday appointments", weekdays=[0, 1, 2, 3, 4], starts=time(9), ends=time(17),
            slot_minutes=30, capacity=1 if local else 2,
            place=f"{team.name.removesuffix(' LPT')} police station front office" if local
            else "By phone: the investigator rings the caller",
        )
        made += 1
    return made


def _book(result: AppointmentsQualityDemo, rng: random.Random, actor) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from .models import Appointment, AppointmentSlot
    from .selectors import appointment_teams, free_slots
    from .services import book_appointment, cancel_appointment, move_appointment

    if Appointment.objects.exists():
        return
    teams = appointment_teams()
    contacts = list(
        Contact.objects.filter(grade=3).exclude(caller=None).select_related("caller")
        .order_by("-received_at", "-pk")[:APPOINTMENTS_BOOKED]
    )
    tomorrow = timezone.now() + timedelta(days=1)
    for number, contact in enumerate(contacts):
        team = teams[number % len(teams)]
        offered = free_slots(team=team, since=tomorrow.replace(hour=0, minute=0, second=0, microsecond=0), days=10)
        if not offered:
            continue
        choice = rng.choice(offered[:12]).slot
        notify = "sms" if contact.caller.phone_e164 else ("email" if contact.caller.email else "none")
        with transaction.atomic():
            appointment = book_appointment(contact=contact, slot=choice, actor=actor, notify_by=notify,
                                           notes="Demo: caller prefers mornings" if number % 4 == 0 else "")
        result.booked += 1
        if number % 7 == 3:
            later = AppointmentSlot.objects.filter(team=team, starts_at__gt=choice.starts_at).order_by("starts_at")
            for slot in later[:10]:
                if slot.appointments.filter(status="booked").count() < slot.capacity:
                    move_appointment(appointment=appointment, slot=slot, actor=actor,
                                     reason="Demo: the caller asked for a later time")
                    result.moved += 1
                    break
        elif number % 11 == 5:
            cancel_appointment(appointment=appointment, actor=actor, reason="Demo: the caller no longer needs it")
            result.cancelled += 1


def _quality(result: AppointmentsQualityDemo, rng: random.Random, auditor) -> None:
    """Last month: the demo handlers assess some contacts, the auditor samples and scores them."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from .models import QualityChecklist, QualitySample
    from .services import draw_quality_sample, month_bounds, score_quality_review

    first = timezone.localdate().replace(day=1)
    month = (first - timedelta(days=1)).replace(day=1)
    if QualitySample.objects.filter(month=month).exists():
        return
    handlers = list(get_user_model().objects.filter(username__in=DEMO_HANDLERS).order_by("username"))
    if not handlers or auditor is None:
        return
    start, end = month_bounds(month)
    pool = list(
        Contact.objects.filter(received_at__gte=start, received_at__lt=end, thrive_assessments__isnull=True)
        .select_related("incident_type").order_by("received_at", "pk")[: QUALITY_CONTACTS_PER_HANDLER * len(handlers)]
    )
    for number, contact in enumerate(pool):
        handler = handlers[number % len(handlers)]
        with transaction.atomic():
            answers = _answers(contact, rng)
            assess_thrive(contact=contact, actor=handler, answers=answers,
                          rationales={name: f"Demo: {value.replace('_', ' ')}" for name, value in answers.items()})
    checklist = QualityChecklist.objects.filter(active=True).order_by("code", "-version").first()
    comments = {
        "caller_vulnerability": "Ask how the caller is coping, not only what happened.",
        "repeat_victim": "Check the history panel for earlier contacts before grading.",
        "household": "Ask who else lives at the address, especially children.",
        "thrive_rationale": "Say why in each THRIVE rationale, in the caller's words.",
        "grade_fits": "Explain the override of the suggested grade.",
        "dash": "Complete the DASH whenever the contact is about domestic abuse.",
        "safeguarding_advice": "Give safeguarding advice: what to do, and when to call 999.",
        "caller_told": "Tell the caller what happens next and when.",
    }
    for handler in handlers:
        sample = draw_quality_sample(handler=handler, month=month, actor=auditor)
        result.sampled += sample.reviews.count()
        for review in sample.reviews.select_related("contact__incident_type"):
            from .services import is_domestic

            domestic = is_domestic(review.contact)
            answers = {}
            for item in checklist.items:
                if item.get("when") == "domestic" and not domestic:
                    answers[item["code"]] = "na"
                else:
                    answers[item["code"]] = "no" if rng.random() < 0.15 else "yes"
            missed = [comments.get(code, "") for code, answer in answers.items() if answer == "no"]
            score_quality_review(review=review, actor=auditor, checklist=checklist, answers=answers,
                                 comments=" ".join(missed) or "Demo: a thorough assessment.")
            result.scored += 1


def _awaiting(result: AppointmentsQualityDemo) -> None:
    """A few contacts from other channels not yet assessed, so the triage queue has work in it."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import IncidentType
    from .selectors import awaiting_assessment
    from .services import record_contact

    if awaiting_assessment(limit=1)[1]:
        return
    now = timezone.now()
    for channel, code, minutes in AWAITING_CHANNELS:
        record_contact(actor=None, channel=channel, incident_type=IncidentType.objects.get(code=code),
                       received_at=now - timedelta(minutes=minutes), location_text="Demo: Market Square, Stafford",
                       summary=f"Demo: a {channel} report waiting for triage.")
        result.awaiting += 1


def seed_appointments_and_quality(*, seed: int = 42) -> AppointmentsQualityDemo:
    """Appointment patterns, slots and bookings for the demo teams; last month's call-quality audit; a triage queue."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.services import ensure_demo_teams

    from .services import generate_appointment_slots

    result = AppointmentsQualityDemo()
    rng = random.Random(seed)
    ensure_demo_teams()
    users = get_user_model().objects
    with transaction.atomic():
        result.patterns = _patterns()
        result.slots = generate_appointment_slots(first_day=timezone.localdate(), days=settings.APPOINTMENT_SLOT_DAYS)
    _book(result, rng, users.filter(username="handler").first())
    _quality(result, rng, users.filter(username="auditor").first())
    with transaction.atomic():
        _awaiting(result)
    return result
