"""Victims' Right to Review: the victim is told the result (and the acknowledgement) in their preferred channel."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from cases import services
from cases.models import BureauTask, ReviewRequestStatus
from notifications.models import Message
from notifications.services import SMS_MAX_CHARACTERS
from people.services import record_person

from .factories import routed_crime


@pytest.fixture
def reviewer(make_user, hanley):
    """A second supervisor: the one who closed the crime may not review it."""
    user = make_user("supervisor", username="sue")
    user.teams.add(hanley)
    return user


def _request(handler, closer, *, email: str = "", phone: str = "", plan: str = "", acknowledged: bool = True):
    victim = record_person(actor=handler, given_name="Kofi", family_name="Mensah", email=email, phone_e164=phone)
    crime = routed_crime(actor=handler, victim=victim)
    if plan:
        services.agree_update_plan(crime=crime, actor=closer, every_days=14, channel=plan)
    services.close_crime(crime=crime, actor=closer, outcome=21)
    request = services.record_review_request(crime=crime, actor=handler, requested_on=timezone.localdate(),
                                             channel="phone", victim_reasons="The CCTV was never viewed.")
    if acknowledged:
        services.acknowledge_review_request(request=request, actor=closer)
    return request


def _results(request) -> list[Message]:
    return list(Message.objects.filter(reference=f"vrr-result-{request.pk}"))


def test_deciding_twice_queues_one_message_with_the_result_reasons_and_what_next(call_handler, supervisor,
                                                                                reviewer):
    request = _request(call_handler, supervisor, email="kofi@example.org")
    for _ in range(2):
        services.decide_review_request(request=request, actor=reviewer, result="upheld",
                                       reasons="The CCTV was viewed; no one can be identified from it.")
    [message] = _results(request)
    assert message.to == "kofi@example.org" and message.person_id == request.crime.victim_id
    assert "we have kept the original decision" in message.body
    assert "The CCTV was viewed; no one can be identified from it." in message.body
    assert "What happens next" in message.body and request.crime.reference in message.subject
    request.refresh_from_db()
    assert request.result_reference == message.reference
    decided = AuditEntry.objects.get(detail__event="vrr_decided")
    assert decided.detail["told_as"] == message.reference
    # The outbox logs the message as a disclosure of the victim's address, once.
    disclosed = AuditEntry.objects.filter(action=Action.DISCLOSURE, detail__reference=message.reference)
    assert [(e.person_id, e.recipients) for e in disclosed] == [(str(request.crime.victim_id), ["kofi@example.org"])]


def test_an_overturned_decision_is_texted_when_text_is_the_agreed_channel(call_handler, supervisor, reviewer):
    request = _request(call_handler, supervisor, email="kofi@example.org", phone="+447700900123", plan="sms")
    assert Message.objects.get(reference=f"vrr-acknowledged-{request.pk}").to == "+447700900123"
    services.decide_review_request(request=request, actor=reviewer, result="overturned",
                                   reasons="The neighbour was never asked.", next_steps="An officer will visit him.")
    [message] = _results(request)
    assert message.channel == "sms" and message.to == "+447700900123"
    assert "we have changed the original decision" in message.body and "An officer will visit him." in message.body


def test_a_phone_call_agreed_still_gets_the_result_in_writing(call_handler, supervisor, reviewer):
    request = _request(call_handler, supervisor, email="kofi@example.org", plan="phone")
    services.decide_review_request(request=request, actor=reviewer, result="upheld", reasons="Sound decision.")
    assert _results(request)[0].to == "kofi@example.org"


def test_with_no_email_or_phone_the_bureau_posts_the_same_words(call_handler, supervisor, reviewer):
    request = _request(call_handler, supervisor)
    services.decide_review_request(request=request, actor=reviewer, result="upheld", reasons="Sound decision.")
    assert not Message.objects.exists()
    letters = BureauTask.objects.filter(crime=request.crime, kind="victim_letter").order_by("pk")
    assert len(letters) == 2  # the acknowledgement, then the result
    assert "we have kept the original decision" in letters[1].instructions
    assert "Sound decision." in letters[1].instructions
    request.refresh_from_db()
    assert request.result_reference == f"bureau task {letters[1].pk}"


def test_a_refusal_tells_the_victim_why_once(call_handler, supervisor, reviewer):
    request = _request(call_handler, supervisor, email="kofi@example.org", acknowledged=False)
    for _ in range(2):
        services.refuse_review_request(request=request, actor=reviewer, reason="You are not the victim of this crime.")
    [message] = _results(request)
    assert "we cannot review it" in message.body and "You are not the victim of this crime." in message.body


def test_reasons_too_long_for_a_text_are_refused_on_the_reasons_field_and_nothing_is_saved(call_handler, supervisor,
                                                                                            reviewer):
    request = _request(call_handler, supervisor, phone="+447700900123")
    with pytest.raises(ValidationError) as error:
        services.decide_review_request(request=request, actor=reviewer, result="upheld",
                                       reasons="The CCTV was viewed. " * 50)
    [problem] = error.value.message_dict["decision_reasons"]
    assert f"at most {SMS_MAX_CHARACTERS} characters" in problem
    request.refresh_from_db()
    assert request.status == ReviewRequestStatus.ACKNOWLEDGED and not _results(request)


def test_the_page_says_the_victim_was_told(client, call_handler, supervisor, reviewer):
    request = _request(call_handler, supervisor, email="kofi@example.org")
    client.force_login(reviewer)
    response = client.post(reverse("cases:decide-review", args=[request.crime.reference, request.pk]), {
        "vrr-decide-result": "upheld", "vrr-decide-decision_reasons": "Sound decision."}, follow=True)
    html = response.content.decode()
    assert "the victim has been told the result" in html
    assert f"vrr-result-{request.pk}" in html


# --- the receipt for a request the victim sent online -------------------------------------------

def test_a_request_staff_record_sends_no_receipt_even_when_the_victim_used_an_online_form(client, call_handler,
                                                                                          supervisor):
    victim = record_person(actor=call_handler, given_name="Kofi", family_name="Mensah", email="kofi@example.org")
    crime = services.close_crime(crime=routed_crime(actor=call_handler, victim=victim), actor=supervisor, outcome=21)
    client.force_login(supervisor)
    today = timezone.localdate()
    response = client.post(reverse("cases:review-request", args=[crime.reference]), {
        "vrr-request-requested_on_day": today.day, "vrr-request-requested_on_month": today.month,
        "vrr-request-requested_on_year": today.year, "vrr-request-channel": "online",
        "vrr-request-victim_reasons": "Sent through the force's website form.", "vrr-request-form_token": "s1",
    })
    assert response.status_code == 302
    request = crime.review_requests.get()
    assert (request.channel, request.receipt_channel, request.receipt_reference) == ("online", "", "")
    assert not Message.objects.filter(template="right_to_review_receipt").exists()
    assert "receipt" not in AuditEntry.objects.get(detail__event="vrr_requested").detail
    assert "Receipt sent" not in client.get(reverse("cases:right-to-review")).content.decode()


def test_a_receipt_to_a_victim_without_email_or_phone_is_a_letter_for_the_bureau(client, call_handler, supervisor):
    crime = services.close_crime(crime=routed_crime(actor=call_handler), actor=supervisor, outcome=21)
    assert not (crime.victim.email or crime.victim.phone_e164)
    for _ in range(2):  # the same form twice: one letter
        request = services.record_review_request(
            crime=crime, actor=call_handler, requested_on=timezone.localdate(), channel="online",
            victim_reasons="Nobody asked the neighbour.", form_token="o1", send_receipt=True)
    [task] = BureauTask.objects.filter(crime=crime)
    assert task.kind == "victim_letter" and crime.reference in task.instructions
    assert f"You will hear from us by {request.acknowledge_by:%-d %B %Y}." in task.instructions
    request.refresh_from_db()
    assert (request.receipt_channel, request.receipt_reference) == ("letter", f"bureau task {task.pk}")
    assert not Message.objects.exists()
    client.force_login(supervisor)
    assert "Receipt sent to the bureau to post" in client.get(reverse("cases:right-to-review")).content.decode()


def test_the_receipt_fits_a_text_message(call_handler, supervisor):
    victim = record_person(actor=call_handler, given_name="Kofi", family_name="Mensah", phone_e164="+447700900123")
    crime = services.close_crime(crime=routed_crime(actor=call_handler, victim=victim), actor=supervisor, outcome=21)
    request = services.record_review_request(crime=crime, actor=call_handler, requested_on=timezone.localdate(),
                                             channel="online", victim_reasons="Nobody asked the neighbour.",
                                             send_receipt=True)
    message = Message.objects.get(reference=request.receipt_reference)
    assert message.channel == "sms" and len(message.body) <= SMS_MAX_CHARACTERS
    assert message.body.startswith("Hello Kofi,") and crime.reference in message.body
