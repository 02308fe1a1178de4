"""Reporting online in a real browser: the whole journey by keyboard, without JavaScript, on a phone; axe on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Contact
from public.models import OnlineReport
from tests.browser.conftest import assert_accessible

# reference_data (conftest.py): an earlier transactional test's flush emptied the seeded tables.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]
MAX_TABS = 40


class Keys:
    """Drives a page by keys only: Tab to a control, type, Space for a radio, Enter on a button."""

    def __init__(self, page):
        self.page = page

    def tab_to(self, locator) -> None:
        handle = locator.element_handle()
        for _ in range(MAX_TABS):
            if self.page.evaluate("(el) => document.activeElement === el", handle):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"Tab never reached {locator}")

    def fill(self, label: str, text: str) -> None:
        self.tab_to(self.page.get_by_label(label, exact=True))
        self.page.keyboard.type(text)

    def choose(self, label: str) -> None:
        option = self.page.get_by_label(label, exact=True)
        group = self.page.locator(f"input[name='{option.get_attribute('name')}']")
        self.tab_to(group.first)
        for _ in range(group.count()):
            if self.page.evaluate("(el) => document.activeElement === el", option.element_handle()):
                break
            self.page.keyboard.press("ArrowDown")
        self.page.keyboard.press("Space")

    def press_button(self, name: str) -> None:
        self.tab_to(self.page.get_by_role("button", name=name))
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")


def _today():
    """Yesterday: a report of "today at 09:15" would be in the future when the tests run before 09:15."""
    return timezone.localdate() - timedelta(days=1)


def test_a_member_of_the_public_reports_a_theft_by_keyboard_alone(page, live_server):
    """I can report a theft with the keyboard only, see my answers, correct one, and get a reference."""
    keys = Keys(page)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="report a crime or incident online").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a crime or incident online")
    expect(page.get_by_text("If you are in danger, or a crime is happening now, call 999.")).to_be_visible()
    expect(page.get_by_role("button", name="Emergency Exit this page")).to_be_visible()
    assert_accessible(page)
    keys.tab_to(page.get_by_role("button", name="Start now"))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    keys.choose("Theft")
    assert_accessible(page)
    keys.press_button("Continue")

    # A mistake: the error names the field, is announced first, and what I typed stays.
    keys.fill("Day", "31")
    keys.fill("Month", "2")
    keys.fill("Year", str(_today().year))
    keys.fill("Time (if you know it)", "9.15")
    keys.press_button("Continue")
    expect(page).to_have_title("Error: When did it happen? – FirstContact")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Date must be a real date")
    expect(page.get_by_label("Time (if you know it)")).to_have_value("9.15")
    assert page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null")
    assert_accessible(page)
    page.get_by_label("Day").fill("")
    keys.fill("Day", str(_today().day))
    page.get_by_label("Month").fill("")
    keys.fill("Month", str(_today().month))
    keys.press_button("Continue")

    keys.fill("Address or description of the place", "Outside 3 Market Square, Stafford")
    assert_accessible(page)
    keys.press_button("Continue")
    keys.fill("What was stolen", "Black wallet with bank cards")
    keys.fill("Total value in pounds (if you know it)", "40")
    keys.press_button("Continue")
    keys.fill("Tell us what happened", "Taken from my open bag while I queued at the market stall.")
    assert_accessible(page)
    keys.press_button("Continue")
    keys.fill("Can you describe the person responsible?", "Woman in a green coat")
    keys.press_button("Continue")
    keys.fill("First name", "Dev")
    keys.fill("Last name", "Mistry")
    keys.press_button("Continue")
    keys.fill("E-mail address", "dev.mistry@example.org")
    assert_accessible(page)
    keys.press_button("Continue")

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending your report")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Black wallet with bank cards")
    assert_accessible(page)
    keys.tab_to(page.get_by_role("link", name="Change what was stolen"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_label("What was stolen")).to_have_value("Black wallet with bank cards")
    page.get_by_label("What was stolen").fill("")
    keys.fill("What was stolen", "Brown leather wallet with bank cards")
    keys.press_button("Continue")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Brown leather wallet")
    keys.press_button("Send report")

    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    contact = Contact.objects.get(channel="online")
    expect(page.get_by_test_id("reference")).to_have_text(contact.reference)
    assert "Brown leather wallet" in contact.summary
    assert_accessible(page)


def test_the_whole_journey_works_without_javascript(browser, live_server):
    """With JavaScript off, every page still works: radios, dates, check answers, sending once."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/report/")
        page.get_by_role("button", name="Start now").click()
        page.get_by_label("Road collision with damage only").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("No", exact=True).check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Day").fill(str(_today().day))
        page.get_by_label("Month").fill(str(_today().month))
        page.get_by_label("Year").fill(str(_today().year))
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Address or description of the place").fill("Lichfield Road, Stafford")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Registration of the other vehicle (if you know it)").fill("not a plate")
        page.get_by_label("Yes", exact=True).check()
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the vehicle registration as it is")
        expect(page.get_by_label("Registration of the other vehicle (if you know it)")).to_have_value("not a plate")
        page.get_by_label("Registration of the other vehicle (if you know it)").fill("ab51 abc")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Tell us what happened").fill("A van reversed into my parked car.")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("First name").fill("Ana")
        page.get_by_label("Last name").fill("Silva")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("UK mobile number").fill("07700 900 123")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-summary-list")).to_contain_text("AB51 ABC")
        page.get_by_role("button", name="Send report").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
        # Back to the answers: the report has gone, so the page starts afresh instead of offering to send again.
        page.go_back()
        expect(page.get_by_role("heading", level=1)).to_have_text("Report a crime or incident online")
        assert OnlineReport.objects.count() == 1
        assert Contact.objects.get().incident_type.code == "rtc-damage-only"
    finally:
        context.close()


