"""Agents free on the live board, per-queue settings, and FirstContact's own contacts counted as call events."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.services import issue_api_token
from audit.models import AuditEntry
from contacts.models import IncidentType
from contacts.services import record_contact
from demand import selectors
from demand.importers import AgentStateRecord, CallRecord
from demand.models import AgentStateEvent, CallEvent, QueueSettings
from demand.services import (
    CONTACTS_SOURCE,
    record_agent_states,
    record_call_events,
    sync_contact_call_events,
)
from demand.tests.factories import CallEventFactory


@pytest.fixture
def manager(client, make_user):
    user = make_user("contact-centre-manager")
    client.force_login(user)
    return user


def state(agent, value, minutes_ago, n=0, now=None):
    now = now or timezone.now()
    return AgentStateRecord(external_id=f"{agent}-{minutes_ago}-{n}", agent=agent, state=value,
                            at=now - timedelta(minutes=minutes_ago))


def test_agents_free_counts_each_agents_latest_state(db):
    now = timezone.now()
    record_agent_states(source="test", records=[
        state("a", "logged_in", 120, now=now), state("a", "available", 3, now=now),
        state("b", "available", 30, now=now), state("b", "busy", 2, now=now),
        state("c", "available", 60, now=now), state("c", "logged_out", 10, now=now),
        state("d", "available", 13 * 60, now=now),  # stale: a missed log-out does not count as free
        state("e", "wrap_up", 1, now=now),
    ])
    counts = selectors.agents_now(now=now)
    assert (counts["available"], counts["busy"], counts["wrap_up"], counts["signed_in"]) == (1, 1, 1, 3)


def test_live_board_shows_agents_free(client, manager):
    record_agent_states(source="test", records=[state("a", "available", 1), state("b", "available", 2)])
    page = client.get("/staff/demand/live/", headers={"HX-Request": "true"}).content.decode()
    assert '<td class="govuk-table__cell govuk-table__cell--numeric" data-testid="agents-free">2</td>' in page
    assert "<html" not in page  # the htmx poll gets only the tables


def test_agent_states_through_the_api_and_csv(client, db, tmp_path):
    token = issue_api_token(name="Telephony", scopes=["telephony:write"], issued_by=None)[1]
    event = {"external_id": "s-1", "agent": "7001", "state": "available", "at": "2025-11-03T09:00:00Z"}

    def post(events):
        return client.post("/api/demand/agent-states", data=json.dumps({"events": events}),
                           content_type="application/json", headers={"Authorization": f"Bearer {token}"})

    assert post([event]).json() == {"created": 1, "skipped": 0}
    assert post([event]).json() == {"created": 0, "skipped": 1}
    bad = post([{**event, "external_id": "s-2", "state": "asleep"}])
    assert bad.status_code == 422 and "event 0: state 'asleep' is not one of" in bad.json()["detail"]
    path = tmp_path / "states.csv"
    path.write_text("external_id,agent,state,at\ns-3,7002,wrap-up,2025-11-03 09:05\n")
    call_command("import_agent_states", str(path))
    call_command("import_agent_states", str(path))
    assert sorted(AgentStateEvent.objects.values_list("state", flat=True)) == ["available", "wrap_up"]
    assert AuditEntry.objects.filter(subject_type="demand.agentstateevent").count() == 4  # every load is logged


def test_manager_edits_queue_settings_once_with_named_errors(client, manager):
    url = "/staff/demand/settings/101/"
    good = {"service_level": "85", "target_seconds": "20", "aht_seconds": "360", "shrinkage": "35",
            "max_occupancy": "80", "patience_seconds": "90"}
    bad = client.post(url, {**good, "shrinkage": "95", "target_seconds": "soon"})
    page = bad.content.decode()
    assert bad.status_code == 400
    assert "Shrinkage (%) must be 90 or less" in page and "Answer within (seconds) must be a whole number" in page
    assert 'value="360"' in page and 'value="soon"' in page  # nothing typed is lost
    assert client.post(url, good).status_code == 302
    assert client.post(url, good).status_code == 302  # a repeated submission changes nothing more
    stored = QueueSettings.objects.get()
    assert (stored.queue, stored.service_level, stored.target_seconds, stored.patience_seconds) == ("101", 85, 20, 90)
    assert AuditEntry.objects.filter(subject_type="demand.queuesettings", subject_id="101").count() == 2
    listing = client.get("/staff/demand/settings/").content.decode()
    assert "85% within 20 s" in listing and "90 s (Erlang A)" in listing


def test_settings_are_changed_only_with_manage_demand(client, make_user):
    client.force_login(make_user("supervisor"))
    assert client.get("/staff/demand/settings/").status_code == 200
    assert client.get("/staff/demand/settings/999/").status_code == 403
    assert client.post("/staff/demand/settings/999/", {"service_level": "50"}).status_code == 403
    assert not QueueSettings.objects.exists()


def test_stored_settings_drive_staffing_and_the_answer_target(client, manager):
    client.post("/staff/demand/settings/999/", {"service_level": "80", "target_seconds": "15", "aht_seconds": "200",
                                                "shrinkage": "25", "max_occupancy": "90", "patience_seconds": ""})
    page = client.get("/staff/demand/staffing/?queue=999").content.decode()
    for name, value in (("target_seconds", "15"), ("aht_seconds", "200"), ("shrinkage", "25"),
                        ("service_level", "80")):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"', page), name
    start = datetime(2025, 11, 3, 9, tzinfo=UTC)
    CallEventFactory(queue="999", offered_at=start, answered_at=start + timedelta(seconds=12))
    assert selectors.performance(period="day")[0]["within_target_share"] == 1.0  # 12 s is within the stored 15 s


def _contact(actor, channel, received_at):
    return record_contact(actor=actor, channel=channel, incident_type=IncidentType.objects.get(code="shoplifting"),
                          received_at=received_at, answered_at=received_at + timedelta(seconds=8),
                          location_text="High Street")


def test_contacts_become_call_events_once_and_never_beside_telephony(call_handler):
    hour = datetime(2025, 11, 3, 9, tzinfo=UTC)
    _contact(call_handler, "999", hour + timedelta(minutes=5))
    _contact(call_handler, "101", hour + timedelta(minutes=10))
    _contact(call_handler, "walk_in", hour + timedelta(minutes=15))  # not a queue demand counts
    covered = _contact(call_handler, "999", hour + timedelta(hours=2, minutes=1))
    CallEventFactory(queue="999", offered_at=hour + timedelta(hours=2, minutes=30), external_id="tel-1",
                     source="telephony")

    first = sync_contact_call_events()
    assert first == {"created": 2, "present": 0, "covered": 1}
    assert sync_contact_call_events() == {"created": 0, "present": 2, "covered": 1}  # safe to run again
    made = CallEvent.objects.filter(source=CONTACTS_SOURCE)
    assert sorted(made.values_list("queue", flat=True)) == ["101", "999"]
    assert made.get(queue="999").answer_seconds == 8
    assert not CallEvent.objects.filter(external_id=f"contact:{covered.reference}").exists()

    # A telephony export arriving later for 09:00 replaces the contact-made 999 event of that hour.
    record_call_events(source="telephony", records=[CallRecord(
        external_id="tel-2", queue="999", offered_at=hour + timedelta(minutes=4),
        answered_at=hour + timedelta(minutes=4, seconds=5))])
    assert list(CallEvent.objects.filter(queue="999", offered_at__lt=hour + timedelta(hours=1))
                .values_list("source", flat=True)) == ["telephony"]
    assert CallEvent.objects.filter(queue="101", source=CONTACTS_SOURCE).count() == 1  # other queue untouched


def test_sync_command_reports_counts(call_handler):
    _contact(call_handler, "chat", timezone.now() - timedelta(hours=1))
    from io import StringIO

    out = StringIO()
    call_command("sync_contact_calls", "--days", "2", stdout=out)
    assert "1 call events made from contacts" in out.getvalue()
    assert CallEvent.objects.get().queue == "chat"


def test_seed_demand_is_safe_to_run_twice(call_handler):
    now = timezone.now()
    record_contact(actor=call_handler, channel="999", incident_type=IncidentType.objects.get(code="shoplifting"),
                   received_at=now - timedelta(hours=3), answered_at=now - timedelta(hours=3), grade=1,
                   location_text="High Street")
    call_command("seed_demand", "--demo", "--no-forecast", stdout=StringIO_())
    counts = (CallEvent.objects.count(), AgentStateEvent.objects.count(), QueueSettings.objects.count())
    attendance = selectors.attendance_summary()
    call_command("seed_demand", "--demo", "--no-forecast", stdout=StringIO_())
    assert counts[2] == 4 and counts[1] == 48
    assert (CallEvent.objects.count(), QueueSettings.objects.count()) == (counts[0], counts[2])
    assert selectors.attendance_summary() == attendance
    assert selectors.agents_now()["signed_in"] > 0


def StringIO_():  # noqa: N802 - a fresh sink for command output
    from io import StringIO

    return StringIO()
