"""Call-taking by keyboard alone, counting every key pressed and every click (there should be none).

The two journeys of issue 5: a 101 shoplifting resolved by triage with advice, and a 999
domestic abuse call graded 1 with a DASH. Each is taken the fast way, with the page's keyboard
shortcuts (section keys, an option's number, DASH answered by letters, Ctrl+Enter to save), and
the 999 journey once more with plain Tab, arrows, Space and Enter, so that path stays working.
Each page is checked with axe. The counts are printed (run with -s) and reported in
docs/benchmarks.md. A chord counts each of its keys: Alt+Shift+4 is three keystrokes.
"""

from __future__ import annotations

import pytest

from contacts.models import Contact, DashAssessment, GradeDecision, MaracReferral
from people.services import record_address, record_person
from tests.browser.conftest import assert_accessible, sign_in

# reference_data (conftest.py): an earlier transactional test's flush emptied the seeded tables.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

MAX_TABS = 400


class Keyboard:
    """Drives the page by keys only and counts them; a click would be counted too, but none is needed."""

    def __init__(self, page):
        self.page = page
        self.keys = 0
        self.clicks = 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.keys += len(key.split("+"))

    def focused(self, locator) -> bool:
        return self.page.evaluate("(el) => document.activeElement === el", locator.element_handle())

    def section(self, number: int) -> None:
        """Alt+Shift and the section's number: the focus goes to the first thing to answer there."""
        self.press(f"Alt+Shift+Digit{number}")

    def save(self) -> None:
        """Ctrl+Enter: send the form holding the focus, and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.press("Control+Enter")

    def choose(self, name: str, value: str) -> None:
        """Tab to a radio group (unless there already) and press the option's number: the focus moves on."""
        group = self.page.locator(f"input[type=radio][name='{name}']")
        values = group.evaluate_all("(els) => els.map((el) => el.value)")
        checked = group.evaluate_all("(els) => els.findIndex((el) => el.checked)")
        self.tab_to(group.nth(checked if checked >= 0 else 0))
        self.press(str(values.index(value) + 1))
        assert group.nth(values.index(value)).is_checked()

    def submit(self) -> None:
        """Press Enter on a button, link or text box and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.press("Enter")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.keys += len(text)

    def tab_to(self, locator) -> None:
        """Press Tab until the element has the focus, as a keyboard user would."""
        handle = locator.element_handle()
        for _ in range(MAX_TABS):
            if self.page.evaluate("(el) => document.activeElement === el", handle):
                return
            self.press("Tab")
        raise AssertionError(f"Tab never reached {locator}")

    def radio(self, name: str, value: str) -> None:
        """Tab into a radio group and move to the option with arrow keys (Space on the first)."""
        group = self.page.locator(f"input[type=radio][name='{name}']")
        values = group.evaluate_all("(els) => els.map((el) => el.value)")
        checked = group.evaluate_all("(els) => els.findIndex((el) => el.checked)")
        start = checked if checked >= 0 else 0
        self.tab_to(group.nth(start))
        target = values.index(value)
        if target == start:
            if checked < 0:
                self.press("Space")
            return
        self.press("ArrowDown" if target > start else "ArrowUp", abs(target - start))

    def select(self, locator, label: str) -> None:
        """Tab to a drop-down and move to the option with arrow keys (type-ahead resets if typing is slow)."""
        self.tab_to(locator)
        labels = locator.evaluate("(el) => Array.from(el.options).map((o) => o.text)")
        current = locator.evaluate("(el) => el.selectedIndex")
        target = labels.index(label)
        self.press("ArrowDown" if target > current else "ArrowUp", abs(target - current))

    def fill(self, locator, text: str) -> None:
        self.tab_to(locator)
        self.type(text)


def _journey_start(page, live_server, user, password):
    sign_in(page, live_server.url, user.username, password)
    page.goto(f"{live_server.url}/staff/contacts/")
    assert_accessible(page)
    keys = Keyboard(page)
    keys.tab_to(page.get_by_role("button", name="Take a new contact"))
    keys.submit()
    page.wait_for_url("**/staff/contacts/new/")
    assert_accessible(page)
    return keys


def _thrive(keys, page, answers: dict[str, str], rationale: str) -> None:
    for name, value in answers.items():
        keys.radio(name, value)
        keys.fill(page.locator(f"#id_{name}_rationale"), rationale)


def _thrive_by_numbers(keys, page, answers: dict[str, str], rationale: str) -> None:
    """Each THRIVE element: its option's number, which moves the focus to the rationale, then the rationale."""
    for name, value in answers.items():
        keys.choose(name, value)
        assert keys.focused(page.locator(f"#id_{name}_rationale"))
        keys.type(rationale)


