"""The scheduled jobs page: administrators only; each job, its next and last run; the runs, filtered by job."""

from __future__ import annotations

import pytest
from django.utils import timezone

from firstcontact import scheduling
from scheduling.models import JobRun

pytestmark = pytest.mark.django_db

NOTE = "firstcontact.tests.scheduled_tasks.note_run_task"
FAIL_UNTIL_READY = "firstcontact.tests.scheduled_tasks.fail_until_ready_task"
URL = "/staff/operations/jobs/"


@pytest.fixture
def administrator(make_user):
    return make_user("administrator", username="admin-jobs", is_staff=True)


@pytest.fixture
def ran(settings, tmp_path):
    """Two jobs that have run once each (one failed), and a job whose command is not installed."""
    settings.SCHEDULE = [
        {"name": "note", "task": NOTE, "kwargs": {"path": str(tmp_path / "runs"), "label": "x"}, "every_minutes": 5},
        {"name": "flaky", "task": FAIL_UNTIL_READY,
         "kwargs": {"path": str(tmp_path / "runs"), "ready": str(tmp_path / "no")}, "every_minutes": 1},
        {"name": "not-yet", "command": ["command_from_a_later_release"], "daily_at": "03:00"},
    ]
    return scheduling.run_due()


def test_only_administrators_open_the_page(client, make_user, administrator):
    assert client.get(URL).status_code == 302  # to the sign-in page
    for role in ("call-handler", "contact-centre-manager", "data-protection-officer", "supervisor"):
        client.force_login(make_user(role, username=f"jobs-{role}"))
        assert client.get(URL).status_code == 403, role
    client.force_login(administrator)
    assert client.get(URL).status_code == 200


def test_the_page_shows_each_job_when_it_runs_and_how_its_last_run_ended(client, administrator, ran):
    client.force_login(administrator)
    response = client.get(URL)
    statuses = {status.name: status for status in response.context["statuses"]}
    assert list(statuses) == ["note", "flaky", "not-yet"]
    assert statuses["note"].last_run.outcome == JobRun.Outcome.OK
    assert statuses["flaky"].last_run.outcome == JobRun.Outcome.FAILED
    assert statuses["not-yet"].skipped_because == (
        "there is no management command 'command_from_a_later_release'"
    )
    page = response.content.decode()
    assert "every 5 minutes" in page and "daily at 03:00 UK time" in page
    assert "There is no management command &#x27;command_from_a_later_release&#x27;." in page
    assert "is not there yet" in page  # the failed run's message
    assert "2 runs, newest first" in page
    assert timezone.localtime(statuses["note"].next_run_at).strftime("%-d %b %Y %H:%M:%S") in page


def test_the_runs_can_be_narrowed_to_one_job(client, administrator, ran):
    client.force_login(administrator)
    response = client.get(URL, {"job": "flaky"})
    assert [run.job_name for run in response.context["page"].object_list] == ["flaky"]
    assert "1 run of flaky, newest first" in response.content.decode()


def test_an_unknown_job_in_the_filter_is_named_in_the_error_summary(client, administrator, ran):
    client.force_login(administrator)
    page = client.get(URL, {"job": "no-such-job"}).content.decode()
    assert "<title>Error: Scheduled jobs" in page
    assert "govuk-error-summary" in page
    assert "Choose a job from the list, or All jobs" in page
    assert "2 runs, newest first" in page  # the page still shows every run


def test_the_administrator_home_page_links_to_the_scheduled_jobs(client, administrator):
    client.force_login(administrator)
    page = client.get("/staff/").content.decode()
    assert f'href="{URL}"' in page
    assert "The jobs that run on a clock" in page
