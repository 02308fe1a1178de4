"""The call-taking demo: the latest contacts get THRIVE, a grade and (for advice or signposts) an outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from contacts.models import ContactOutcome, DashAssessment, GradeDecision, IncidentType, ThriveAssessment
from contacts.services import record_contact
from people.services import record_person


def test_the_demo_assesses_grades_and_resolves_once(call_handler):
    victim = record_person(actor=call_handler, given_name="Vi", family_name="Demo")
    kinds = ["shoplifting", "noise", "asb-environmental", "violence-with-injury"]
    for number, code in enumerate(kinds):
        record_contact(
            actor=call_handler, channel="999" if code.startswith("violence") else "101",
            incident_type=IncidentType.objects.get(code=code), location_text="Market Square",
            received_at=timezone.now() - timedelta(hours=number + 1), caller=victim, people=[(victim, "victim")],
        )
    call_command("seed_call_taking", "--demo", verbosity=0)
    assert ThriveAssessment.objects.count() == GradeDecision.objects.count() == 4
    assert GradeDecision.objects.filter(grade=1, contact__incident_type__code="violence-with-injury").exists()
    assert ContactOutcome.objects.filter(kind="signpost", contact__incident_type__code="asb-environmental").exists()
    assert DashAssessment.objects.count() == 1
    call_command("seed_call_taking", "--demo", verbosity=0)
    assert ThriveAssessment.objects.count() == 4


def test_the_demo_command_needs_demo_flag(db):
    with pytest.raises(CommandError, match="--demo"):
        call_command("seed_call_taking")
