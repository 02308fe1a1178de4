"""Victims' Right to Review in a real browser: a request recorded, acknowledged and decided, and the queue."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import ReviewRequest, ReviewRequestStatus
from cases.tests.factories import resolution_centre, routed_crime
from notifications.models import Message
from people.services import record_person
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_records_acknowledges_and_decides_a_request(page, live_server, make_user, password,
                                                                  reference_data):
    """I should record the victim's request (a missing field named, what I typed kept), acknowledge it so the
    victim is emailed, see it in the queue with its due dates, and decide it."""
    hanley = resolution_centre()
    handler = make_user("call-handler", username="handler-vrr")
    closer = make_user("supervisor", username="closer-vrr")
    reviewer = make_user("supervisor", username="reviewer-vrr")
    reviewer.teams.add(hanley)
    victim = record_person(actor=handler, given_name="Ama", family_name="Owusu", email="ama@example.org")
    crime = routed_crime(actor=handler, victim=victim)
    services.close_crime(crime=crime, actor=closer, outcome=21)

    sign_in(page, live_server.url, reviewer.username, password)
    page.goto(f"{live_server.url}/staff/crimes/{crime.reference}/investigation/")
    assert "The victim has not asked for a review." in page.locator("body").inner_text()
    # Keyboard: the action opens from its summary with Enter.
    page.locator("summary", has_text="Record a request for a review").focus()
    page.keyboard.press("Enter")
    form = page.locator("form[action$='/investigation/right-to-review/']")
    today = timezone.localdate()
    form.get_by_label("Day", exact=True).fill(str(today.day))
    form.get_by_label("Month", exact=True).fill(str(today.month))
    form.get_by_label("Year", exact=True).fill(str(today.year))
    form.get_by_label("Email").check()
    form.get_by_role("button", name="Record the request").click()
    expect(page).to_have_title(f"Error: Investigation {crime.reference} – FirstContact")
    assert "Enter the victim's reasons for asking" in page.locator(".govuk-error-summary").inner_text()
    assert form.get_by_label("Email").is_checked()
    assert_accessible(page)
    form.get_by_label("The victim's reasons").fill("The shop's CCTV was never viewed.")
    form.get_by_role("button", name="Record the request").click()
    assert page.get_by_text("Request for a review recorded", exact=True).is_visible()
    assert "Eligible" in page.get_by_test_id("review-eligibility").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Acknowledge and tell the victim").click()
    assert page.get_by_text("Request for a review acknowledged; the victim has been told").is_visible()
    request = ReviewRequest.objects.get(crime=crime)
    assert Message.objects.get(reference=f"vrr-acknowledged-{request.pk}").to == "ama@example.org"

    page.goto(f"{live_server.url}/staff/crimes/right-to-review/")
    expect(page).to_have_title("Victims' Right to Review – FirstContact")
    queue = page.get_by_test_id("right-to-review-queue").inner_text()
    assert crime.reference in queue and request.decide_by.strftime("%-d %b %Y") in queue
    assert_accessible(page)

    page.get_by_role("link", name=crime.reference).click()
    page.get_by_text("Decide the review").click()
    page.get_by_label("Original decision upheld").check()
    page.get_by_label("Reasons for the result").fill("The CCTV was viewed and shows no one identifiable.")
    page.get_by_role("button", name="Record the result").click()
    assert page.get_by_text("Review decided; the victim has been told the result", exact=True).is_visible()
    assert "Original decision upheld" in page.get_by_test_id("review-result").inner_text()
    assert_accessible(page)
    request.refresh_from_db()
    assert request.status == ReviewRequestStatus.DECIDED and request.reviewer == reviewer
