"""Victims' Right to Review: the eligibility rules, the services and the pages."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from cases import rules, services
from cases.models import BureauTask, Crime, CrimeStatus, ReviewRequest, ReviewRequestStatus
from notifications.models import Message
from people.services import record_person

from .factories import routed_crime

# --- the rules (pure) ---


def _closed(number: int | None, status: str = "closed"):
    return SimpleNamespace(status=status, outcome=SimpleNamespace(number=number) if number else None)


@pytest.mark.parametrize("number", [10, 15, 21, 22])
def test_the_no_charge_outcomes_are_eligible(number):
    assert rules.VRRNoChargeDecision.passes(_closed(number), outcomes=rules.VRR_DEFAULT_OUTCOMES)


@pytest.mark.parametrize("number", [1, 3, 8, 9, 14, 16, 18, 20])
def test_charges_disposals_cps_and_no_suspect_outcomes_are_not(number):
    assert not rules.VRRNoChargeDecision.passes(_closed(number), outcomes=rules.VRR_DEFAULT_OUTCOMES)


def test_an_open_crime_has_no_decision_to_review():
    assert not rules.VRRNoChargeDecision.passes(_closed(None, "investigating"))
    assert not rules.VRRNoChargeDecision.passes(_closed(21, "investigating"))


def test_the_force_can_choose_its_own_outcomes(settings):
    settings.CASES_VRR_OUTCOMES = [14]
    assert rules.VRRNoChargeDecision.passes(_closed(14)) and not rules.VRRNoChargeDecision.passes(_closed(21))


def test_three_months_a_day_before_on_the_day_and_a_day_after():
    told = date(2026, 1, 15)
    within = rules.VRRWithinThreeMonths.passes
    assert within(None, requested_on=date(2026, 4, 14), told_on=told)
    assert within(None, requested_on=date(2026, 4, 15), told_on=told)
    assert not within(None, requested_on=date(2026, 4, 16), told_on=told)
    assert not within(None, requested_on=date(2026, 1, 14), told_on=told)  # before being told


def test_three_months_from_the_end_of_a_month_ends_on_the_last_day_of_the_shorter_month():
    assert rules.VRRWithinThreeMonths.last_day(date(2025, 11, 30)) == date(2026, 2, 28)
    assert rules.VRRWithinThreeMonths.last_day(date(2023, 11, 30)) == date(2024, 2, 29)
    assert not rules.VRRWithinThreeMonths.passes(None, requested_on=date(2026, 3, 1), told_on=date(2025, 11, 30))


def test_due_dates_skip_weekends_and_bank_holidays():
    # Thursday 2 April 2026: Good Friday and Easter Monday fall in the next ten working days.
    acknowledge_by, decide_by = rules.vrr_due_dates(date(2026, 4, 2))
    assert acknowledge_by == date(2026, 4, 20)
    assert decide_by == date(2026, 5, 2)


def test_the_decision_maker_cannot_review_their_own_decision():
    request = SimpleNamespace(decision_made_by_id=7)
    assert not rules.VRRIndependentReviewer.passes(request, reviewer=SimpleNamespace(pk=7))
    assert rules.VRRIndependentReviewer.passes(request, reviewer=SimpleNamespace(pk=8))


# --- the services ---


@pytest.fixture
def second_supervisor(make_user, hanley):
    user = make_user("supervisor", username="sue")
    user.teams.add(hanley)
    return user


def _closed_crime(handler, supervisor, outcome: int = 21, victim=None) -> Crime:
    crime = routed_crime(actor=handler, victim=victim)
    return services.close_crime(crime=crime, actor=supervisor, outcome=outcome)


def _ask(crime, actor, key="t1", **kwargs):
    values = {"requested_on": timezone.localdate(), "channel": "phone",
              "victim_reasons": "The shop has CCTV that was never looked at."} | kwargs
    return services.record_review_request(crime=crime, actor=actor, form_token=key, **values)


def test_a_request_is_recorded_once_with_its_due_dates_and_audited(call_handler, supervisor):
    crime = _closed_crime(call_handler, supervisor)
    first = _ask(crime, call_handler)
    again = _ask(crime, call_handler)
    assert again.pk == first.pk and ReviewRequest.objects.count() == 1
    today = timezone.localdate()
    assert first.acknowledge_by == rules.add_working_days(today, 10)
    assert first.decide_by == today + timedelta(days=30)
    assert first.decision_made_by == supervisor and first.outcome.number == 21
    assert first.status == ReviewRequestStatus.RECEIVED
    entry = AuditEntry.objects.get(detail__event="vrr_requested")
    assert entry.person_id == str(crime.victim_id) and entry.detail["eligible"] is True
    with pytest.raises(ValidationError) as second:
        _ask(crime, call_handler, key="t2")
    assert "already has a review request in progress" in second.value.message_dict["requested_on"][0]


def test_bad_input_names_the_field(call_handler, supervisor):
    crime = _closed_crime(call_handler, supervisor)
    with pytest.raises(ValidationError) as error:
        _ask(crime, call_handler, requested_on=timezone.localdate() + timedelta(days=1), channel="fax",
             victim_reasons=" ")
    assert set(error.value.message_dict) == {"requested_on", "channel", "victim_reasons"}
    open_crime = routed_crime(actor=call_handler)
    with pytest.raises(ValidationError, match="Only a closed crime"):
        _ask(open_crime, call_handler, key="t3")


def test_acknowledging_emails_the_victim_once(call_handler, supervisor):
    victim = record_person(actor=call_handler, given_name="Kofi", family_name="Mensah", email="kofi@example.org")
    crime = _closed_crime(call_handler, supervisor, victim=victim)
    request = _ask(crime, call_handler)
    services.acknowledge_review_request(request=request, actor=supervisor)
    services.acknowledge_review_request(request=request, actor=supervisor)
    message = Message.objects.get(reference=f"vrr-acknowledged-{request.pk}")
    assert message.to == "kofi@example.org" and crime.reference in message.body
    request.refresh_from_db()
    assert request.status == ReviewRequestStatus.ACKNOWLEDGED and request.acknowledgement_reference
    assert AuditEntry.objects.filter(detail__event="vrr_acknowledged").count() == 1


def test_a_victim_without_email_or_phone_is_written_to_by_the_bureau(call_handler, supervisor):
    request = _ask(_closed_crime(call_handler, supervisor), call_handler)
    services.acknowledge_review_request(request=request, actor=supervisor)
    assert BureauTask.objects.get(crime=request.crime).kind == "victim_letter"
    assert not Message.objects.exists()


def test_the_reviewer_must_not_be_who_closed_it_and_overturning_reopens(call_handler, supervisor,
                                                                        second_supervisor):
    crime = _closed_crime(call_handler, supervisor)
    request = _ask(crime, call_handler)
    with pytest.raises(ValidationError, match="Acknowledge the request"):
        services.decide_review_request(request=request, actor=second_supervisor, result="upheld", reasons="x")
    services.acknowledge_review_request(request=request, actor=second_supervisor)
    with pytest.raises(rules.RuleViolation) as own:
        services.decide_review_request(request=request, actor=supervisor, result="upheld", reasons="Sound.")
    assert own.value.field == "result"
    with pytest.raises(ValidationError) as missing:
        services.decide_review_request(request=request, actor=second_supervisor, result="overturned", reasons="CCTV")
    assert "next_steps" in missing.value.message_dict
    with pytest.raises(PermissionDenied):
        services.decide_review_request(request=request, actor=call_handler, result="upheld", reasons="x")
    decided = services.decide_review_request(request=request, actor=second_supervisor, result="overturned",
                                             reasons="The CCTV was not viewed.", next_steps="View the CCTV.")
    again = services.decide_review_request(request=request, actor=second_supervisor, result="overturned",
                                           reasons="The CCTV was not viewed.", next_steps="View the CCTV.")
    assert again.pk == decided.pk and decided.reviewer == second_supervisor
    crime.refresh_from_db()
    assert crime.status == CrimeStatus.UNDER_INVESTIGATION and crime.reopenings.count() == 1
    assert AuditEntry.objects.filter(detail__event="vrr_decided").count() == 1


def test_an_upheld_decision_leaves_the_crime_closed(call_handler, supervisor, second_supervisor):
    crime = _closed_crime(call_handler, supervisor)
    request = _ask(crime, call_handler)
    services.acknowledge_review_request(request=request, actor=supervisor)
    services.decide_review_request(request=request, actor=second_supervisor, result="upheld", reasons="Sound.")
    crime.refresh_from_db()
    assert crime.status == CrimeStatus.CLOSED


def test_an_ineligible_request_cannot_be_decided_only_refused(call_handler, supervisor, second_supervisor):
    crime = _closed_crime(call_handler, supervisor)
    Crime.objects.filter(pk=crime.pk).update(closed_at=timezone.now() - timedelta(days=130))
    crime.refresh_from_db()
    request = _ask(crime, call_handler)
    assert services.vrr_eligibility(request) == [rules.VRRWithinThreeMonths]
    services.acknowledge_review_request(request=request, actor=supervisor)
    with pytest.raises(rules.RuleViolation) as late:
        services.decide_review_request(request=request, actor=second_supervisor, result="upheld", reasons="x")
    assert late.value.field == "requested_on"
    with pytest.raises(ValidationError) as no_reason:
        services.refuse_review_request(request=request, actor=second_supervisor, reason="")
    assert "refusal_reason" in no_reason.value.message_dict
    refused = services.refuse_review_request(request=request, actor=second_supervisor, reason="Asked after 3 months.")
    assert refused.status == ReviewRequestStatus.REFUSED
    assert services.refuse_review_request(request=request, actor=second_supervisor, reason="again").refusal_reason \
        == "Asked after 3 months."


def test_a_charge_is_not_eligible(call_handler, supervisor):
    request = _ask(_closed_crime(call_handler, supervisor, outcome=1), call_handler)
    assert services.vrr_eligibility(request) == [rules.VRRNoChargeDecision]


# --- the pages ---


def test_the_queue_is_for_supervisors_and_marks_overdue(client, call_handler, supervisor, resolver):
    crime = _closed_crime(call_handler, supervisor)
    old = timezone.localdate() - timedelta(days=40)
    Crime.objects.filter(pk=crime.pk).update(closed_at=timezone.now() - timedelta(days=45))
    crime.refresh_from_db()
    _ask(crime, call_handler, requested_on=old)
    client.force_login(resolver)
    assert client.get(reverse("cases:right-to-review")).status_code == 403
    client.force_login(supervisor)
    html = client.get(reverse("cases:right-to-review")).content.decode()
    assert crime.reference in html and html.count("Overdue:") == 2


def test_recording_on_the_page_names_the_field_and_keeps_what_was_typed(client, call_handler, supervisor):
    crime = _closed_crime(call_handler, supervisor)
    client.force_login(supervisor)
    page = client.get(reverse("cases:investigation", args=[crime.reference])).content.decode()
    assert 'id="right-to-review"' in page and "Record a request for a review" in page
    response = client.post(reverse("cases:review-request", args=[crime.reference]), {
        "vrr-request-requested_on_day": "", "vrr-request-requested_on_month": "",
        "vrr-request-requested_on_year": "", "vrr-request-channel": "email",
        "vrr-request-victim_reasons": "Nobody spoke to the witness", "vrr-request-form_token": "p1",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the date the victim asked for the review" in html and "Nobody spoke to the witness" in html
    assert not ReviewRequest.objects.exists()
    today = timezone.localdate()
    data = {"vrr-request-requested_on_day": today.day, "vrr-request-requested_on_month": today.month,
            "vrr-request-requested_on_year": today.year, "vrr-request-channel": "email",
            "vrr-request-victim_reasons": "Nobody spoke to the witness", "vrr-request-form_token": "p1"}
    url = reverse("cases:review-request", args=[crime.reference])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert ReviewRequest.objects.count() == 1


def test_only_a_supervisor_may_decide_and_the_own_decision_error_names_the_result(client, call_handler, supervisor,
                                                                                 resolver):
    crime = _closed_crime(call_handler, supervisor)
    request = _ask(crime, call_handler)
    services.acknowledge_review_request(request=request, actor=supervisor)
    url = reverse("cases:decide-review", args=[crime.reference, request.pk])
    data = {"vrr-decide-result": "upheld", "vrr-decide-decision_reasons": "The decision was sound."}
    client.force_login(resolver)
    assert client.post(url, data).status_code == 403
    client.force_login(supervisor)
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert rules.VRRIndependentReviewer.text() in html and "The decision was sound." in html
    request.refresh_from_db()
    assert request.status == ReviewRequestStatus.ACKNOWLEDGED


def test_the_demo_adds_one_decided_and_one_waiting_request_once(call_handler):
    from cases.investigation_demo import seed_demo_investigations

    crimes = [routed_crime(actor=call_handler) for _ in range(4)]
    Crime.objects.filter(pk__in=[c.pk for c in crimes]).update(reported_at=timezone.now() - timedelta(days=150))
    seed_demo_investigations(seed=7)
    statuses = sorted(ReviewRequest.objects.values_list("status", flat=True))
    assert statuses == [ReviewRequestStatus.DECIDED, ReviewRequestStatus.RECEIVED]
    decided = ReviewRequest.objects.get(status=ReviewRequestStatus.DECIDED)
    assert decided.reviewer_id != decided.decision_made_by_id and not services.vrr_eligibility(decided)
    seed_demo_investigations(seed=7)
    assert ReviewRequest.objects.count() == 2
