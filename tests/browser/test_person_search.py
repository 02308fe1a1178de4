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


def test_call_handler_adds_and_ends_a_vulnerability_marker_and_adds_a_phone(page, live_server, make_user, password):
    """I open a caller's record for a reason, mark her vulnerable with the source, later end it, and add her number.

    A date that cannot be and a number that is not a phone number are named, and what I typed stays.
    """
    handler = make_user("call-handler", username="handler1")
    jean = record_person(actor=handler, given_name="Jean", family_name="Ashworth", date_of_birth=date(1941, 9, 2))

    sign_in(page, live_server.url, handler.username, password)
    page.goto(f"{live_server.url}/staff/people/{jean.reference}/")
    page.get_by_label("Reason for opening this record").fill("101 call from her daughter")
    page.get_by_role("button", name="Open the record").click()
    expect(page).to_have_title("Jean Ashworth – FirstContact")
    assert_accessible(page)

    page.get_by_role("link", name="Add a vulnerability marker").click()
    expect(page).to_have_title("Add a vulnerability marker – FirstContact")
    assert_accessible(page)
    page.get_by_label("Elderly").check()
    applies_from = page.get_by_role("group", name="Applies from")
    applies_from.get_by_label("Day").fill("30")
    applies_from.get_by_label("Month").fill("2")
    applies_from.get_by_label("Year").fill("2025")
    page.get_by_label("Source").fill("Adult social care referral")
    page.get_by_label("Reason for this change").fill("Daughter says she wanders at night")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_title("Error: Add a vulnerability marker – FirstContact")
    assert "Applies from must be a real date" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Source").input_value() == "Adult social care referral"
    assert page.get_by_label("Elderly").is_checked()
    assert applies_from.get_by_label("Year").input_value() == "2025"
    assert_accessible(page)

    applies_from.get_by_label("Day").fill("3")
    applies_from.get_by_label("Month").fill("11")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_title("Jean Ashworth – FirstContact")
    assert "Vulnerability marker added" in page.locator(".govuk-notification-banner").inner_text()
    markers = page.get_by_test_id("vulnerabilities")
    assert "Elderly" in markers.inner_text() and "3 Nov 2025" in markers.inner_text()
    assert "Still applies" in markers.inner_text()
    assert_accessible(page)

    markers.get_by_role("link", name="End the elderly marker from 3 Nov 2025").click()
    expect(page).to_have_title("End a vulnerability marker – FirstContact")
    assert_accessible(page)
    ended = page.get_by_role("group", name="Stopped applying on")
    ended.get_by_label("Day").fill("20")
    ended.get_by_label("Month").fill("11")
    ended.get_by_label("Year").fill("2026")
    page.get_by_label("Reason for this change").fill("Moved to a care home")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_title("Jean Ashworth – FirstContact")
    assert "20 Nov 2026" in page.get_by_test_id("vulnerabilities").inner_text()

    page.get_by_role("link", name="Add a phone number").click()
    page.get_by_label("Phone number").fill("12345")
    page.get_by_label("Home").check()
    page.get_by_label("Reason for this change").fill("Given by her daughter")
    page.get_by_role("button", name="Save").click()
    assert "Enter a phone number" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Phone number").input_value() == "12345"
    assert_accessible(page)
    page.get_by_label("Phone number").fill("01785 000 111")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_title("Jean Ashworth – FirstContact")
    assert "+441785000111" in page.get_by_test_id("phones").inner_text()
    assert_accessible(page)
