"""The contact-centre manager in a real browser: performance charts, forecast and the live board."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reads_performance_forecast_and_live_queues(page, live_server, make_user, password):
    """I can see 999 performance as a chart and a table, the forecast, and a live board that refreshes itself."""
    call_command("import_calls", "--demo")
    manager = make_user("contact-centre-manager", username="ccm1")
    sign_in(page, live_server.url, manager.username, password)

    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Demand").click()
    expect(page).to_have_title("Contact-centre performance – FirstContact")
    page.locator("#chart-volumes .main-svg").first.wait_for()  # plotly.js drew the chart
    assert page.get_by_test_id("performance-table").locator("tbody tr").count() > 10
    assert_accessible(page)

    page.get_by_role("link", name="Forecast").click()
    expect(page).to_have_title("Demand forecast – FirstContact")
    page.locator("#chart-forecast .main-svg").first.wait_for()
    assert page.get_by_test_id("accuracy-table").locator("tbody tr").count() >= 1
    assert_accessible(page)

    page.get_by_role("link", name="Live queues").click()
    first = page.get_by_test_id("live-board").locator("caption").inner_text()
    page.wait_for_function(
        "text => document.querySelector('[data-testid=live-board] caption').innerText !== text",
        arg=first, timeout=15000)  # htmx polled and replaced the table
    assert_accessible(page)
