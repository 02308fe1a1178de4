"""The call-quality audit in a real browser: draw the month's samples, score a contact, the handler reads the feedback."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import IncidentType
from contacts.services import assess_thrive, record_contact
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = {"threat": "low", "harm": "low", "risk": "low", "investigation": "none", "vulnerability": "none",
           "engagement": "advice"}


def test_an_auditor_samples_scores_and_the_handler_sees_the_feedback(page, live_server, make_user, password,
                                                                     reference_data):
    """I should draw each handler's sample, score one against the checklist, and see results by handler and team."""
    handler = make_user("call-handler", username="handler-qa", first_name="Hana", last_name="Handler")
    auditor = make_user("quality-auditor", username="auditor-qa")
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    for day in range(3):
        received = timezone.make_aware(datetime.combine(last_month + timedelta(days=day), datetime.min.time())
                                       + timedelta(hours=10))
        contact = record_contact(actor=handler, channel="101", incident_type=IncidentType.objects.get(code="noise"),
                                 received_at=received, location_text="Church Lane")
        assess_thrive(contact=contact, actor=handler, answers=ANSWERS, rationales=dict.fromkeys(ANSWERS, "Noted"))

    sign_in(page, live_server.url, auditor.username, password)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Call quality").click()
    expect(page).to_have_title("Call quality – FirstContact")
    page.get_by_label("Month", exact=True).select_option(label=f"{last_month:%B %Y}")
    page.get_by_label("Contacts per handler").fill("2")
    page.get_by_role("button", name="Draw the samples").click()
    links = page.get_by_test_id("sampled-contacts").get_by_role("link")
    expect(links).to_have_count(2)
    assert_accessible(page)

    links.first.click()
    assert_accessible(page)
    for radio in page.locator("input[type=radio][value=yes]").all():
        radio.check()
    page.locator("input[name=item_dash][value=na]").check()
    page.locator("input[name=item_household][value=no]").check()
    page.get_by_role("button", name="Save the score").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give comments for the handler")
    assert_accessible(page)
    page.get_by_label("Comments for the handler").fill("Ask who else lives at the address.")
    page.get_by_role("button", name="Save the score").click()
    expect(page.get_by_test_id("by-handler")).to_contain_text("86%")
    page.locator("#chart-quality .main-svg").first.wait_for()  # plotly.js drew the chart
    assert_accessible(page)

    page.context.clear_cookies()  # a fresh session for the handler
    sign_in(page, live_server.url, handler.username, password)
    page.goto(f"{live_server.url}/staff/contacts/")
    page.get_by_role("link", name="Your call-quality feedback").click()
    expect(page.get_by_test_id("feedback")).to_contain_text("Ask who else lives at the address.")
    assert_accessible(page)