def test_101_shoplifting_resolved_by_triage_with_advice(page, live_server, make_user, password):
    officer = make_user("triage-officer", username="triage1", first_name="Tess", last_name="Ray")
    manager = record_person(actor=officer, given_name="Omar", family_name="Haddad", phone_e164="07700 900 111")
    keys = _journey_start(page, live_server, officer, password)

    keys.section(1)
    assert keys.focused(page.get_by_label("Find the caller"))
    keys.type(manager.reference)
    keys.submit()  # Enter in a search box runs its own search
    keys.choose("caller", manager.reference)
    assert_accessible(page)
    keys.section(2)
    keys.fill(page.get_by_label("Where, if not an address"), "Co-op, Main Street")
    keys.section(3)
    keys.select(page.get_by_label("What happened"), "Shoplifting")
    keys.fill(page.get_by_label("Summary of what the caller says"), "Man took meat, left on foot 2 hours ago")
    keys.save()
    page.wait_for_url("**/staff/contacts/C*/")
    contact = Contact.objects.get()
    assert contact.incident_type.code == "shoplifting"
    assert contact.caller == manager
    assert_accessible(page)

    keys.section(4)
    _thrive_by_numbers(keys, page, {"threat": "none", "harm": "low", "risk": "low", "investigation": "enquiries",
                                    "vulnerability": "none", "engagement": "advice"}, "Gone, CCTV kept")
    keys.save()
    page.wait_for_url("**#grading")
    assert "Advice resolves it" in page.get_by_test_id("rules-fired").inner_text()
    assert_accessible(page)
    keys.tab_to(page.locator("input[name=grade]:checked"))
    keys.save()
    page.wait_for_url("**#outcome")
    assert_accessible(page)

    keys.fill(page.get_by_label("Search the advice articles"), "shop")
    keys.submit()
    page.wait_for_url("**advice=shop*")
    assert "Shop theft" in page.get_by_test_id("advice-results").inner_text()
    assert page.locator("input[name=kind][value=advice]").is_checked()  # the route chose it
    keys.select(page.get_by_label("Advice given"), "Shop theft: what the shop can do next")
    keys.save()
    page.wait_for_url("**#outcome")
    assert "resolved at first contact" in page.get_by_test_id("outcome").inner_text()
    assert_accessible(page)

    decision = GradeDecision.objects.get()
    assert (decision.grade, decision.route, decision.overridden) == (4, "advice", False)
    contact.refresh_from_db()
    assert contact.closed_at is not None
    assert keys.clicks == 0
    print(f"\nJOURNEY 101 shoplifting resolved with advice: {keys.keys} keystrokes, {keys.clicks} clicks")


def test_999_domestic_abuse_graded_1_with_dash(page, live_server, make_user, password):
    handler = make_user("call-handler", username="handler999", first_name="Ana", last_name="Cole")
    home = record_address(number_or_name="4", street="Quarry Close", postcode="ST17 4QX", town="Stafford")
    victim = record_person(actor=handler, given_name="Kim", family_name="Boyd", address=home)
    keys = _journey_start(page, live_server, handler, password)

    keys.section(1)
    keys.press("Shift+Tab")  # back to the channel, just above the caller
    keys.choose("channel", "999")
    assert keys.focused(page.get_by_label("Find the caller"))
    keys.type(victim.reference)
    keys.submit()
    keys.choose("caller", victim.reference)
    keys.section(2)
    assert keys.focused(page.get_by_label("Find the address"))
    keys.type("ST17 4QX")
    keys.submit()  # Enter runs the address search, not the form's first button (Find caller)
    keys.choose("address", str(home.pk))
    assert "Kim Boyd" in page.get_by_test_id("history-panel").inner_text()
    assert_accessible(page)
    keys.section(3)
    keys.select(page.get_by_label("What happened"), "Violence without injury (incl. common assault)")
    keys.fill(page.get_by_label("Summary of what the caller says"), "Partner hit her, is outside the door")
    keys.fill(page.get_by_label("Person involved 1: reference"), victim.reference)
    keys.select(page.get_by_label("Person involved 1: role"), "Victim")
    keys.save()
    page.wait_for_url("**/staff/contacts/C*/")
    contact = Contact.objects.get()
    assert (contact.channel, contact.address) == ("999", home)
    assert_accessible(page)

    keys.section(4)
    _thrive_by_numbers(keys, page, {"threat": "high", "harm": "high", "risk": "high", "investigation": "evidence_at_risk",
                                    "vulnerability": "unable_to_protect", "engagement": "attend"}, "He is at the door")
    keys.save()
    page.wait_for_url("**#grading")
    assert "Danger to life now" in page.get_by_test_id("rules-fired").inner_text()

    keys.section(5)
    assert keys.focused(page.get_by_test_id("start-dash"))
    keys.submit()
    page.wait_for_url("**dash=1*")
    assert_accessible(page)
    keys.section(5)
    assert keys.focused(page.get_by_label("Answer by letters"))
    keys.type("y" * 15 + "n" * 12)
    assert page.get_by_test_id("dash-progress").inner_text().startswith("27 of 27 answered (15 yes, 12 no, 0 not known)")
    keys.submit()  # Enter in the box sends the form
    page.wait_for_url("**#dash")
    assert "MARAC referral made" in page.get_by_test_id("dash-result").inner_text()
    assert_accessible(page)

    keys.section(6)
    keys.save()
    page.wait_for_url("**#outcome")
    decision = GradeDecision.objects.get()
    assert (decision.grade, decision.route, decision.overridden) == (1, "dispatch", False)
    assert DashAssessment.objects.get().risk_level == "high"
    assert MaracReferral.objects.filter(victim=victim).exists()
    assert keys.clicks == 0
    print(f"\nJOURNEY 999 domestic abuse graded 1 with DASH: {keys.keys} keystrokes, {keys.clicks} clicks")


