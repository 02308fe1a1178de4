"""The victim asks online for a review of a decision not to charge, by keyboard alone; axe on every page."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services as case_services
from cases.models import Crime, ReviewRequest
from public import services
from public.models import ReportKind
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_online_reporting import Keys

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

REASONS = "The shop opposite has CCTV of the car park and nobody asked for it."


def test_a_victim_asks_for_a_review_from_track_my_report_by_keyboard(page, live_server, settings, tmp_path, make_user,
                                                                    password):
    """I can find my closed report with the code, ask for a review of the decision by keyboard alone, be told
    plainly what is missing or too long without losing what I typed, and my request reaches the supervisors."""
    # The code is read from what was sent: the outbox keeps only a mask of it.
    settings.NOTIFICATIONS_SENDER = "file"
    settings.NOTIFICATIONS_FILE_DIR = tmp_path
    closer = make_user("supervisor", username="closer-online")
    reviewer = make_user("supervisor", username="reviewer-online")
    day = timezone.localdate() - timedelta(days=1)  # yesterday: "today at 09:00" may not have come yet
    report = services.submit_online_report(
        submission_key="browser-review-1", given_name="Kim", family_name="Lee", email="kim@example.org",
        incident=services.Incident(kind=ReportKind.THEFT, occurred_at=datetime(day.year, day.month, day.day, 9, 0,
                                   tzinfo=timezone.get_current_timezone()), location="Station car park",
                                   description="Catalytic converter cut off.", answers={}),
    )
    crime = case_services.close_crime(crime=Crime.objects.get(contact=report.contact), actor=closer, outcome=21)
    keys = Keys(page)

    page.goto(f"{live_server.url}/report/track/")
    keys.fill("Report reference", report.contact.reference)
    keys.fill("E-mail address or mobile number you gave in the report", "kim@example.org")
    keys.press_button("Send me a code")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code we sent you")
    code = re.search(r"is (\d{6})\.", "".join(p.read_text() for p in sorted(tmp_path.iterdir()))).group(1)
    keys.fill("Code", code)
    keys.press_button("Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your report {report.contact.reference}")
    expect(page.get_by_role("heading", name="Ask for a review of this decision")).to_be_visible()
    assert_accessible(page)

    # Sent with nothing typed: the error names the field, and its link takes the keyboard to the box.
    keys.press_button("Ask for a review")
    expect(page).to_have_title(f"Error: Your report {report.contact.reference} – FirstContact")
    summary_link = page.locator(".govuk-error-summary").get_by_role("link",
                                                                    name="Enter why you disagree with the decision")
    expect(summary_link).to_be_visible()
    assert_accessible(page)
    keys.tab_to(summary_link)
    page.keyboard.press("Enter")
    box = page.get_by_label("Why do you disagree with the decision?")
    expect(box).to_be_focused()

    # Too long: the error gives the limit and the count, and everything typed is still there.
    too_long = REASONS + " " + "More detail. " * 160
    page.keyboard.insert_text(too_long)
    keys.press_button("Ask for a review")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Why you disagree must be 2,000 characters or fewer")
    expect(box).to_have_value(too_long)
    assert_accessible(page)
    assert not ReviewRequest.objects.exists()

    keys.tab_to(box)
    page.keyboard.press("Control+A")
    page.keyboard.type(REASONS)
    keys.press_button("Ask for a review")
    expect(page.get_by_text("We have your request for a review of the decision")).to_be_visible()
    request = ReviewRequest.objects.get()
    hear_by = f"{request.acknowledge_by:%-d %B %Y}"
    expect(page.get_by_test_id("review-receipt")).to_have_text(
        f"We are sending you a receipt by email. It gives your crime reference and says when you will hear from us: "
        f"by {hear_by}.")
    expect(page.get_by_test_id("review-asked")).to_contain_text("We have your request of")
    expect(page.get_by_role("button", name="Ask for a review")).to_have_count(0)
    assert_accessible(page)
    assert (request.crime_id, request.channel, request.victim_reasons) == (crime.pk, "online", REASONS)
    # The receipt was sent at once, with the day the acknowledgement is due.
    sent = "".join(p.read_text() for p in sorted(tmp_path.iterdir()))
    assert f"Receipt for your request for a review: {crime.reference}" in sent
    assert f"You will hear from us by {hear_by}." in sent

    # The supervisors' queue has it, as a request sent online.
    sign_in(page, live_server.url, reviewer.username, password)
    page.goto(f"{live_server.url}/staff/crimes/right-to-review/")
    queue = page.get_by_test_id("right-to-review-queue")
    expect(queue).to_contain_text(crime.reference)
    expect(queue).to_contain_text("Online form")
    expect(queue.get_by_test_id("vrr-receipt")).to_have_text("Receipt sent by email")
    assert_accessible(page)