def test_reporting_and_tracking_on_a_phone(mobile_page, live_server):
    """On a phone the pages reflow to the screen, keep the quick exit, and pass axe."""
    page = mobile_page
    for path in ("/report/", "/report/question/what/", "/report/fraud/", "/report/track/",
                 "/report/business/sign-in/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("button", name="Emergency Exit this page")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert_accessible(page)
    page.goto(f"{live_server.url}/report/track/")
    page.get_by_role("button", name="Send me a code").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your report reference")
    assert_accessible(page)
    # Buttons are big enough to tap (WCAG 2.2 target size: at least 24 by 24 pixels).
    box = page.get_by_role("button", name="Send me a code").bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24


def test_a_business_reports_two_incidents_in_one_go(page, live_server):
    """A business user signs in on the public side, adds a shoplifting and a fuel drive-off, and sends both."""
    from public import services
    from public.demo import DEMO_PASSWORD

    account = services.register_business(actor=None, name="Test Stores", site_name="Main Street",
                                         site_address="1 Main Street, Stafford")
    user, token = services.invite_business_user(actor=None, account=account, full_name="Lee Chan",
                                                email="lee@teststores.example")
    page.goto(f"{live_server.url}/report/business/set-password/{token}/")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(DEMO_PASSWORD + "-longer")
    page.get_by_label("Type the new password again").fill(DEMO_PASSWORD + "-longer")
    page.get_by_role("button", name="Set password").click()
    page.get_by_label("E-mail address").fill("lee@teststores.example")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD + "-longer")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report incidents for Test Stores")
    assert_accessible(page)
    today = _today()
    page.get_by_role("button", name="Add a shoplifting incident").click()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Time", exact=True).fill("11:40")
    page.get_by_label("Items taken and their values").fill("Steak 2 packs, £15.98\nGin 70cl £18")
    page.get_by_label("Describe the offender").fill("White male, 40s, navy jacket, shaved head")
    page.get_by_label("Yes", exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Add this incident").click()
    page.get_by_role("button", name="Add a fuel drive-off").click()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Time", exact=True).fill("06:55")
    page.get_by_label("Vehicle registration").fill("not a plate")
    page.get_by_label("Pump number").fill("3")
    page.get_by_label("Litres").fill("40")
    page.get_by_label("Value in pounds").fill("62.00")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Add this incident").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the vehicle registration as it is")
    assert_accessible(page)
    page.get_by_label("Vehicle registration").fill("YR61 KLP")
    page.get_by_role("button", name="Add this incident").click()
    expect(page.get_by_role("heading", level=2, name="You have added 2 incidents")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send 2 incidents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2 incidents sent")
    assert_accessible(page)
    assert Contact.objects.filter(channel="business").count() == 2


def test_a_reporter_saves_a_report_and_later_tracks_one(page, live_server, settings, tmp_path):
    """Saving for later and tracking with a code are plain pages that pass axe, errors included."""
    import re
    from datetime import datetime

    from public import services
    from public.models import ReportKind

    # The link and the code are read from what was sent: the outbox keeps only a mask of them.
    settings.NOTIFICATIONS_SENDER = "file"
    settings.NOTIFICATIONS_FILE_DIR = tmp_path

    def sent() -> str:
        return "".join(path.read_text() for path in sorted(tmp_path.iterdir()))

    page.goto(f"{live_server.url}/report/question/what/")
    page.get_by_label("Criminal damage").check()
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your report and come back later")
    page.get_by_label("E-mail address").fill("not an address")
    page.get_by_role("button", name="Save and send me a link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an e-mail address in the correct format")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("kim@example.org")
    page.get_by_role("button", name="Save and send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your report has been saved")
    assert_accessible(page)
    link = re.search(r"/report/resume/\S+/", sent()).group(0)
    page.goto(f"{live_server.url}{link}")
    expect(page.get_by_role("heading", level=1)).to_have_text("When did it happen?")

    day = _today()
    report = services.submit_online_report(
        submission_key="browser-track-1", given_name="Kim", family_name="Lee", email="kim@example.org",
        incident=services.Incident(kind=ReportKind.THEFT, occurred_at=datetime(day.year, day.month, day.day, 9, 0,
                                   tzinfo=timezone.get_current_timezone()), location="Station car park",
                                   description="Catalytic converter cut off.", answers={}),
    )
    page.goto(f"{live_server.url}/report/track/")
    page.get_by_label("Report reference").fill(report.contact.reference)
    page.get_by_label("E-mail address or mobile number you gave in the report").fill("kim@example.org")
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code we sent you")
    page.get_by_label("Code").fill("000000" if "is 000000." not in sent() else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    assert_accessible(page)
    code = re.search(r"is (\d{6})\.", sent()).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your report {report.contact.reference}")
    expect(page.get_by_test_id("status")).to_have_text("We are recording your report as a crime.")
    assert_accessible(page)
