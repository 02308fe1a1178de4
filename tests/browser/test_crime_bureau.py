"""The crime admin bureau in a real browser: the 24-hour clocks, recording a crime, asking for a cancellation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Crime, CrimeStatus
from cases.services import record_crime_from_contact
from cases.tests.factories import crime_contact
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bureau_sees_the_clocks_records_a_crime_and_asks_for_a_cancellation(
    page, live_server, make_user, password, reference_data
):
    """I should see which crimes are past or near the 24-hour limit, and record or cancel them from the queue."""
    handler = make_user("call-handler", username="handler-cab")
    bureau = make_user("crime-admin", username="cab-browser")
    overdue = record_crime_from_contact(
        contact=crime_contact(actor=handler, received_at=timezone.now() - timedelta(hours=26)), actor=handler
    )
    fresh = record_crime_from_contact(
        contact=crime_contact(actor=handler, incident_code="criminal-damage",
                              received_at=timezone.now() - timedelta(hours=1)),
        actor=handler,
    )

    sign_in(page, live_server.url, bureau.username, password)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Crime recording").click()
    expect(page).to_have_title("Crime admin bureau queue – FirstContact")
    waiting = page.get_by_test_id("awaiting-recording")
    rows = waiting.locator("tbody tr").all_inner_texts()
    assert rows[0].startswith(overdue.reference) and "Overdue by 2 h" in rows[0]
    assert rows[1].startswith(fresh.reference) and "left" in rows[1]
    assert_accessible(page)

    waiting.get_by_role("link", name=overdue.reference).click()
    expect(page).to_have_title(f"Crime {overdue.reference} – FirstContact")
    # The classification offered first is the one for the incident type the contact gave.
    assert "46 Shoplifting" in page.get_by_label("Home Office classification").evaluate(
        "select => select.selectedOptions[0].textContent"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Record the crime").click()
    assert page.get_by_text(f"Classification of {overdue.reference} checked").is_visible()
    overdue.refresh_from_db()
    assert overdue.status == CrimeStatus.RECORDED

    # Asking for a cancellation with no reason keeps the chosen code and names the missing field.
    page.get_by_label("C3 Duplicate").check()
    page.get_by_role("button", name="Ask for cancellation").click()
    expect(page).to_have_title(f"Error: Crime {overdue.reference} – FirstContact")
    assert "Enter additional verifiable information" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("C3 Duplicate").is_checked()
    assert_accessible(page)
    page.get_by_role("textbox", name="Additional verifiable information").fill("Same theft as reported an hour earlier")
    page.get_by_role("button", name="Ask for cancellation").click()
    assert page.get_by_text("another member of the bureau must approve it").is_visible()

    page.get_by_role("link", name="Crime admin bureau queue").click()
    assert overdue.reference in page.get_by_test_id("cancellations").inner_text()
    assert Crime.objects.get(pk=overdue.pk).cancellation_pending
