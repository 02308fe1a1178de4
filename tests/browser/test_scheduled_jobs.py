"""An administrator checks the scheduled jobs in a real browser: what ran, what failed, one job's runs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from firstcontact import scheduling
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "firstcontact.tests.scheduled_tasks.note_run_task"
FAIL_UNTIL_READY = "firstcontact.tests.scheduled_tasks.fail_until_ready_task"


def test_an_administrator_sees_the_jobs_and_narrows_the_runs_to_a_failing_one(
    page, live_server, make_user, password, settings, tmp_path
):
    settings.SCHEDULE = [
        {"name": "send-notes", "task": NOTE, "kwargs": {"path": str(tmp_path / "runs"), "label": "x"},
         "every_minutes": 1},
        {"name": "flaky", "task": FAIL_UNTIL_READY,
         "kwargs": {"path": str(tmp_path / "runs"), "ready": str(tmp_path / "no")}, "every_minutes": 1},
        {"name": "not-yet", "command": ["command_from_a_later_release"], "daily_at": "03:00"},
    ]
    scheduling.run_due()
    admin = make_user("administrator", username="admin-browser", is_staff=True)

    sign_in(page, live_server.url, admin.username, password)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Scheduled jobs").click()
    expect(page).to_have_title("Scheduled jobs – FirstContact")
    jobs = page.get_by_test_id("jobs")
    expect(jobs.get_by_test_id("job-send-notes")).to_contain_text("Succeeded")
    expect(jobs.get_by_test_id("job-flaky")).to_contain_text("Failed")
    expect(jobs.get_by_test_id("job-not-yet")).to_contain_text("Skipped")
    expect(page.get_by_test_id("runs").locator("tbody tr")).to_have_count(2)
    assert_accessible(page)

    page.get_by_label("Show runs of").select_option("flaky")
    page.get_by_role("button", name="Show runs").click()
    runs = page.get_by_test_id("runs")
    expect(runs.locator("caption")).to_have_text("1 run of flaky, newest first")
    expect(runs.locator("tbody tr")).to_contain_text("RuntimeError")
    assert_accessible(page)


def test_a_job_not_in_the_schedule_gets_the_error_summary(page, live_server, make_user, password):
    admin = make_user("administrator", username="admin-browser-2", is_staff=True)
    sign_in(page, live_server.url, admin.username, password)
    page.goto(f"{live_server.url}/staff/operations/jobs/?job=nothing-like-it")
    expect(page).to_have_title("Error: Scheduled jobs – FirstContact")
    page.get_by_role("link", name="Choose a job from the list, or All jobs").click()
    assert page.evaluate("document.activeElement.id") == "id_job"
    assert_accessible(page)
