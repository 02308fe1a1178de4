"""A call handler finds a caller in the person index and opens the record, in a real browser."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from people.services import record_address, record_person, record_vulnerability
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_call_handler_finds_a_caller_despite_slips_and_opens_the_record(page, live_server, make_user, password):
    """I type the caller's nickname, a misspelt surname and the date the wrong way round, and still find her."""
    handler = make_user("call-handler", username="handler1")
    home = record_address(number_or_name="4", street="Lichfield Road", town="Stafford", postcode="ST17 4JX")
    margaret = record_person(actor=handler, given_name="Margaret", family_name="Thompson",
                             date_of_birth=date(1950, 6, 11), address=home)
    record_vulnerability(actor=handler, person=margaret, kind="elderly", from_date=date(2020, 1, 1),
                         source="Adult social care")
    record_person(actor=handler, given_name="Marcus", family_name="Thomas", date_of_birth=date(1950, 11, 6))

    sign_in(page, live_server.url, handler.username, password)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="People").click()
    expect(page).to_have_title("Find a person – FirstContact")
    assert_accessible(page)

    # First a date that cannot be: the message names the field and nothing typed is lost.
    page.get_by_label("Name").fill("Peggy Tompson")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("1950")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_title("Error: Find a person – FirstContact")
    assert "Date of birth must be a real date" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Name").input_value() == "Peggy Tompson"
    assert page.get_by_label("Year").input_value() == "1950"
    assert_accessible(page)

    page.get_by_label("Day").fill("6")
    page.get_by_label("Month").fill("11")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_test_id("search-results")
    first_row = results.locator("tbody tr").first
    assert "Margaret Thompson" in first_row.inner_text()
    assert "day and month swapped" in first_row.inner_text()
    assert_accessible(page)

    first_row.get_by_role("link", name="Margaret Thompson").click()
    reason = page.get_by_label("Reason for opening this record")
    assert reason.input_value() == "Identifying a caller or person involved in a contact"
    assert_accessible(page)
    reason.fill("Caller reporting a doorstep fraud")
    page.get_by_role("button", name="Open the record").click()
    expect(page).to_have_title("Margaret Thompson – FirstContact")
    assert "Elderly" in page.get_by_test_id("vulnerabilities").inner_text()
    assert_accessible(page)
