"""Track my report: the victim asks online for a review of a decision not to charge (Victims' Right to Review)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from cases import services as case_services
from cases.models import Crime, ReviewRequest, ReviewRequestStatus
from cases.selectors import open_review_requests
from people.services import record_person
from public.services import REVIEW_NOT_OPEN_TO_YOU

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