def test_999_domestic_abuse_graded_1_with_dash_by_plain_tab(page, live_server, make_user, password):
    """The 999 journey with no shortcut at all: Tab, arrows, Space and Enter reach every answer."""
    handler = make_user("call-handler", username="handler999", first_name="Ana", last_name="Cole")
    home = record_address(number_or_name="4", street="Quarry Close", postcode="ST17 4QX", town="Stafford")
    victim = record_person(actor=handler, given_name="Kim", family_name="Boyd", address=home)
    keys = _journey_start(page, live_server, handler, password)

    keys.radio("channel", "999")
    keys.fill(page.get_by_label("Find the caller"), victim.reference)
    keys.submit()
    keys.radio("caller", victim.reference)
    keys.fill(page.get_by_label("Find the address"), "ST17 4QX")
    keys.submit()  # Enter in a text box submits with the form's first button (Find caller): harmless
    keys.tab_to(page.get_by_role("button", name="Find address"))
    keys.submit()
    keys.radio("address", str(home.pk))
    assert "Kim Boyd" in page.get_by_test_id("history-panel").inner_text()
    assert_accessible(page)
    keys.select(page.get_by_label("What happened"), "Violence without injury (incl. common assault)")
    keys.fill(page.get_by_label("Summary of what the caller says"), "Partner hit her, is outside the door")
    keys.fill(page.get_by_label("Person involved 1: reference"), victim.reference)
    keys.select(page.get_by_label("Person involved 1: role"), "Victim")
    keys.tab_to(page.get_by_role("button", name="Record contact"))
    keys.submit()
    page.wait_for_url("**/staff/contacts/C*/")
    contact = Contact.objects.get()
    assert (contact.channel, contact.address) == ("999", home)
    assert_accessible(page)

    _thrive(keys, page, {"threat": "high", "harm": "high", "risk": "high", "investigation": "evidence_at_risk",
                         "vulnerability": "unable_to_protect", "engagement": "attend"}, "He is at the door")
    keys.tab_to(page.get_by_role("button", name="Save THRIVE"))
    keys.submit()
    page.wait_for_url("**#grading")
    assert "Danger to life now" in page.get_by_test_id("rules-fired").inner_text()

    keys.tab_to(page.get_by_test_id("start-dash"))
    keys.submit()
    page.wait_for_url("**dash=1*")
    assert_accessible(page)
    questions = page.locator("[data-testid=dash-form] input[type=radio][value=yes]").evaluate_all(
        "(els) => els.map((el) => el.name)"
    )
    for number, name in enumerate(questions):
        keys.radio(name, "yes" if number < 15 else "no")
    keys.tab_to(page.get_by_role("button", name="Save the risk assessment"))
    keys.submit()
    page.wait_for_url("**#dash")
    assert "MARAC referral made" in page.get_by_test_id("dash-result").inner_text()
    assert_accessible(page)

    keys.tab_to(page.get_by_role("button", name="Save grade and route"))
    keys.submit()
    page.wait_for_url("**#outcome")
    decision = GradeDecision.objects.get()
    assert (decision.grade, decision.route, decision.overridden) == (1, "dispatch", False)
    assert DashAssessment.objects.get().risk_level == "high"
    assert MaracReferral.objects.filter(victim=victim).exists()
    assert keys.clicks == 0
    print(f"\nJOURNEY 999 domestic abuse graded 1 with DASH, plain Tab: {keys.keys} keystrokes, {keys.clicks} clicks")
