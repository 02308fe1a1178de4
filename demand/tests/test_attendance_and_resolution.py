"""Attendance against target by grade, 101 resolution at first contact, on the dashboard and in the CSV export."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.services import issue_api_token
from audit.models import AuditEntry
from contacts.models import AdviceArticle, IncidentType
from contacts.services import record_contact, record_outcome
from demand import importers, selectors
from demand.importers import AttendanceRecord, ImportProblem
from demand.models import AttendanceEvent
from demand.services import record_attendance
from demand.tests.factories import CallEventFactory

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2025, 11, 3, 9, tzinfo=UTC)


def attend(external_id, grade, area, minutes, *, at=T0):
    return AttendanceRecord(external_id=external_id, grade=grade, area=area, received_at=at,
                            arrived_at=None if minutes is None else at + timedelta(minutes=minutes))


@pytest.fixture
def manager(client, make_user):
    user = make_user("contact-centre-manager")
    client.force_login(user)
    return user


def test_attendance_is_measured_against_15_urban_20_rural_and_60_for_grade_2(db):
    record_attendance(source="test", records=[
        attend("a", 1, "urban", 12), attend("b", 1, "urban", 17),  # 1 of 2 within 15
        attend("c", 1, "rural", 17), attend("d", 1, "rural", 25),  # 17 is within rural's 20
        attend("e", 2, "urban", 59), attend("f", 2, "urban", None),  # nobody attended f
        attend("g", 3, "urban", 300),  # grade 3 has no attendance clock
    ])
    summary = {(r["grade"], r["area"]): r for r in selectors.attendance_summary()}
    assert set(summary) == {(1, "urban"), (1, "rural"), (2, "urban")}
    assert (summary[(1, "urban")]["within_target_share"], summary[(1, "urban")]["target_minutes"]) == (0.5, 15)
    assert (summary[(1, "rural")]["within_target_share"], summary[(1, "rural")]["target_minutes"]) == (0.5, 20)
    grade_2 = summary[(2, "urban")]
    assert (grade_2["incidents"], grade_2["attended"], grade_2["within_target_share"]) == (2, 1, 1.0)
    assert summary[(1, "rural")]["median_minutes"] == pytest.approx(21.0)


def test_attendance_by_hour_uses_local_hours(db):
    summer = datetime(2025, 7, 1, 8, 30, tzinfo=UTC)  # 09:30 in London (BST)
    record_attendance(source="test", records=[attend("x", 1, "urban", 5, at=summer)])
    [row] = selectors.attendance(period="hour")
    assert row["period"].isoformat() == "2025-07-01T09:00:00"


def test_attendance_rows_are_validated_naming_row_and_field():
    rows = [{"external_id": "ok", "grade": "1", "area": "urban", "received_at": "2025-11-03T09:00:00Z",
             "arrived_at": "2025-11-03T09:10:00Z"},
            {"external_id": "bad", "grade": "5", "area": "city", "received_at": "2025-11-03T09:00:00Z",
             "arrived_at": "2025-11-03T08:00:00Z"}]
    with pytest.raises(ImportProblem) as problem:
        importers.parse_attendance(rows, zone=LONDON, source_name="cad.csv")
    message = str(problem.value)
    assert "cad.csv row 3: grade '5' must be 1, 2, 3 or 4" in message
    assert "cad.csv row 3: area 'city' must be urban or rural" in message
    assert "cad.csv row 3: arrived_at is before received_at" in message


def test_decc_cad_attendance_takes_police_priority_1_and_2_public_contacts():
    path = settings.DATA_DIR / "calls/decc_cad_incidents_2025-08-24_to_2025-12-06.csv.gz"
    records = list(importers.read_decc_cad_attendance(path, zone=LONDON))
    grades = {r.grade for r in records}
    assert grades == {1, 2}
    assert 6000 < len(records) < 9000  # police, priority 1-2, phone/911/text only
    grade_1 = [(r.arrived_at - r.received_at).total_seconds() / 60 for r in records if r.grade == 1 and r.arrived_at]
    assert 3 < sorted(grade_1)[len(grade_1) // 2] < 8  # that city's police arrive in about 5 minutes
    assert all(r.arrived_at is None or r.arrived_at >= r.received_at for r in records)


def test_import_attendance_command_is_safe_to_run_twice(db, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "attendance.csv"
    path.write_text("external_id,incident,grade,area,received_at,dispatched_at,arrived_at\n"
                    "i-1,INC1,1,rural,2025-11-03 09:00,2025-11-03 09:02,2025-11-03 09:18\n")
    call_command("import_attendance", str(path))
    call_command("import_attendance", str(path))
    event = AttendanceEvent.objects.get()
    assert (event.area, event.received_at) == ("rural", datetime(2025, 11, 3, 9, tzinfo=UTC))  # GMT in November


def test_attendance_api_needs_the_cad_scope_and_is_idempotent(client, db):
    token = issue_api_token(name="Command and control", scopes=["cad:write"], issued_by=None)[1]
    wrong = issue_api_token(name="Telephony", scopes=["telephony:write"], issued_by=None)[1]
    event = {"external_id": "cad-1", "incident": "INC-1", "grade": 1, "area": "urban",
             "received_at": "2025-11-03T09:00:00Z", "arrived_at": "2025-11-03T09:11:00+00:00"}

    def post(tok, events):
        return client.post("/api/demand/attendance", data=json.dumps({"events": events}),
                           content_type="application/json", headers={"Authorization": f"Bearer {tok}"})

    assert post(wrong, [event]).status_code == 403
    assert post(token, [event]).json() == {"created": 1, "skipped": 0}
    assert post(token, [event]).json() == {"created": 0, "skipped": 1}
    bad = post(token, [{**event, "external_id": "cad-2", "area": "moor"}])
    assert bad.status_code == 422 and "event 0: area 'moor' must be urban or rural" in bad.json()["detail"]
    naive = post(token, [{**event, "external_id": "cad-3", "received_at": "2025-11-03T09:00:00"}])
    assert naive.status_code == 422 and "received_at" in naive.json()["detail"]
    assert AttendanceEvent.objects.count() == 1
    assert AuditEntry.objects.filter(subject_type="demand.attendanceevent").exists()


def _contact(actor, channel, received_at, answered_after=5):
    return record_contact(actor=actor, channel=channel, incident_type=IncidentType.objects.get(code="shoplifting"),
                          received_at=received_at, answered_at=received_at + timedelta(seconds=answered_after),
                          location_text="High Street")


def test_dashboard_shows_attendance_and_101_resolution_and_exports_both(client, manager, call_handler):
    now = timezone.now().replace(microsecond=0)
    CallEventFactory(queue="999", offered_at=now - timedelta(days=1), answered_at=now - timedelta(days=1))
    record_attendance(source="test", records=[attend("a", 1, "urban", 10, at=now - timedelta(days=1)),
                                              attend("b", 1, "urban", 30, at=now - timedelta(days=1))])
    advice = AdviceArticle.objects.first()
    resolved = _contact(call_handler, "101", now - timedelta(days=2))
    _contact(call_handler, "101", now - timedelta(days=2))  # no outcome: not resolved
    _contact(call_handler, "101", now - timedelta(days=2))
    record_outcome(contact=resolved, actor=call_handler, kind="advice", advice_article=advice)

    page = client.get("/staff/demand/?period=day").content.decode()
    assert 'data-testid="attendance-1-urban"' in page
    assert "Attended within 15 min</dt><dd class=\"govuk-!-font-weight-bold\">50%" in page
    assert "Share resolved</dt><dd class=\"govuk-!-font-weight-bold\">33.3%" in page
    assert 'id="chart-data-attendance"' in page and 'id="chart-data-first-contact-resolution"' in page
    assert 'data-testid="attendance-table"' in page and 'data-testid="resolution-table"' in page

    rows = list(csv.DictReader(io.StringIO(
        client.get("/staff/demand/performance.csv?measure=attendance&period=week").content.decode())))
    assert [(r["grade"], r["area"], r["incidents"], r["share_within_target"]) for r in rows] == [
        ("1", "urban", "2", "0.5")]
    rows = list(csv.DictReader(io.StringIO(
        client.get("/staff/demand/performance.csv?measure=resolution&period=month").content.decode())))
    assert sum(int(r["contacts_101"]) for r in rows) == 3
    assert sum(int(r["resolved_at_first_contact"]) for r in rows) == 1


def test_resolution_by_hour_counts_each_contact_once(call_handler):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=5)
    for h in (0, 0, 2):
        _contact(call_handler, "101", start + timedelta(hours=h, minutes=10))
    rows = selectors.first_contact_resolution(period="hour", start=start, end=start + timedelta(hours=5))
    assert [r["contacts"] for r in rows] == [2, 1]
