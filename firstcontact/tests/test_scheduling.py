"""The scheduler: the schedule in settings, due runs, failures retried, missed runs collapsed, --once."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

from firstcontact import scheduling
from firstcontact.scheduling import LOCAL_TIME, Job, parse_schedule
from scheduling.models import JobRun, ScheduledJob

NOTE = "firstcontact.tests.scheduled_tasks.note_run_task"
FAIL_UNTIL_READY = "firstcontact.tests.scheduled_tasks.fail_until_ready_task"


def lines(path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


@pytest.fixture
def runs_file(tmp_path):
    return tmp_path / "runs.txt"


# --- The schedule in settings ---------------------------------------------------------------------


def test_the_default_schedule_names_every_periodic_job_of_the_product(settings):
    """The jobs docs once left to cron are all in the schedule, the audit seal included."""
    jobs = {job.name: job for job in parse_schedule(settings.SCHEDULE)}
    assert jobs["send-due-messages"].what == "manage.py send_due_messages"
    assert jobs["send-due-messages"].when == "every minute"
    assert jobs["sync-contact-calls"].what == "task demand.tasks.sync_contact_calls_task()"
    assert jobs["queue-routed-crimes"].task == "cases.tasks.queue_routed_crimes_task"
    assert jobs["find-duplicate-persons"].command == ("find_duplicate_persons", "--enqueue")
    assert jobs["verify-audit"].when == "daily at 03:30 UK time"
    assert jobs["seal-audit"].command == ("seal_audit",)
    assert jobs["seal-audit"].when == "every minute"
    assert jobs["prune-task-results"].command[0] == "prune_db_task_results"
    # Every task and command named exists.
    assert not [name for name, job in jobs.items() if scheduling.missing(job)]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "x", "every_minutes": 1}, "give exactly one of command"),
        ({"name": "x", "command": ["a"], "task": "a.b", "every_minutes": 1}, "give exactly one of command"),
        ({"name": "x", "command": ["a"]}, "give exactly one of every_seconds, every_minutes or daily_at"),
        ({"name": "x", "command": ["a"], "daily_at": "25:00"}, "daily_at must be a 24-hour time HH:MM"),
        ({"name": "x", "command": ["a"], "every_seconds": 0}, "every_seconds must be a whole number of at least 1"),
        ({"name": "x", "command": "send_due_messages", "every_seconds": 5}, "command must be a list of strings"),
        ({"name": "Bad Name", "command": ["a"], "every_seconds": 5}, "name must be lower-case letters"),
        ({"name": "x", "command": ["a"], "every_seconds": 5, "at": "02:00"}, "unknown key(s) at"),
        ({"name": "x", "command": ["a"], "kwargs": {"a": 1}, "every_seconds": 5}, "kwargs must be a dict, and only goes"),
    ],
)
def test_a_malformed_entry_is_refused_naming_the_entry_and_what_is_accepted(entry, message):
    with pytest.raises(ImproperlyConfigured) as error:
        parse_schedule([entry])
    assert str(error.value).startswith("SCHEDULE entry 1")
    assert message in str(error.value)


def test_two_jobs_of_one_name_are_refused():
    entry = {"name": "twice", "command": ["a"], "every_seconds": 5}
    with pytest.raises(ImproperlyConfigured, match="'twice' is used twice"):
        parse_schedule([entry, entry])


def test_a_disabled_job_is_left_out(settings):
    settings.SCHEDULE_DISABLED = ["verify-audit"]
    assert "verify-audit" not in {job.name for job in scheduling.schedule()}


def test_a_daily_time_is_uk_local_time_across_the_clock_change():
    """03:30 is 03:30 in London in winter (GMT) and in summer (BST), the day the clocks go forward too."""
    job = Job(name="nightly", command=("verify_audit",), daily_at=time(3, 30))
    before_change = datetime(2026, 3, 28, 12, 0, tzinfo=LOCAL_TIME)  # Saturday; clocks go forward on Sunday
    sunday = job.next_due(before_change, previous=before_change)
    assert sunday.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M %Z") == "2026-03-29 03:30 BST"
    assert sunday.utcoffset() == timedelta(hours=1)
    winter = job.next_due(datetime(2026, 12, 1, 4, 0, tzinfo=LOCAL_TIME), previous=sunday)
    assert winter.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M %Z") == "2026-12-02 03:30 GMT"


# --- Running what is due ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_repeating_job_runs_when_first_seen_then_at_its_interval(settings, runs_file):
    settings.SCHEDULE = [{"name": "note", "task": NOTE, "kwargs": {"path": str(runs_file), "label": "note"},
                          "every_minutes": 5}]
    t0 = timezone.now()
    [run] = scheduling.run_due(now=t0)
    assert (run.job_name, run.outcome, run.due_at) == ("note", JobRun.Outcome.OK, t0)
    assert run.finished_at is not None and "ran: 'note'" in run.message
    assert lines(runs_file) == ["note"]

    assert scheduling.run_due(now=t0 + timedelta(minutes=4, seconds=59)) == []
    [second] = scheduling.run_due(now=t0 + timedelta(minutes=5))
    assert second.due_at == t0 + timedelta(minutes=5)
    assert lines(runs_file) == ["note", "note"]


@pytest.mark.django_db
def test_a_missed_stretch_runs_once_on_start_not_once_per_missed_time(settings, runs_file):
    """Down for three hours: a job due every minute runs once, then keeps its minute."""
    settings.SCHEDULE = [{"name": "often", "task": NOTE, "kwargs": {"path": str(runs_file), "label": "often"},
                          "every_minutes": 1}]
    t0 = timezone.now()
    scheduling.run_due(now=t0)
    back = t0 + timedelta(hours=3, seconds=20)
    [run] = scheduling.run_due(now=back)
    assert run.due_at == t0 + timedelta(minutes=1)  # the first missed time, shown as late on the page
    assert run.started_late
    assert lines(runs_file) == ["often", "often"]
    assert ScheduledJob.objects.get(name="often").next_run_at == t0 + timedelta(hours=3, minutes=1)
    assert scheduling.run_due(now=back + timedelta(seconds=30)) == []


@pytest.mark.django_db
def test_a_daily_job_missed_for_days_runs_once_then_at_its_next_time(settings, runs_file):
    settings.SCHEDULE = [{"name": "nightly", "task": NOTE, "kwargs": {"path": str(runs_file), "label": "n"},
                          "daily_at": "03:30"}]
    t0 = timezone.now()
    assert scheduling.run_due(now=t0) == []  # a new daily job waits for its time
    first_due = ScheduledJob.objects.get(name="nightly").next_run_at
    assert first_due.astimezone(LOCAL_TIME).strftime("%H:%M") == "03:30"
    assert timedelta(0) < first_due - t0 <= timedelta(days=1)

    three_days_late = first_due + timedelta(days=3, hours=2)
    assert len(scheduling.run_due(now=three_days_late)) == 1
    assert lines(runs_file) == ["n"]
    next_due = ScheduledJob.objects.get(name="nightly").next_run_at
    assert next_due.astimezone(LOCAL_TIME).strftime("%H:%M") == "03:30"
    assert timedelta(0) < next_due - three_days_late <= timedelta(days=1)


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_tried_again_next_time(settings, tmp_path, runs_file, caplog):
    ready = tmp_path / "ready"
    settings.SCHEDULE = [{"name": "flaky", "task": FAIL_UNTIL_READY,
                          "kwargs": {"path": str(runs_file), "ready": str(ready)}, "every_minutes": 1}]
    t0 = timezone.now()
    with caplog.at_level(logging.WARNING, logger="firstcontact.scheduling"):
        [failed] = scheduling.run_due(now=t0)
    assert failed.outcome == JobRun.Outcome.FAILED
    assert "RuntimeError" in failed.message and "is not there yet" in failed.message
    assert "Scheduled job flaky failed" in caplog.text
    # The scheduler goes on; the job is not run again in the same tick, and is free for the next one.
    assert ScheduledJob.objects.get(name="flaky").running_since is None

    ready.touch()
    [retried] = scheduling.run_due(now=t0 + timedelta(minutes=1))
    assert retried.outcome == JobRun.Outcome.OK
    assert lines(runs_file) == ["ran"]
    assert list(JobRun.objects.order_by("started_at").values_list("outcome", flat=True)) == ["failed", "ok"]


@pytest.mark.django_db
def test_a_failing_daily_job_is_tried_again_within_the_retry_delay_not_tomorrow(settings, tmp_path, runs_file):
    settings.SCHEDULE = [{"name": "nightly", "task": FAIL_UNTIL_READY,
                          "kwargs": {"path": str(runs_file), "ready": str(tmp_path / "never")}, "daily_at": "03:30"}]
    settings.SCHEDULER_RETRY_SECONDS = 600
    scheduling.run_due()
    row = ScheduledJob.objects.get(name="nightly")
    [failed] = scheduling.run_due(now=row.next_run_at)
    assert failed.outcome == JobRun.Outcome.FAILED
    retry_in = ScheduledJob.objects.get(name="nightly").next_run_at - timezone.now()
    assert timedelta(minutes=9) < retry_in <= timedelta(minutes=10)


@pytest.mark.django_db
def test_a_failing_command_is_recorded_with_its_error(settings):
    settings.SCHEDULE = [{"name": "bad-args", "command": ["send_due_messages", "--limit", "many"], "every_minutes": 1}]
    [run] = scheduling.run_due()
    assert run.outcome == JobRun.Outcome.FAILED
    assert "invalid int value: 'many'" in run.message


@pytest.mark.django_db
def test_a_command_runs_in_the_scheduler_and_its_output_is_kept(settings):
    settings.SCHEDULE = [{"name": "send-due-messages", "command": ["send_due_messages"], "every_minutes": 1}]
    [run] = scheduling.run_due()
    assert run.outcome == JobRun.Outcome.OK
    assert run.message.startswith("sent 0")


@pytest.mark.django_db
def test_a_command_that_does_not_exist_is_skipped_with_a_warning(settings, runs_file, caplog):
    """A job may name a command that lands later (as the audit seal did): until then it is skipped."""
    scheduling._warned.discard("not-yet")
    settings.SCHEDULE = [
        {"name": "not-yet", "command": ["command_from_a_later_release"], "every_minutes": 1},
        {"name": "note", "task": NOTE, "kwargs": {"path": str(runs_file), "label": "note"}, "every_minutes": 1},
    ]
    with caplog.at_level(logging.WARNING, logger="firstcontact.scheduling"):
        runs = scheduling.run_due()
        scheduling.run_due()  # warned once per process, not at every tick
    assert [run.job_name for run in runs] == ["note"]
    assert caplog.text.count(
        "Scheduled job not-yet skipped: there is no management command 'command_from_a_later_release'"
    ) == 1
    assert not JobRun.objects.filter(job_name="not-yet").exists()


@pytest.mark.django_db
def test_a_job_still_running_is_not_started_again_until_its_run_is_stale(settings, runs_file):
    settings.SCHEDULE = [{"name": "slow", "task": NOTE, "kwargs": {"path": str(runs_file), "label": "slow"},
                          "every_seconds": 10}]
    settings.SCHEDULER_STALE_SECONDS = 3600
    t0 = timezone.now()
    ScheduledJob.objects.create(name="slow", when="every 10 seconds", next_run_at=t0 - timedelta(seconds=1),
                                running_since=t0 - timedelta(seconds=30), running_on="other-host:99")
    JobRun.objects.create(job_name="slow", due_at=t0 - timedelta(seconds=40), started_at=t0 - timedelta(seconds=30),
                          scheduler="other-host:99")
    assert scheduling.run_due(now=t0) == []  # another scheduler is still running it

    [run] = scheduling.run_due(now=t0 + timedelta(hours=1))
    assert run.outcome == JobRun.Outcome.OK
    cut_off = JobRun.objects.get(scheduler="other-host:99")
    assert cut_off.outcome == JobRun.Outcome.FAILED
    assert cut_off.message == "Interrupted: other-host:99 stopped before the run finished."


@pytest.mark.django_db
def test_a_changed_schedule_works_the_next_time_out_again(settings, runs_file):
    entry = {"name": "note", "task": NOTE, "kwargs": {"path": str(runs_file), "label": "x"}, "every_minutes": 60}
    settings.SCHEDULE = [entry]
    t0 = timezone.now()
    scheduling.run_due(now=t0)
    settings.SCHEDULE = [{k: v for k, v in entry.items() if k != "every_minutes"} | {"daily_at": "04:00"}]
    assert scheduling.run_due(now=t0) == []
    row = ScheduledJob.objects.get(name="note")
    assert row.when == "daily at 04:00 UK time"
    assert row.next_run_at.astimezone(LOCAL_TIME).strftime("%H:%M") == "04:00"


# --- manage.py run_scheduler --once ------------------------------------------------------------------


@pytest.mark.django_db
def test_once_runs_what_is_due_and_exits(settings, runs_file):
    settings.SCHEDULE = [
        {"name": "note", "task": NOTE, "kwargs": {"path": str(runs_file), "label": "once"}, "every_minutes": 1},
        {"name": "nightly", "task": NOTE, "kwargs": {"path": str(runs_file), "label": "night"}, "daily_at": "03:30"},
    ]
    out = _call("run_scheduler", "--once")
    assert out.splitlines() == ["note: Succeeded"]
    assert lines(runs_file) == ["once"]
    assert _call("run_scheduler", "--once").strip() == "Nothing was due."


@pytest.mark.django_db
def test_once_exits_non_zero_naming_a_failed_job(settings, tmp_path, runs_file):
    settings.SCHEDULE = [{"name": "flaky", "task": FAIL_UNTIL_READY,
                          "kwargs": {"path": str(runs_file), "ready": str(tmp_path / "no")}, "every_minutes": 1}]
    with pytest.raises(CommandError) as error:
        _call("run_scheduler", "--once")
    assert error.value.returncode == 1
    assert "Failed: flaky" in str(error.value)


@pytest.mark.django_db
def test_a_bad_schedule_stops_the_command_with_the_reason(settings):
    settings.SCHEDULE = [{"name": "x", "command": ["a"], "daily_at": "3am"}]
    with pytest.raises(CommandError, match="daily_at must be a 24-hour time HH:MM, e.g. 03:30, not '3am'"):
        _call("run_scheduler", "--once")


def _call(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_runs_older_than_the_keeping_period_are_pruned_by_their_own_job(settings):
    settings.SCHEDULER_KEEP_RUNS_DAYS = 30
    now = timezone.now()
    for days, outcome in ((31, JobRun.Outcome.OK), (31, JobRun.Outcome.FAILED), (29, JobRun.Outcome.OK),
                          (40, JobRun.Outcome.RUNNING)):
        started = now - timedelta(days=days)
        JobRun.objects.create(job_name=f"old-{days}-{outcome}", due_at=started, started_at=started,
                              outcome=outcome, scheduler="elsewhere:1")
    settings.SCHEDULE = [{"name": "prune-job-runs", "command": ["prune_job_runs"], "daily_at": "04:15"}]
    ScheduledJob.objects.create(name="prune-job-runs", when="daily at 04:15 UK time", next_run_at=now)
    [run] = scheduling.run_due()
    assert run.outcome == JobRun.Outcome.OK
    assert run.message == "Deleted 2 job runs older than 30 days."
    assert set(JobRun.objects.values_list("job_name", flat=True)) == {
        "old-29-ok", "old-40-running", "prune-job-runs"
    }
