"""DASH and DARA: scoring, judgement that only raises, escalation, and MARAC referrals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from contacts import rules
from contacts.models import DashAssessment, IncidentType, MaracReferral, RiskChecklist
from contacts.services import assess_dash, record_contact
from people.services import record_person


@pytest.mark.parametrize(("yes", "level"), [(9, "standard"), (10, "medium"), (13, "medium"), (14, "high")])
def test_scored_level_14_or_more_is_high_10_to_13_medium(yes, level):
    """DASH scoring: 14 or more "yes" answers is high risk, 10 to 13 medium, 9 or fewer standard."""
    assert rules.scored_level(yes) == level


def test_judgement_can_raise_the_level_never_lower_it():
    """Professional judgement can raise the risk level a checklist gives, never lower it."""
    assert rules.apply_judgement("medium", "high") == "high"
    with pytest.raises(rules.JudgementCannotLower, match="never lower it"):
        rules.apply_judgement("high", "medium")


def test_marac_repeat_ground_holds_within_twelve_months_of_the_last_referral():
    grounds = rules.marac_grounds(scored="standard", final="standard", escalation=False,
                                  last_referral_on=date(2026, 1, 10), today=date(2026, 11, 1))
    assert grounds.names() == ["repeat_within_12_months"]
    assert not rules.marac_grounds(scored="standard", final="standard", escalation=False,
                                   last_referral_on=date(2025, 1, 10), today=date(2026, 11, 1)).any


@pytest.fixture
def victim(call_handler):
    return record_person(actor=call_handler, given_name="Lou", family_name="Marsh")


def _call(actor, victim, days_ago=0):
    return record_contact(
        actor=actor, channel="999", incident_type=IncidentType.objects.get(code="violence-without-injury"),
        received_at=timezone.now() - timedelta(days=days_ago, minutes=5), caller=victim,
        location_text="Flat 2, Canal Walk", people=[(victim, "victim")],
    )


def _answers(checklist, yes):
    codes = [q["code"] for q in checklist.questions]
    return {code: "yes" if i < yes else "no" for i, code in enumerate(codes)}


def test_three_checklists_are_seeded_with_their_question_counts(db):
    counts = {c.code: len(c.questions) for c in RiskChecklist.objects.all()}
    assert counts["dash-24"] == 24
    assert counts["dash-police-27"] == 27
    assert counts["dara"] > 0


def test_fourteen_yes_is_high_risk_with_a_marac_referral_disclosed_in_the_audit(call_handler, victim):
    contact = _call(call_handler, victim)
    checklist = RiskChecklist.objects.get(code="dash-police-27")
    dash = assess_dash(contact=contact, actor=call_handler, victim=victim, checklist=checklist,
                       answers=_answers(checklist, 14))
    assert (dash.yes_count, dash.risk_level) == (14, "high")
    referral = MaracReferral.objects.get(victim=victim)
    assert referral.grounds == ["visible_high_risk"]
    assert AuditEntry.objects.filter(action=Action.DISCLOSURE, person_id=str(victim.pk)).exists()


def test_thirteen_yes_is_medium_and_makes_no_referral(call_handler, victim):
    contact = _call(call_handler, victim)
    checklist = RiskChecklist.objects.get(code="dash-24")
    dash = assess_dash(contact=contact, actor=call_handler, victim=victim, checklist=checklist,
                       answers=_answers(checklist, 13))
    assert dash.risk_level == "medium"
    assert not MaracReferral.objects.exists()


def test_judgement_raising_to_high_refers_on_that_ground_and_lowering_is_refused(call_handler, victim):
    contact = _call(call_handler, victim)
    checklist = RiskChecklist.objects.get(code="dash-24")
    with pytest.raises(ValidationError) as error:
        assess_dash(contact=contact, actor=call_handler, victim=victim, checklist=checklist,
                    answers=_answers(checklist, 15), judgement_level="medium", judgement_reason="Calmer now")
    assert "judgement_level" in error.value.message_dict
    dash = assess_dash(contact=contact, actor=call_handler, victim=victim, checklist=checklist,
                       answers=_answers(checklist, 4), judgement_level="high", judgement_reason="Threat with a knife")
    assert (dash.scored_level, dash.risk_level) == ("standard", "high")
    assert MaracReferral.objects.get().grounds == ["professional_judgement"]


def test_three_call_outs_in_twelve_months_is_escalation(call_handler, victim):
    _call(call_handler, victim, days_ago=300)
    _call(call_handler, victim, days_ago=400)  # outside the twelve months
    _call(call_handler, victim, days_ago=30)
    contact = _call(call_handler, victim)
    checklist = RiskChecklist.objects.get(code="dara")
    dash = assess_dash(contact=contact, actor=call_handler, victim=victim, checklist=checklist,
                       answers=_answers(checklist, 2))
    assert dash.call_outs_12_months == 3
    assert dash.escalation
    assert MaracReferral.objects.get().grounds == ["escalation"]


def test_every_question_must_be_answered_on_the_page(client, call_handler, victim):
    contact = _call(call_handler, victim)
    client.force_login(call_handler)
    checklist = RiskChecklist.objects.get(code="dash-24")
    data = {f"q_{code}": answer for code, answer in _answers(checklist, 14).items()}
    del data["q_strangulation"]
    response = client.post(reverse("contacts:dash", args=[contact.reference]),
                           {"checklist": "dash-24", "victim": str(victim.pk), **data})
    assert response.status_code == 400
    assert response.context["dash_form"].errors["q_strangulation"] == ["Answer question 18: yes, no or not known"]
    assert ">Answer question 18: yes, no or not known</a>" in response.content.decode()  # in the error summary
    assert not DashAssessment.objects.exists()
    data["q_strangulation"] = "yes"
    client.post(reverse("contacts:dash", args=[contact.reference]),
                {"checklist": "dash-24", "victim": str(victim.pk), **data})
    page = client.get(reverse("contacts:detail", args=[contact.reference]))
    assert "MARAC referral made" in page.content.decode()


def test_the_contact_opens_when_no_risk_checklist_is_in_use(client, call_handler, victim):
    """A call is in hand: an empty or retired checklist table must not turn the contact page into "not found"."""
    contact = _call(call_handler, victim)
    RiskChecklist.objects.update(active=False)
    client.force_login(call_handler)
    page = client.get(reverse("contacts:detail", args=[contact.reference]) + "?dash=1")
    assert page.status_code == 200
    assert "No risk checklist is in use" in page.content.decode()
    assert page.context["dash_form"] is None
    # Asking for a named checklist that is not in use is still refused.
    assert client.get(reverse("contacts:detail", args=[contact.reference]) + "?checklist=dash-24").status_code == 404
