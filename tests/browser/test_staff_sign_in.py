"""Staff in a real browser: each role signs in through the form, sees its own home page, signs out."""

from __future__ import annotations

import pytest
from django.utils.html import escape
from playwright.sync_api import expect

from accounts.permissions import PERMISSION_SENTENCES, ROLES
from accounts.tests.factories import TeamFactory
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the primary navigation offers each role today, beyond Home.
EXTRA_NAVIGATION = {
    "data-protection-officer": ["People", "Audit log", "Records management"],
    "administrator": ["Outbox", "Business accounts", "Scheduled jobs", "Administration"],
    "analyst": ["Hotspots", "Demand"],
    "neighbourhood-inspector": ["Hotspots"],
    "crime-admin": ["People", "Duplicates", "Crime recording", "Bureau tasks", "Business accounts"],
    "supervisor": [
        "Live chat", "People", "Duplicates", "Resolution queue", "Investigations", "Evidence", "Demand",
        "Business reports",
    ],
    "contact-centre-manager": ["Live chat", "Call quality", "Demand", "Outbox"],
    "quality-auditor": ["Call quality"],
    "call-handler": ["Contacts", "Live chat", "People"],
    "triage-officer": ["Contacts", "Live chat", "People"],
    "resolution-investigator": ["People", "Resolution queue", "Investigations", "Evidence", "Business reports"],
    "investigator": ["People", "Investigations", "Evidence", "Business reports"],
}


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.slug)
def test_each_role_signs_in_sees_its_home_page_and_signs_out(page, live_server, make_user, password, role):
    user = make_user(
        role.slug,
        username=f"user-{role.slug}",
        first_name="Robin",
        last_name="Example",
        is_staff=role.slug == "administrator",
    )
    user.teams.add(TeamFactory(name="Force Contact Centre"))

    page.goto(f"{live_server.url}/staff/sign-in/")
    expect(page).to_have_title("Sign in – FirstContact")
    assert_accessible(page)

    sign_in(page, live_server.url, user.username, password)
    assert page.url == f"{live_server.url}/staff/"
    expect(page).to_have_title("Home – FirstContact")
    assert page.get_by_test_id("signed-in-as").inner_text() == (
        f"Signed in as Robin Example — {role.name} — Force Contact Centre"
    )
    assert page.get_by_test_id("signed-in-user").inner_text() == "Robin Example"
    abilities = page.get_by_test_id("abilities").locator("li").all_inner_texts()
    assert abilities == [PERMISSION_SENTENCES[codename] for codename in role.permissions]

    navigation = page.get_by_role("navigation", name="Primary navigation").get_by_role("link").all_inner_texts()
    assert navigation == ["Home", *EXTRA_NAVIGATION.get(role.slug, [])]
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/staff/signed-out/")
    assert page.get_by_role("heading", level=1).inner_text() == "You have signed out"
    assert_accessible(page)
    # Signed out means signed out: the home page asks for a sign-in again.
    page.goto(f"{live_server.url}/staff/")
    assert page.url.startswith(f"{live_server.url}/staff/sign-in/")
    assert escape(role.name) not in page.content()


def test_failed_sign_in_shows_the_error_summary_and_keeps_the_username(page, live_server, call_handler):
    sign_in(page, live_server.url, "handler1", "not-the-password")
    expect(page).to_have_title("Error: Sign in – FirstContact")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter a correct username and password" in summary.inner_text()
    # GOV.UK Frontend moves focus to the summary so a screen reader announces it.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.get_by_label("Username").input_value() == "handler1"
    assert page.get_by_label("Password").input_value() == ""
    assert_accessible(page)


def test_empty_sign_in_links_each_error_to_its_field(page, live_server):
    page.goto(f"{live_server.url}/staff/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Enter your password").click()
    assert page.evaluate("document.activeElement.id") == "id_password"
    assert_accessible(page)


def test_user_without_a_role_sees_only_the_request_for_one(page, live_server, outsider, password):
    sign_in(page, live_server.url, outsider.username, password)
    assert page.get_by_test_id("no-role").is_visible()
    assert page.get_by_test_id("sections").count() == 0
    navigation = page.get_by_role("navigation", name="Primary navigation").get_by_role("link").all_inner_texts()
    assert navigation == ["Home"]
    assert_accessible(page)


def test_staff_skip_link_is_the_first_tab_stop(page, live_server, call_handler, password):
    sign_in(page, live_server.url, call_handler.username, password)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"


def test_repeated_failures_show_the_locked_out_page(page, live_server, call_handler, password, settings):
    settings.AXES_FAILURE_LIMIT = 2
    sign_in(page, live_server.url, call_handler.username, "wrong-once")
    sign_in(page, live_server.url, call_handler.username, "wrong-twice")
    assert page.get_by_role("heading", level=1).inner_text() == "Your account is locked"
    assert "locked for 30 minutes" in page.locator("main").inner_text()
    assert_accessible(page)
    # The right password does not get round the lock.
    sign_in(page, live_server.url, call_handler.username, password)
    assert page.get_by_role("heading", level=1).inner_text() == "Your account is locked"
