"""Public pages in a real browser: quick exit, keyboard use, mobile, accessibility."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def exit_url(live_server, settings):
    """Send the quick exit to a page of the live server, so the test needs no internet."""
    settings.QUICK_EXIT_URL = f"{live_server.url}/healthz"
    return settings.QUICK_EXIT_URL


def test_public_home_is_accessible_and_shows_the_emergency_numbers(page, live_server):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_title("Contact Demo Constabulary – FirstContact")
    banner = page.locator(".fc-emergency-banner")
    assert banner.is_visible()
    assert "call 999" in banner.inner_text()
    assert_accessible(page)


def test_accessibility_statement_is_accessible(page, live_server):
    page.goto(f"{live_server.url}/accessibility/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Accessibility statement")
    assert_accessible(page)


def test_exit_this_page_button_leaves_the_site(page, live_server, exit_url):
    page.goto(f"{live_server.url}/accessibility/")
    page.get_by_role("button", name="Emergency Exit this page").click()
    page.wait_for_url(exit_url)
    assert page.url == exit_url


def test_escape_key_leaves_at_once_without_a_way_back(page, live_server, exit_url):
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accessibility/")
    page.keyboard.press("Escape")
    page.wait_for_url(exit_url)
    # location.replace: Back goes to the page before, not to the one that was left.
    page.go_back()
    assert page.url == f"{live_server.url}/"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page, live_server):
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.locator(".govuk-skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_public_home_on_a_phone(mobile_page, live_server):
    page = mobile_page
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("button", name="Emergency Exit this page").is_visible()
    # Nothing wider than the screen (WCAG 1.4.10 reflow).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)


def test_page_not_found_is_accessible_and_keeps_the_quick_exit(page, live_server):
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert page.get_by_role("button", name="Emergency Exit this page").is_visible()
    assert_accessible(page)
