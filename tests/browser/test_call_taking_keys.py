"""The call-taking pages' keyboard shortcuts, one by one, and the pages without JavaScript.

The journeys in test_call_taking_journeys.py use them end to end; these tests pin down each
shortcut's behaviour: where the focus goes, what is answered, what a screen reader is told.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import DashAssessment, IncidentType, ThriveAssessment
from contacts.services import record_contact
from people.services import record_person
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


@pytest.fixture
def handler(make_user):
    return make_user("call-handler", username="keys-handler")


@pytest.fixture
def contact(handler):
    victim = record_person(actor=handler, given_name="Lou", family_name="Marsh")
    return record_contact(
        actor=handler, channel="999", incident_type=IncidentType.objects.get(code="violence-without-injury"),
        received_at=timezone.now() - timedelta(minutes=5), caller=victim, location_text="Flat 2, Canal Walk",
        people=[(victim, "victim")],
    )


def _active(page) -> dict:
    """What has the focus: its name and value, and the number of the section it is in."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        return {name: el.name || "", value: el.value || "", id: el.id || "",
                section: el.closest("[data-shortcut]")?.dataset.shortcut || null};
    }""")


def _radio(page, name: str, value: str):
    return page.locator(f"input[type=radio][name='{name}'][value='{value}']")


def _questions(page) -> list[str]:
    return page.locator("[data-testid=dash-form] input[type=radio][value=yes]").evaluate_all(
        "(els) => els.map((el) => el.name)"
    )


def test_alt_shift_and_a_number_goes_to_each_section_listed(page, live_server, handler, contact, password):
    """Each section the list names is reached by Alt+Shift and its number, on both call-taking pages."""
    sign_in(page, live_server.url, handler.username, password)
    page.goto(f"{live_server.url}/staff/contacts/new/")
    listed = page.get_by_test_id("keyboard-shortcuts")
    assert listed.is_visible()
    assert "1 Caller" in listed.inner_text() and "4 THRIVE" not in listed.inner_text()
    assert_accessible(page)
    page.keyboard.press("Alt+Shift+Digit2")
    assert _active(page) == {"name": "address_query", "value": "", "id": "id_address_query", "section": "2"}
    page.keyboard.press("Alt+Shift+Digit1")
    assert _active(page)["id"] == "id_caller_query"
    page.keyboard.press("Alt+Shift+Digit3")
    assert _active(page)["id"] == "id_incident_type"

    page.goto(f"{live_server.url}/staff/contacts/{contact.reference}/")
    text = page.get_by_test_id("keyboard-shortcuts").inner_text()
    for number, name in enumerate(["Caller", "Where", "What happened", "THRIVE", "Domestic abuse risk",
                                   "Grade and route", "Outcome"], start=1):
        assert f"{number} {name}" in text
        page.keyboard.press(f"Alt+Shift+Digit{number}")
        assert _active(page)["section"] == str(number), name
    assert_accessible(page)
    # On the record, the caller's row takes the focus (so a screen reader reads it), THRIVE its first question.
    page.keyboard.press("Alt+Shift+Digit1")
    assert _active(page)["id"] == "caller"
    page.keyboard.press("Alt+Shift+Digit4")
    assert _active(page) == {"name": "threat", "value": "none", "id": "id_threat_0", "section": "4"}
    page.keyboard.press("Alt+Shift+Digit5")
    assert page.evaluate("document.activeElement.dataset.testid") == "start-dash"


def test_an_options_number_chooses_it_and_moves_to_the_next_question(page, live_server, handler, contact, password):
    """On a THRIVE element, 3 chooses its third option, the focus goes to the rationale, and it is announced."""
    sign_in(page, live_server.url, handler.username, password)
    page.goto(f"{live_server.url}/staff/contacts/{contact.reference}/")
    page.keyboard.press("Alt+Shift+Digit4")
    page.keyboard.press("3")
    assert _radio(page, "threat", "medium").is_checked()
    assert _active(page)["id"] == "id_threat_rationale"
    expect(page.get_by_test_id("keys-status")).to_have_text("Threat: Medium.")
    # In a text box a number is just typed.
    page.keyboard.press("3")
    assert page.locator("#id_threat_rationale").input_value() == "3"
    # A number beyond the options does nothing; Space and the arrows still work as ever.
    page.keyboard.press("Tab")
    page.keyboard.press("9")
    assert _active(page)["name"] == "harm"
    assert page.locator("input[name=harm]:checked").count() == 0
    page.keyboard.press("ArrowDown")
    assert _radio(page, "harm", "low").is_checked()


def test_dash_questions_answer_by_y_n_and_k(page, live_server, handler, contact, password):
    """On a DASH question, y, n and k answer it and move to the next question; progress is shown and announced."""
    sign_in(page, live_server.url, handler.username, password)
    page.goto(f"{live_server.url}/staff/contacts/{contact.reference}/?dash=1#dash-heading")
    questions = _questions(page)
    assert len(questions) == 27
    page.locator(f"input[name='{questions[0]}']").first.focus()
    for key in ("y", "N", "k", "2"):
        page.keyboard.press(key)
    assert [page.locator(f"input[name='{name}']:checked").get_attribute("value") for name in questions[:4]] == [
        "yes", "no", "not_known", "no"]
    assert _active(page)["name"] == questions[4]
    progress = "4 of 27 answered (1 yes, 2 no, 1 not known); first unanswered: question 5."
    expect(page.get_by_test_id("dash-progress")).to_have_text(progress)
    # The status is read out once the keys pause: wait for it rather than catch it half-way.
    expect(page.get_by_test_id("keys-status")).to_have_text(f"Question 4: No. {progress}")
    # Past the last question the focus goes on to the professional judgement.
    page.locator(f"input[name='{questions[-1]}']").first.focus()
    page.keyboard.press("y")
    assert _active(page)["name"] == "judgement_level"
    assert_accessible(page)


def test_answer_by_letters_fills_the_questions_and_names_a_wrong_letter(page, live_server, handler, contact, password):
    """The letters box answers the questions in order; a wrong letter or one too many is named; deleting clears."""
    sign_in(page, live_server.url, handler.username, password)
    page.goto(f"{live_server.url}/staff/contacts/{contact.reference}/?dash=1#dash-heading")
    questions = _questions(page)
    box = page.get_by_label("Answer by letters")
    box.focus()
    page.keyboard.type("yn kx")
    assert [page.locator(f"input[name='{name}']:checked").get_attribute("value") for name in questions[:3]] == [
        "yes", "no", "not_known"]
    assert page.locator(f"input[name='{questions[3]}']:checked").count() == 0
    error = page.locator("#dash-letters-error")
    assert error.text_content() == 'Error: Letter 4 is "x": use y, n or k'
    assert "dash-letters-error" in box.get_attribute("aria-describedby")
    assert_accessible(page)
    # The status is read out once typing pauses.
    expect(page.get_by_test_id("keys-status")).to_have_text(
        'Letter 4 is "x": use y, n or k. 3 of 27 answered (1 yes, 1 no, 1 not known); first unanswered: question 4.')
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    assert error.is_hidden()
    assert page.locator(f"input[name='{questions[2]}']:checked").count() == 0
    expect(page.get_by_test_id("dash-progress")).to_contain_text("2 of 27 answered")
    box.fill("y" * 29)
    assert error.text_content() == "Error: There are 27 questions: remove the last 2 letters"
    expect(page.get_by_test_id("dash-progress")).to_have_text("27 of 27 answered (27 yes, 0 no, 0 not known).")


def test_ctrl_enter_saves_once_however_often_it_is_pressed(page, live_server, handler, contact, password):
    """Ctrl+Enter in THRIVE sends the form with its save button; pressed again at once, it sends nothing more."""
    sign_in(page, live_server.url, handler.username, password)
    page.goto(f"{live_server.url}/staff/contacts/{contact.reference}/")
    page.keyboard.press("Alt+Shift+Digit4")
    for name in ("threat", "harm", "risk", "investigation", "vulnerability", "engagement"):
        page.locator(f"input[name={name}]").first.focus()
        page.keyboard.press("2")
        page.keyboard.type("Said so")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
        page.keyboard.press("Control+Enter")
    page.wait_for_url("**#grading")
    assert ThriveAssessment.objects.filter(contact=contact).count() == 1


def test_without_javascript_no_shortcut_is_offered_and_the_dash_form_still_works(browser, live_server, handler,
                                                                                 contact, password):
    """With JavaScript off the list of keys and the letters box stay hidden; the checklist is answered as radios."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, live_server.url, handler.username, password)
        page.goto(f"{live_server.url}/staff/contacts/new/")
        assert page.get_by_test_id("keyboard-shortcuts").is_hidden()
        assert page.get_by_role("heading", name="Where").is_visible()
        page.goto(f"{live_server.url}/staff/contacts/{contact.reference}/?dash=1#dash-heading")
        assert page.get_by_test_id("keyboard-shortcuts").is_hidden()
        assert page.get_by_label("Answer by letters").is_hidden()
        for number, name in enumerate(_questions(page)):
            _radio(page, name, "yes" if number < 14 else "no").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Save the risk assessment").click()
        assert DashAssessment.objects.get(contact=contact).risk_level == "high"
    finally:
        context.close()
