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
    first = page.get_by_test_id("live-board").locator("caption").first.inner_text()  # queues; agents follow
    page.wait_for_function(
        "text => document.querySelector('[data-testid=live-board] caption').innerText !== text",
        arg=first, timeout=15000)  # htmx polled and replaced the table
    assert_accessible(page)


def test_manager_sees_attendance_and_agents_and_changes_a_queue_setting(page, live_server, make_user, password):
    """Attendance against target with its table, handlers free on the live board, and a queue setting changed."""
    from django.conf import settings

    call_command("import_calls", str(settings.DATA_DIR / "calls/decc_phone_hourly_2025-10-26_to_2025-12-13.csv.gz"),
                 "--format", "decc-phone-hourly")
    call_command("seed_demand", "--demo", "--no-forecast")
    manager = make_user("contact-centre-manager", username="ccm2")
    sign_in(page, live_server.url, manager.username, password)

    page.goto(f"{live_server.url}/staff/demand/?period=week&weeks=10")
    page.locator("#chart-attendance .main-svg").first.wait_for()
    expect(page.get_by_test_id("attendance-1-urban")).to_contain_text("Attended within 15 min")
    assert page.get_by_test_id("attendance-table").locator("tbody tr").count() >= 4
    assert_accessible(page)

    page.get_by_role("link", name="Live queues").click()
    assert int(page.get_by_test_id("agents-free").inner_text()) >= 0
    expect(page.get_by_test_id("live-agents")).to_contain_text("Free now")

    page.get_by_role("link", name="Queue settings").click()
    expect(page.get_by_test_id("settings-101")).to_contain_text("80% within 30 s")
    page.get_by_role("link", name="Change 101 settings").click()
    page.get_by_label("Shrinkage (%)").fill("95")
    page.get_by_label("Answer within (seconds)").fill("20")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Shrinkage (%) must be 90 or less")
    expect(page.get_by_label("Answer within (seconds)")).to_have_value("20")  # kept after the error
    assert_accessible(page)
    page.get_by_label("Shrinkage (%)").fill("35")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_test_id("settings-101")).to_contain_text("80% within 20 s")
    assert_accessible(page)

    page.get_by_role("link", name="Staffing and what-if").click()
    page.get_by_role("link", name="101").first.click()
    expect(page.get_by_label("Answer within (seconds)")).to_have_value("20")
    expect(page.get_by_label("Shrinkage (%)")).to_have_value("35")
