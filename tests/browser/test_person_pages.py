"""A call handler keeps a person's record right in a real browser, with the keyboard alone: links her to a
crime, moves her to a new address and removes a number added by mistake; axe checks every page."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from cases.tests.factories import routed_crime
from people.selectors import search_people
from people.services import add_phone, record_address, record_person
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAB_LIMIT = 120


def _focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator) -> None:
    """Press Tab until ``locator`` has the focus, as someone without a mouse would; fail if it never does."""
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if _focused(locator):
            return
    pytest.fail(f"Tab never reached {locator}")


def type_into(page, locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def follow(page, locator) -> None:
    """Tab to a link or button and press Enter."""
    tab_to(page, locator)
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")


def choose(page, radio) -> None:
    """Tab into a group of radios and move with the arrow keys until ``radio`` is checked."""
    name = radio.get_attribute("name")
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == name:
            break
    else:
        pytest.fail(f"Tab never reached the {name} radios")
    if _focused(radio):
        page.keyboard.press("Space")
    for _ in range(20):
        if radio.is_checked():
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"the arrow keys never checked {radio}")


def type_date(page, group, day: str, month: str, year: str) -> None:
    type_into(page, group.get_by_label("Day"), day)
    type_into(page, group.get_by_label("Month"), month)
    type_into(page, group.get_by_label("Year"), year)


def test_call_handler_links_a_crime_moves_address_and_removes_a_wrong_number_by_keyboard(
    page, live_server, make_user, password, reference_data
):
    """I should be able to keep a record right without a mouse, and be told plainly when I type something wrong."""
    handler = make_user("call-handler", username="handler-records")
    home = record_address(number_or_name="7", street="Wolverhampton Road", town="Stafford", postcode="ST17 4AW")
    jean = record_person(actor=handler, given_name="Jean", family_name="Ashworth", date_of_birth=date(1941, 9, 2),
                         address=home, living_there_since=date(2001, 4, 1))
    add_phone(actor=handler, person=jean, number="01785 000 111", kind="home")
    add_phone(actor=handler, person=jean, number="07700 900 982", kind="mobile")  # her neighbour's, in error
    crime = routed_crime(actor=handler)
    record_address(number_or_name="3", street="Greengate Street", town="Stafford", postcode="ST16 2DH")

    sign_in(page, live_server.url, handler.username, password)
    page.goto(f"{live_server.url}/staff/people/{jean.reference}/")
    type_into(page, page.get_by_label("Reason for opening this record"), "101 call from her daughter")
    page.keyboard.press("Enter")
    expect(page).to_have_title("Jean Ashworth – FirstContact")
    assert_accessible(page)

    # 1. Link her to a crime: first a reference that does not exist.
    follow(page, page.get_by_role("link", name="Link to a crime"))
    expect(page).to_have_title("Link to a crime – FirstContact")
    assert_accessible(page)
    type_into(page, page.get_by_label("Crime reference"), "CR000009999")
    choose(page, page.get_by_label("Witness"))
    type_into(page, page.get_by_label("Reason for this change"), "Saw the theft from the bus stop")
    follow(page, page.get_by_role("button", name="Save"))
    expect(page).to_have_title("Error: Link to a crime – FirstContact")
    summary = page.locator(".govuk-error-summary")
    assert "Enter a crime reference that exists, like CR000000042" in summary.inner_text()
    assert page.get_by_label("Reason for this change").input_value() == "Saw the theft from the bus stop"
    assert page.get_by_label("Witness").is_checked()
    assert_accessible(page)
    # The error summary's link takes the focus to the box to correct.
    follow(page, summary.get_by_role("link", name="Enter a crime reference that exists, like CR000000042."))
    assert _focused(page.get_by_label("Crime reference"))
    page.keyboard.press("Control+A")
    page.keyboard.type(crime.reference)
    follow(page, page.get_by_role("button", name="Save"))
    expect(page).to_have_title("Jean Ashworth – FirstContact")
    crimes = page.get_by_test_id("crimes")
    row = crimes.locator("tbody tr").first.inner_text()
    assert crime.reference in row and "Shoplifting" in row and "Recorded" in row and "Witness" in row
    assert_accessible(page)

    # 2. Move her: a postcode that is not one, then an address already held there, a date to come, then today.
    follow(page, page.get_by_role("link", name="Move to a new address"))
    expect(page).to_have_title("Move to a new address – FirstContact")
    assert_accessible(page)
    type_into(page, page.get_by_label("Postcode of the new address"), "ST16")
    follow(page, page.get_by_role("button", name="Find addresses"))
    expect(page).to_have_title("Error: Move to a new address – FirstContact")
    assert "Enter a full UK postcode" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Postcode of the new address").input_value() == "ST16"
    assert_accessible(page)
    type_into(page, page.get_by_label("Postcode of the new address"), "st16 2dh")
    follow(page, page.get_by_role("button", name="Find addresses"))
    assert page.get_by_test_id("postcode").inner_text() == "ST16 2DH"
    assert_accessible(page)
    choose(page, page.get_by_label("3 Greengate Street, Stafford, ST16 2DH"))
    moved = page.get_by_role("group", name="Date they moved")
    type_date(page, moved, "14", "6", "2099")
    type_into(page, page.get_by_label("Reason for this change"), "Moved into her daughter's house")
    follow(page, page.get_by_role("button", name="Save"))
    expect(page).to_have_title("Error: Move to a new address – FirstContact")
    assert "The date they moved must be today or in the past" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("3 Greengate Street, Stafford, ST16 2DH").is_checked()
    assert page.get_by_label("Reason for this change").input_value() == "Moved into her daughter's house"
    assert_accessible(page)
    type_into(page, moved.get_by_label("Year"), "2025")
    follow(page, page.get_by_role("button", name="Save"))
    expect(page).to_have_title("Jean Ashworth – FirstContact")
    rows = page.get_by_test_id("addresses").locator("tbody tr").all_inner_texts()
    assert "3 Greengate Street, Stafford, ST16 2DH" in rows[0] and "Current" in rows[0]
    assert "7 Wolverhampton Road" in rows[1] and "Former" in rows[1] and "13 Jun 2025" in rows[1]
    assert_accessible(page)

    # 3. Remove the neighbour's number, after saying why.
    follow(page, page.get_by_test_id("phones").get_by_role("link", name="Remove +447700900982"))
    expect(page).to_have_title("Are you sure you want to remove this phone number? – FirstContact")
    assert "+447700900982" in page.get_by_test_id("summary").inner_text()
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Remove the phone number"))
    assert "Enter the reason for removing it" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    type_into(page, page.get_by_label("Reason for removing it"), "Her neighbour's number, given in error")
    follow(page, page.get_by_role("button", name="Remove the phone number"))
    expect(page).to_have_title("Jean Ashworth – FirstContact")
    assert "Phone number removed" in page.locator(".govuk-notification-banner").inner_text()
    phones = page.get_by_test_id("phones").inner_text()
    assert "+447700900982" not in phones and "+441785000111" in phones
    assert_accessible(page)

    found = search_people(actor=handler, reason="Checking the removal", phone="07700 900982")
    assert jean.reference not in [result.reference for result in found]
