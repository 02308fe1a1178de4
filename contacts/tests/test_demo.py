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


def test_the_appointments_and_quality_demo_fills_the_pages_once(make_user, settings):
    from datetime import datetime

    from accounts.services import ensure_demo_users
    from contacts.models import Appointment, AppointmentSlot, QualityReview
    from contacts.selectors import awaiting_assessment

    settings.DEMO = True
    ensure_demo_users()
    caller = record_person(actor=None, given_name="Pat", family_name="Demo", phone_e164="07700 900789")
    kind = IncidentType.objects.get(code="shoplifting")
    for hours in range(3):
        contact = record_contact(actor=None, channel="101", incident_type=kind, location_text="Market Square",
                                 received_at=timezone.now() - timedelta(hours=hours + 1), caller=caller)
        contact.grade = 3
        contact.save()
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    for day in range(6):
        received = timezone.make_aware(datetime.combine(last_month + timedelta(days=day), datetime.min.time()))
        record_contact(actor=None, channel="101", incident_type=kind, location_text="Market Square",
                       received_at=received + timedelta(hours=11))
    call_command("seed_appointments_quality", "--demo", verbosity=0)
    assert AppointmentSlot.objects.exists()
    assert Appointment.objects.filter(status="booked").count() >= 2
    assert QualityReview.objects.filter(score__isnull=False).count() == 6
    assert awaiting_assessment()[1] >= 4
    counts = (AppointmentSlot.objects.count(), Appointment.objects.count(), QualityReview.objects.count())
    call_command("seed_appointments_quality", "--demo", verbosity=0)
    assert counts == (AppointmentSlot.objects.count(), Appointment.objects.count(), QualityReview.objects.count())
