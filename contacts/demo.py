"""Call-taking data for the demo force: THRIVE, grades, outcomes and DASH on its latest contacts.

Everything goes through the services, so the audit log holds what a real shift would
leave. Deterministic for a seed; running it again adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

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
