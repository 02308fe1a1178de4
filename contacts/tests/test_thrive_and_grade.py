"""THRIVE on the contact page, then the suggested grade and route with reasons, and overrides with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import GradeDecision, GradingRule, IncidentType, ThriveAssessment
from contacts.services import OVERRIDE_REASON_REQUIRED, record_contact
from people.services import record_person

ELEMENTS = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")


@pytest.fixture
def contact(call_handler):
    caller = record_person(actor=call_handler, given_name="Dee", family_name="Hart")
    return record_contact(
        actor=call_handler, channel="999", incident_type=IncidentType.objects.get(code="violence-without-injury"),
        received_at=timezone.now() - timedelta(minutes=3), caller=caller, location_text="14 Oak Road",
        people=[(caller, "victim")],
    )


@pytest.fixture
def handler_client(client, call_handler):
    client.force_login(call_handler)
    return client


def _thrive(**answers):
    values = {"threat": "high", "harm": "high", "risk": "high", "investigation": "evidence_at_risk",
              "vulnerability": "unable_to_protect", "engagement": "attend", **answers}
    data = {name: values[name] for name in ELEMENTS}
    data.update({f"{name}_rationale": f"Why {name}" for name in ELEMENTS})
    data["vulnerability_factors"] = ["domestic_abuse"]
    return data


def test_every_thrive_element_needs_a_rationale(handler_client, contact):
    data = _thrive()
    data["risk_rationale"] = ""
    response = handler_client.post(reverse("contacts:thrive", args=[contact.reference]), data)
    assert response.status_code == 400
    assert response.context["thrive_form"].errors["risk_rationale"] == ["Give the rationale for the risk answer"]
    assert not ThriveAssessment.objects.exists()


def test_a_re_assessment_is_kept_beside_the_first(handler_client, contact):
    url = reverse("contacts:thrive", args=[contact.reference])
    handler_client.post(url, _thrive(risk="medium"))
    handler_client.post(url, _thrive(risk="high"))
    assert list(contact.thrive_assessments.values_list("risk", flat=True)) == ["high", "medium"]
    page = handler_client.get(reverse("contacts:detail", args=[contact.reference]))
    assert "Earlier assessments (1)" in page.content.decode()


def test_danger_to_life_suggests_grade_1_dispatch_with_the_rules_that_fired(handler_client, contact):
    handler_client.post(reverse("contacts:thrive", args=[contact.reference]), _thrive())
    page = handler_client.get(reverse("contacts:detail", args=[contact.reference]))
    suggestion = page.context["suggestion"]
    assert (suggestion.grade, suggestion.route) == (1, "dispatch")
    html = page.content.decode()
    assert "Danger to life now" in html
    assert GradingRule.objects.get(name="Danger to life now").text in html


def test_accepting_the_suggestion_needs_no_reason(handler_client, contact):
    handler_client.post(reverse("contacts:thrive", args=[contact.reference]), _thrive())
    response = handler_client.post(reverse("contacts:grade", args=[contact.reference]), {"grade": "1", "route": "dispatch"})
    assert response.status_code == 302
    decision = GradeDecision.objects.get()
    assert not decision.overridden
    assert "Danger to life now" in [rule["name"] for rule in decision.rules_fired]
    contact.refresh_from_db()
    assert (contact.grade, contact.route) == (1, "dispatch")


def test_an_override_needs_a_reason_and_is_reported(handler_client, contact):
    handler_client.post(reverse("contacts:thrive", args=[contact.reference]), _thrive())
    url = reverse("contacts:grade", args=[contact.reference])
    refused = handler_client.post(url, {"grade": "2", "route": "dispatch"})
    assert refused.status_code == 400
    assert refused.context["grade_form"].errors["override_reason"] == [OVERRIDE_REASON_REQUIRED]
    assert not GradeDecision.objects.exists()

    handler_client.post(url, {"grade": "2", "route": "dispatch", "override_reason": "Suspect has left; victim safe with a neighbour"})
    decision = GradeDecision.objects.get()
    assert decision.overridden
    assert (decision.suggested_grade, decision.grade) == (1, 2)
    report = handler_client.get(reverse("contacts:overrides"))
    assert "Suspect has left; victim safe with a neighbour" in report.content.decode()


def test_grading_waits_for_thrive(handler_client, contact):
    response = handler_client.post(reverse("contacts:grade", args=[contact.reference]), {"grade": "4", "route": "advice"})
    assert response.status_code == 400
    assert not GradeDecision.objects.exists()


def test_a_101_crime_resolved_by_advice_is_suggested_advice(handler_client, call_handler):
    theft = record_contact(
        actor=call_handler, channel="101", incident_type=IncidentType.objects.get(code="shoplifting"),
        received_at=timezone.now() - timedelta(minutes=3), location_text="Corner shop",
    )
    handler_client.post(reverse("contacts:thrive", args=[theft.reference]), _thrive(
        threat="none", harm="low", risk="low", investigation="enquiries", vulnerability="none", engagement="advice",
    ))
    suggestion = handler_client.get(reverse("contacts:detail", args=[theft.reference])).context["suggestion"]
    assert (suggestion.grade, suggestion.route) == (4, "advice")


def test_administrators_edit_the_grading_rules_and_handlers_cannot(client, make_user, call_handler):
    rule = GradingRule.objects.get(name="Anything else")
    url = reverse("admin:contacts_gradingrule_change", args=[rule.pk])
    client.force_login(call_handler)
    assert client.get(url).status_code in (302, 403)
    admin_user = make_user("administrator", username="admin1", is_staff=True)
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    listing = client.get(reverse("admin:contacts_gradingrule_changelist"))
    assert "Danger to life now" in listing.content.decode()
