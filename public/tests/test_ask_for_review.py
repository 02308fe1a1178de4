"""Track my report: the victim asks online for a review of a decision not to charge (Victims' Right to Review)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from cases import services as case_services
from cases.models import Crime, ReviewRequest, ReviewRequestStatus
from cases.rules import add_working_days
from cases.selectors import open_review_requests
from notifications.models import Message
from people.services import record_person
from public.models import OnlineReport
from public.services import REVIEW_NOT_OPEN_TO_YOU, ask_for_review

from .helpers import emails_to, link_in, send_report

pytestmark = pytest.mark.django_db

ASK = "Ask for a review of this decision"
REASONS = "The shop next door has CCTV of the car park and nobody asked for it."


@pytest.fixture
def closer(make_user):
    return make_user("supervisor", username="closer")


def _closed_and_tracked(client, closer, outcome: int = 21, *, closed_days_ago: int = 0) -> Crime:
    """Send a report, close its crime with ``outcome``, and open its status page with the code sent."""
    reference = send_report(client)
    crime = case_services.close_crime(crime=Crime.objects.get(), actor=closer, outcome=outcome)
    if closed_days_ago:
        Crime.objects.filter(pk=crime.pk).update(closed_at=timezone.now() - timedelta(days=closed_days_ago))
    client.post(reverse("public:track"), {"reference": reference, "contact_detail": "priya@example.org"})
    code = link_in([m for m in emails_to("priya@example.org") if m.template == "track_code"][-1], r"\b\d{6}\b")
    assert client.post(reverse("public:track-code"), {"code": code}).url == reverse("public:track-status")
    return Crime.objects.get(pk=crime.pk)


def _status(client) -> str:
    return client.get(reverse("public:track-status")).content.decode()


def _ask(client, reasons: str):
    return client.post(reverse("public:track-review"), {"reasons": reasons})


def test_an_eligible_decision_offers_the_form_and_one_request_lands_in_the_supervisors_queue(client, closer):
    crime = _closed_and_tracked(client, closer)
    page = _status(client)
    assert ASK in page and 'action="/report/track/review/"' in page
    last_day = case_services.vrr_last_day(crime)
    assert f"You can ask until {last_day:%-d %B %Y}" in page

    first = _ask(client, REASONS)
    again = _ask(client, REASONS)  # a double click, or the browser sending the form again
    assert first.status_code == again.status_code == 302
    request = ReviewRequest.objects.get()
    assert (request.crime, request.channel, request.status) == (crime, "online", ReviewRequestStatus.RECEIVED)
    assert request.requested_on == timezone.localdate() and request.victim_reasons == REASONS
    assert request.recorded_by is None and request.decision_made_by == closer
    assert list(open_review_requests()) == [request]
    entry = AuditEntry.objects.get(detail__event="vrr_requested")
    assert entry.actor_label == "public:track-my-report" and entry.person_id == str(crime.victim_id)
    assert entry.detail["channel"] == "online" and entry.detail["eligible"] is True

    page = _status(client)
    assert "We have your request for a review of the decision" in page
    assert f"tell you the result, with our reasons, by {request.decide_by:%-d %B %Y}" in page
    assert ASK not in page


def test_the_request_shows_in_the_staff_queue_as_sent_online(client, closer):
    crime = _closed_and_tracked(client, closer)
    _ask(client, REASONS)
    client.force_login(closer)
    queue = client.get(reverse("cases:right-to-review")).content.decode()
    assert crime.reference in queue and "Online form" in queue
    page = client.get(reverse("cases:investigation", args=[crime.reference])).content.decode()
    assert "sent by the victim from Track my report" in page and REASONS in page


def test_a_missing_or_too_long_reason_names_the_field_and_keeps_what_was_typed(client, closer):
    _closed_and_tracked(client, closer)
    empty = _ask(client, "   ")
    assert empty.status_code == 400
    html = empty.content.decode()
    assert "<title>Error:" in html and "There is a problem" in html
    assert 'href="#id_reasons">Enter why you disagree with the decision</a>' in html

    typed = "The witness was never asked. " + "x" * 2000
    long = _ask(client, typed)
    assert long.status_code == 400
    html = long.content.decode()
    assert f"Why you disagree must be 2,000 characters or fewer; you have entered {len(typed):,}" in html
    assert typed in html  # shown again in the box, nothing lost
    assert not ReviewRequest.objects.exists()


def test_a_decision_the_right_does_not_cover_says_why_and_what_to_do_instead(client, closer):
    _closed_and_tracked(client, closer, outcome=18)
    page = _status(client)
    assert "No suspect was identified" in page and "If you learn something that could help find who did it" in page
    assert 'action="/report/track/review/"' not in page
    refused = _ask(client, REASONS)
    assert refused.status_code == 400 and REVIEW_NOT_OPEN_TO_YOU in refused.content.decode()
    assert not ReviewRequest.objects.exists()


def test_a_cps_decision_points_to_the_cps_scheme(client, closer):
    _closed_and_tracked(client, closer, outcome=9)
    assert "ask the CPS to look at its decision again" in _status(client)


def test_after_three_months_the_page_gives_the_last_day_it_could_be_asked(client, closer):
    crime = _closed_and_tracked(client, closer, closed_days_ago=100)
    page = _status(client)
    assert f"the last day to ask was {case_services.vrr_last_day(crime):%-d %B %Y}" in page
    assert 'action="/report/track/review/"' not in page


def test_only_the_victim_may_ask_online(client, closer, call_handler):
    crime = _closed_and_tracked(client, closer)
    someone_else = record_person(actor=call_handler, given_name="Dev", family_name="Shah")
    Crime.objects.filter(pk=crime.pk).update(victim=someone_else)
    page = _status(client)
    assert "Only the victim of the crime can ask for a review online." in page and crime.reference in page
    assert _ask(client, REASONS).status_code == 400 and not ReviewRequest.objects.exists()


def test_an_open_crime_has_no_decision_to_review_and_the_form_needs_the_code(client):
    reference = send_report(client)
    client.post(reverse("public:track"), {"reference": reference, "contact_detail": "priya@example.org"})
    code = link_in([m for m in emails_to("priya@example.org") if m.template == "track_code"][-1], r"\b\d{6}\b")
    client.post(reverse("public:track-code"), {"code": code})
    assert "review" not in _status(client).lower()
    client.cookies.clear()
    assert _ask(client, REASONS).url == reverse("public:track")
    assert not ReviewRequest.objects.exists()


def test_the_decided_review_is_shown_and_the_same_decision_is_not_reviewed_again(client, closer, make_user):
    crime = _closed_and_tracked(client, closer)
    _ask(client, REASONS)
    request = ReviewRequest.objects.get()
    reviewer = make_user("supervisor", username="reviewer")
    case_services.acknowledge_review_request(request=request, actor=reviewer)
    case_services.decide_review_request(request=request, actor=reviewer, result="upheld",
                                        reasons="The CCTV was checked; it does not show the car park.")
    page = _status(client)
    assert "we kept the original decision" in page and "The CCTV was checked" in page
    assert "We have already reviewed this decision" in page and 'action="/report/track/review/"' not in page
    assert crime.reference in [m.subject.split(": ")[-1] for m in emails_to("priya@example.org")
                               if m.template == "right_to_review_upheld"]


def test_an_overturned_decision_reopens_the_crime_and_the_page_still_shows_the_result(client, closer, make_user):
    _closed_and_tracked(client, closer)
    _ask(client, REASONS)
    request = ReviewRequest.objects.get()
    reviewer = make_user("supervisor", username="reviewer")
    case_services.acknowledge_review_request(request=request, actor=reviewer)
    case_services.decide_review_request(request=request, actor=reviewer, result="overturned",
                                        reasons="The CCTV was never requested.", next_steps="We will ask the shop for it.")
    page = _status(client)
    assert "An investigator is looking into your report." in page
    assert "we changed the decision and reopened the investigation" in page and "We will ask the shop for it." in page
    assert 'action="/report/track/review/"' not in page


# --- the receipt sent at once --------------------------------------------------------------------

def _receipts() -> list[Message]:
    return list(Message.objects.filter(template="right_to_review_receipt"))


def test_a_double_submit_sends_one_receipt_giving_the_acknowledgement_deadline(client, closer):
    crime = _closed_and_tracked(client, closer)
    _ask(client, REASONS)
    _ask(client, REASONS)  # the same form sent again
    request = ReviewRequest.objects.get()
    [receipt] = _receipts()
    assert (receipt.channel, receipt.to, receipt.reference) == ("email", "priya@example.org", f"vrr-receipt-{request.pk}")
    assert receipt.person_id == crime.victim_id and receipt.status in ("queued", "sent", "delivered")
    # The day promised is the acknowledgement deadline: 10 working days, weekends and bank holidays skipped.
    today = timezone.localdate()
    assert request.acknowledge_by == add_working_days(today, 10) != today + timedelta(days=10)
    assert f"You will hear from us by {request.acknowledge_by:%-d %B %Y}." in receipt.body
    assert crime.reference in receipt.subject and crime.reference in receipt.body
    assert "A supervisor who did not make the decision will look at your request." in receipt.body
    assert "call 101" in receipt.body
    assert (request.receipt_channel, request.receipt_reference) == ("email", receipt.reference)
    # Audited as the other messages to the victim: a disclosure of the address, and on the request's entry.
    disclosure = AuditEntry.objects.get(action=Action.DISCLOSURE, detail__reference=receipt.reference)
    assert disclosure.person_id == str(crime.victim_id) and disclosure.recipients == ["priya@example.org"]
    assert disclosure.actor_label == "public:track-my-report"
    assert AuditEntry.objects.get(detail__event="vrr_requested").detail["receipt"] == receipt.reference


def test_the_page_says_the_receipt_is_on_its_way_and_the_day_we_will_be_in_touch(client, closer):
    _closed_and_tracked(client, closer)
    _ask(client, REASONS)
    request = ReviewRequest.objects.get()
    day = f"{request.acknowledge_by:%-d %B %Y}"
    page = _status(client)
    assert "We have your request for a review of the decision" in page
    assert (f"We are sending you a receipt by email. It gives your crime reference and says when you will hear "
            f"from us: by {day}.") in page
    assert f"have sent you a receipt by email. You will hear from us by {day}" in page
    # The banner is shown once; the request's progress stays.
    page = _status(client)
    assert "We are sending you a receipt" not in page and "have sent you a receipt by email" in page


def test_the_deadline_in_the_receipt_follows_the_force_setting(client, closer, settings):
    settings.CASES_VRR_ACKNOWLEDGE_WORKING_DAYS = 3
    _closed_and_tracked(client, closer)
    _ask(client, REASONS)
    [receipt] = _receipts()
    assert f"You will hear from us by {add_working_days(timezone.localdate(), 3):%-d %B %Y}." in receipt.body


def test_a_victim_who_gave_only_a_mobile_gets_the_receipt_by_text(client, closer):
    reference = send_report(client, contact={"email": "", "phone": "07700 900123"})
    crime = case_services.close_crime(crime=Crime.objects.get(), actor=closer, outcome=21)
    client.post(reverse("public:track"), {"reference": reference, "contact_detail": "07700 900123"})
    code = link_in(Message.objects.filter(template="track_code").latest("pk"), r"\b\d{6}\b")
    client.post(reverse("public:track-code"), {"code": code})
    _ask(client, REASONS)
    [receipt] = _receipts()
    assert (receipt.channel, receipt.to) == ("sms", "+447700900123") and crime.reference in receipt.body
    assert "We are sending you a receipt by text message." in _status(client)


def test_the_staff_queue_shows_the_receipt_was_sent(client, closer):
    crime = _closed_and_tracked(client, closer)
    _ask(client, REASONS)
    request = ReviewRequest.objects.get()
    client.force_login(closer)
    queue = client.get(reverse("cases:right-to-review")).content.decode()
    assert crime.reference in queue and "Receipt sent by email" in queue
    page = client.get(reverse("cases:investigation", args=[crime.reference])).content.decode()
    assert f"receipt sent by email ({request.receipt_reference})" in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_form_at_once_record_one_request_and_send_one_receipt(client, reference_data, make_user):
    # Sent through the pages; the status page is not needed, the service is what the form calls.
    send_report(client)
    crime = case_services.close_crime(crime=Crime.objects.get(), actor=make_user("supervisor", username="closer"),
                                      outcome=21)
    report = OnlineReport.objects.get()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(ask_for_review(report=report, reasons=REASONS, submission_key="race-review-1").pk)
        except Exception as exc:  # the test reports any failure below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    [request] = ReviewRequest.objects.filter(crime=crime)
    assert results == [request.pk, request.pk]
    [receipt] = _receipts()
    assert receipt.reference == request.receipt_reference == f"vrr-receipt-{request.pk}"
    assert AuditEntry.objects.filter(action=Action.DISCLOSURE, detail__reference=receipt.reference).count() == 1
