"""Importing call events: the documented CSV, the DECC files, idempotency and named errors."""

from __future__ import annotations

import gzip
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from demand.importers import ImportProblem, read_call_events, read_decc_cad, read_decc_phone_hourly
from demand.models import CallEvent
from demand.services import record_call_events

LONDON = ZoneInfo("Europe/London")
HEADER = "external_id,queue,offered_at,answered_at,abandoned_at,transferred,handled_seconds\n"


def write(tmp_path, body: str, name="calls.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def test_firstcontact_csv_reads_times_in_the_given_zone(tmp_path):
    path = write(tmp_path, "a1,999,2025-07-01 10:00:00,2025-07-01 10:00:08,,false,310\n"
                           "a2,101,2025-07-01T09:00:00+00:00,,2025-07-01T09:02:00+00:00,,\n")
    first, second = read_call_events(path, zone=LONDON)
    assert first.offered_at.utcoffset().total_seconds() == 3600  # British Summer Time
    assert (first.answered_at - first.offered_at).total_seconds() == 8
    assert first.handled_seconds == 310
    assert second.abandoned_at is not None and second.answered_at is None


def test_bad_rows_are_named_with_the_field_and_nothing_is_imported(tmp_path, db):
    path = write(tmp_path, "a1,999,2025-07-01 10:00,,,,\n"
                           "a2,112,2025-07-01 10:00,,,,\n"
                           "a3,101,not a time,,,,\n"
                           "a4,101,2025-07-01 10:00,2025-07-01 10:01,2025-07-01 10:02,,\n"
                           "a5,101,2025-07-01 10:00,2025-07-01 09:59,,,\n"
                           ",101,2025-07-01 10:00,,,,\n"
                           "a7,chat,2025-07-01 10:00,,,maybe,\n")
    with pytest.raises(ImportProblem) as caught:
        read_call_events(path, zone=LONDON)
    message = str(caught.value)
    assert "calls.csv row 3: queue '112' is not one of" in message
    assert "row 4: offered_at 'not a time' is not an ISO 8601 date and time" in message
    assert "row 5: answered_at and abandoned_at are both set" in message
    assert "row 6: answered_at is before offered_at" in message
    assert "row 7: external_id is required" in message
    assert "row 8: transferred 'maybe' must be true or false" in message
    assert "row 2" not in message
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_calls", str(path))
    assert CallEvent.objects.count() == 0


def test_importing_twice_adds_nothing_the_second_time(tmp_path, db):
    path = write(tmp_path, "a1,999,2025-07-01 10:00:00,2025-07-01 10:00:08,,,\n"
                           "a2,999,2025-07-01 10:01:00,2025-07-01 10:01:30,,,\n"
                           "a2,999,2025-07-01 10:01:00,2025-07-01 10:01:30,,,\n")
    assert record_call_events(records=read_call_events(path, zone=LONDON), source="test") == (2, 1)
    assert record_call_events(records=read_call_events(path, zone=LONDON), source="test") == (0, 3)
    assert CallEvent.objects.count() == 2
    entry = AuditEntry.objects.filter(subject_type="demand.callevent").latest("id")
    assert entry.detail == {"created": 0, "skipped": 3}


def test_decc_phone_file_keeps_volumes_and_the_share_within_ten_seconds():
    path = settings.DATA_DIR / "calls/decc_phone_hourly_2025-10-26_to_2025-12-13.csv.gz"
    records = list(read_decc_phone_hourly(path, zone=LONDON))
    emergency = [r for r in records if r.queue == "999"]
    admin = [r for r in records if r.queue == "101"]
    # The data README: 9,619 911 calls (1,934 abandoned) and 21,141 admin calls (288 abandoned).
    assert len(emergency) == 9619 and sum(r.abandoned_at is not None for r in emergency) == 1934
    assert len(admin) == 21141 and sum(r.abandoned_at is not None for r in admin) == 288
    assert len({r.external_id for r in records}) == len(records)  # the repeated clocks-back hour too
    first_hour = [r for r in emergency if r.external_id.startswith("decc-phone:2025102600:0:")]
    within_10 = sum(1 for r in first_hour if r.answered_at and (r.answered_at - r.offered_at).total_seconds() <= 10)
    assert (len(first_hour), within_10) == (19, 10)  # 911_T and 911_10 in the file's first row


def test_decc_cad_file_yields_public_contacts_only(tmp_path):
    path = tmp_path / "cad.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("Master_Incident_Number,Call_Reception,Incident_Start_Time,Phone_Time\n"
                     "25-1,E-911,2025-08-24 00:07:06.000,166\n"
                     "25-2,OFFICER,2025-08-24 00:08:00.000,0\n"
                     "25-3,Phone,2025-08-24 00:09:00.000,NULL\n"
                     "25-4,Text,2025-08-24 00:10:00.000,90\n")
    records = list(read_decc_cad(path, zone=LONDON))
    assert [(r.queue, r.handled_seconds) for r in records] == [("999", 166), ("101", None), ("chat", 90)]
    assert all(r.answered_at is None and r.abandoned_at is None for r in records)
