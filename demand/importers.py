"""Read call events from CSV files: FirstContact's own format and the DECC exports in the shared data.

FirstContact call-event CSV (UTF-8, header row, gzip allowed), one row per contact:

    external_id      the sending system's unique id for the contact (required; re-imports are skipped)
    queue            999, 101, chat or online
    offered_at       when the contact reached the queue, ISO 8601 (e.g. 2025-11-03T14:05:09+00:00);
                     without an offset it is read as local time in the import's time zone
    answered_at      when a handler answered it (blank if not answered)
    abandoned_at     when the caller hung up or left the chat before an answer (blank if not)
    transferred      true/false: passed to another queue or agency after answer (blank = false)
    handled_seconds  talk + hold + wrap-up seconds (blank if not known)

A contact is answered or abandoned, not both. Both blank means the outcome is not known
(as in CAD exports, which start at answer): it counts in volumes, not in answer times.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from .models import Queue

QUEUES = set(Queue.values)
MAX_HANDLED_SECONDS = 86_400
FIELDS = ("external_id", "queue", "offered_at", "answered_at", "abandoned_at", "transferred", "handled_seconds")


@dataclass(frozen=True)
class CallRecord:
    external_id: str
    queue: str
    offered_at: datetime
    answered_at: datetime | None = None
    abandoned_at: datetime | None = None
    transferred: bool = False
    handled_seconds: int | None = None


class ImportProblem(ValueError):
    """A file that cannot be imported; the message names every bad row and field (first 20)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:20]
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__("; ".join(shown) + more)


def open_text(path: str | Path) -> io.TextIOBase:
    path = Path(path)
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def _parse_time(value: str, zone: ZoneInfo) -> datetime:
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def parse_call_events(rows: Iterable[dict[str, str]], *, zone: ZoneInfo | None, source_name: str = "file",
                      first_row: int = 2) -> list[CallRecord]:
    """Validate FirstContact-format rows; raise ImportProblem naming each bad row and field.

    ``first_row`` is the number the first row is called by in messages (2 in a file, after its header).
    """
    records: list[CallRecord] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=first_row):
        where = f"{source_name} row {number}"
        missing = [f for f in ("external_id", "queue", "offered_at") if not (row.get(f) or "").strip()]
        if missing:
            problems.append(f"{where}: {', '.join(missing)} is required")
            continue
        if any(ord(ch) < 32 for ch in row["external_id"]):
            problems.append(f"{where}: external_id must not contain control characters")
            continue
        queue = row["queue"].strip().lower()
        if queue not in QUEUES:
            problems.append(f"{where}: queue {row['queue']!r} is not one of {', '.join(sorted(QUEUES))}")
            continue
        times: dict[str, datetime | None] = {}
        bad = False
        for name in ("offered_at", "answered_at", "abandoned_at"):
            raw = (row.get(name) or "").strip()
            try:
                parsed = _parse_time(raw, zone) if raw else None
                # A written offset is turned into UTC: PostgreSQL refuses some offsets that ISO 8601
                # allows (e.g. -19:12). Times read in a named zone keep it.
                if parsed is not None and isinstance(parsed.tzinfo, timezone):
                    parsed = parsed.astimezone(UTC)
                times[name] = parsed
            except ValueError:
                problems.append(f"{where}: {name} {raw!r} is not an ISO 8601 date and time")
                bad = True
        if bad:
            continue
        offered = times["offered_at"]
        if times["answered_at"] and times["abandoned_at"]:
            problems.append(f"{where}: answered_at and abandoned_at are both set; a call is one or the other")
            continue
        for name in ("answered_at", "abandoned_at"):
            if times[name] and times[name] < offered:
                problems.append(f"{where}: {name} is before offered_at")
                bad = True
        transferred_raw = (row.get("transferred") or "").strip().lower()
        if transferred_raw not in ("", "true", "false", "1", "0", "yes", "no"):
            problems.append(f"{where}: transferred {row['transferred']!r} must be true or false")
            bad = True
        handled_raw = (row.get("handled_seconds") or "").strip()
        handled = None
        if handled_raw:
            if not handled_raw.isdigit():
                problems.append(f"{where}: handled_seconds {handled_raw!r} must be a whole number of seconds")
                bad = True
            elif int(handled_raw) > MAX_HANDLED_SECONDS:
                problems.append(f"{where}: handled_seconds {handled_raw!r} is more than a day ({MAX_HANDLED_SECONDS})")
                bad = True
            else:
                handled = int(handled_raw)
        if bad:
            continue
        records.append(CallRecord(
            external_id=row["external_id"].strip(), queue=queue, offered_at=offered,
            answered_at=times["answered_at"], abandoned_at=times["abandoned_at"],
            transferred=transferred_raw in ("true", "1", "yes"), handled_seconds=handled,
        ))
    if problems:
        raise ImportProblem(problems)
    return records


def read_call_events(path: str | Path, *, zone: ZoneInfo) -> list[CallRecord]:
    """Read a FirstContact call-event CSV file."""
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        missing = {"external_id", "queue", "offered_at"} - set(reader.fieldnames or ())
        if missing:
            raise ImportProblem([f"{Path(path).name}: missing column(s) {', '.join(sorted(missing))}; "
                                 f"expected {', '.join(FIELDS)}"])
        return parse_call_events(reader, zone=zone, source_name=Path(path).name)


# DECC CAD: how the contact reached the centre -> our queue. Officer-initiated and
# radio events are not public demand and are left out.
CAD_RECEPTION_QUEUES = {"E-911": Queue.EMERGENCY.value, "Phone": Queue.NON_EMERGENCY.value,
                        "Text": Queue.CHAT.value}


def read_decc_cad(path: str | Path, *, zone: ZoneInfo) -> Iterator[CallRecord]:
    """Public contacts from the DECC CAD incident export: offered at incident start, handling = phone time.

    The CAD record starts when a call-taker opens the incident, i.e. after answer, so
    answer time is not known from it.
    """
    with open_text(path) as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            queue = CAD_RECEPTION_QUEUES.get(row.get("Call_Reception", ""))
            if queue is None:
                continue
            try:
                offered = datetime.fromisoformat(row["Incident_Start_Time"]).replace(tzinfo=zone)
            except (KeyError, ValueError) as error:
                raise ImportProblem([f"{Path(path).name} row {number}: Incident_Start_Time "
                                     f"{row.get('Incident_Start_Time')!r} is not a date and time"]) from error
            phone = row.get("Phone_Time", "")
            handled = int(float(phone)) if phone not in ("", "NULL") and 0 < float(phone) <= 3600 else None
            # Incident numbers repeat now and then across weeks: add the start time to keep ids unique.
            yield CallRecord(external_id=f"decc-cad:{row['Master_Incident_Number']}:{offered:%Y%m%d%H%M%S}",
                             queue=queue, offered_at=offered, handled_seconds=handled)


# DECC hourly phone file: answer-time bands (column suffix -> seconds to answer, taken
# at the band's middle; the open top band at 150 s).
PHONE_BANDS = {"10": 5.0, "15": 12.5, "20": 17.5, "40": 30.0, "60": 50.0, "120": 90.0, "121": 150.0}
PHONE_LINES = {"911": Queue.EMERGENCY.value, "ADM": Queue.NON_EMERGENCY.value}
ABANDON_AFTER_SECONDS = 30.0  # the file gives no wait for abandoned calls


def read_decc_phone_hourly(path: str | Path, *, zone: ZoneInfo) -> Iterator[CallRecord]:
    """Expand the DECC hourly answer-band counts into one call event per call.

    The file holds counts per hour and band, not individual calls, so each call is
    placed evenly through its hour and answered at its band's middle; abandoned calls
    hang up after 30 s. Volumes and the share within 10 s are exact; average answer
    times are approximate.
    """
    seen: dict[datetime, int] = {}
    with open_text(path) as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                hour = datetime.strptime(row["DateTime"], "%m/%d/%Y %H:%M").replace(tzinfo=zone)
            except (KeyError, ValueError) as error:
                raise ImportProblem([f"{Path(path).name} row {number}: DateTime {row.get('DateTime')!r} "
                                     "is not M/D/YYYY H:MM"]) from error
            # The hour the clocks go back appears twice in local time; number the repeats.
            repeat = seen[hour] = seen.get(hour, -1) + 1
            for prefix, queue in PHONE_LINES.items():
                calls: list[tuple[str, float | None]] = []
                for band, wait in PHONE_BANDS.items():
                    calls += [(band, wait)] * int(row[f"{prefix}_{band}"] or 0)
                calls += [("ab", None)] * int(row[f"{prefix}_AB"] or 0)
                spacing = 3600 / max(len(calls), 1)
                for index, (_band, wait) in enumerate(calls):
                    offered = hour + timedelta(seconds=index * spacing)
                    yield CallRecord(
                        external_id=f"decc-phone:{hour:%Y%m%d%H}:{repeat}:{prefix}:{index}",
                        queue=queue, offered_at=offered,
                        answered_at=offered + timedelta(seconds=wait) if wait is not None else None,
                        abandoned_at=offered + timedelta(seconds=ABANDON_AFTER_SECONDS) if wait is None else None,
                    )


# --- Attendance (command and control) -------------------------------------------------

ATTENDANCE_FIELDS = ("external_id", "incident", "grade", "area", "received_at", "dispatched_at", "arrived_at")
AREAS = ("urban", "rural")


@dataclass(frozen=True)
class AttendanceRecord:
    external_id: str
    grade: int
    received_at: datetime
    area: str = "urban"
    incident: str = ""
    dispatched_at: datetime | None = None
    arrived_at: datetime | None = None


def _time_field(row: dict[str, str], name: str, zone: ZoneInfo | None, where: str,
                problems: list[str]) -> tuple[bool, datetime | None]:
    """Parse one optional time column; (ok, value). A written offset is turned into UTC (see above)."""
    raw = (row.get(name) or "").strip()
    if not raw:
        return True, None
    try:
        parsed = _parse_time(raw, zone)
    except ValueError:
        problems.append(f"{where}: {name} {raw!r} is not an ISO 8601 date and time")
        return False, None
    if parsed.tzinfo is None:
        problems.append(f"{where}: {name} {raw!r} must include a UTC offset, e.g. 2025-11-03T14:05:09Z")
        return False, None
    return True, parsed.astimezone(UTC) if isinstance(parsed.tzinfo, timezone) else parsed


def _external_id(row: dict[str, str], where: str, problems: list[str]) -> str | None:
    value = (row.get("external_id") or "").strip()
    if not value:
        problems.append(f"{where}: external_id is required")
        return None
    if len(value) > 120 or any(ord(ch) < 32 for ch in value):
        problems.append(f"{where}: external_id must be at most 120 characters with no control characters")
        return None
    return value


def parse_attendance(rows: Iterable[dict[str, str]], *, zone: ZoneInfo | None, source_name: str = "file",
                     first_row: int = 2) -> list[AttendanceRecord]:
    """Validate attendance rows (columns ATTENDANCE_FIELDS); raise ImportProblem naming each bad row and field.

    Rule: dispatched and arrived times may be blank, never before the call was received.
    """
    records: list[AttendanceRecord] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=first_row):
        where = f"{source_name} row {number}"
        external_id = _external_id(row, where, problems)
        grade_raw = (row.get("grade") or "").strip()
        grade = int(grade_raw) if grade_raw in ("1", "2", "3", "4") else None
        if grade is None:
            problems.append(f"{where}: grade {grade_raw!r} must be 1, 2, 3 or 4")
        area = (row.get("area") or "urban").strip().lower()
        if area not in AREAS:
            problems.append(f"{where}: area {row.get('area')!r} must be urban or rural")
        incident = (row.get("incident") or "").strip()
        if len(incident) > 40:
            problems.append(f"{where}: incident must be at most 40 characters")
        times = {}
        ok = True
        for name in ("received_at", "dispatched_at", "arrived_at"):
            good, times[name] = _time_field(row, name, zone, where, problems)
            ok = ok and good
        if ok and times["received_at"] is None:
            problems.append(f"{where}: received_at is required")
            ok = False
        if ok:
            for name in ("dispatched_at", "arrived_at"):
                if times[name] is not None and times[name] < times["received_at"]:
                    problems.append(f"{where}: {name} is before received_at")
                    ok = False
        if ok and external_id and grade and area in AREAS and len(incident) <= 40:
            records.append(AttendanceRecord(external_id=external_id, grade=grade, area=area, incident=incident,
                                            **times))
    if problems:
        raise ImportProblem(problems)
    return records


def read_attendance(path: str | Path, *, zone: ZoneInfo) -> list[AttendanceRecord]:
    """Read a FirstContact attendance CSV file."""
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        missing = {"external_id", "grade", "received_at"} - set(reader.fieldnames or ())
        if missing:
            raise ImportProblem([f"{Path(path).name}: missing column(s) {', '.join(sorted(missing))}; "
                                 f"expected {', '.join(ATTENDANCE_FIELDS)}"])
        return parse_attendance(reader, zone=zone, source_name=Path(path).name)


# DECC CAD priority -> our grade. Priority 1 is "emergency, attend now" and 2 "urgent"; the
# lower priorities have no attendance clock here. Only public contacts (as for call events):
# officer-initiated and radio incidents start with the officer already there.
CAD_PRIORITY_GRADES = {"1": 1, "2": 2}


def _cad_time(value: str | None, zone: ZoneInfo) -> datetime | None:
    if not value or value == "NULL":
        return None
    return datetime.fromisoformat(value).replace(tzinfo=zone)


def read_decc_cad_attendance(path: str | Path, *, zone: ZoneInfo, area: str = "urban") -> Iterator[AttendanceRecord]:
    """Police attendance from the DECC CAD export: received at incident start, first unit's arrival.

    The centre serves one city, so every incident is ``area`` (urban by default). An
    arrival stamped before the incident started (a clock slip) is treated as unknown.
    """
    with open_text(path) as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            grade = CAD_PRIORITY_GRADES.get(row.get("Priority_Number", ""))
            if (row.get("Agency") != "POLICE" or grade is None
                    or row.get("Call_Reception") not in CAD_RECEPTION_QUEUES):
                continue
            try:
                received = _cad_time(row["Incident_Start_Time"], zone)
                dispatched = _cad_time(row.get("Incident_Dispatch_Time"), zone)
                arrived = _cad_time(row.get("Incident_Arrival_Time"), zone)
            except (KeyError, ValueError) as error:
                raise ImportProblem([f"{Path(path).name} row {number}: a CAD time is not a date and time"]) from error
            if received is None:
                raise ImportProblem([f"{Path(path).name} row {number}: Incident_Start_Time is blank"])
            dispatched = dispatched if dispatched and dispatched >= received else None
            arrived = arrived if arrived and arrived >= received else None
            yield AttendanceRecord(
                external_id=f"decc-cad:{row['Master_Incident_Number']}:{received:%Y%m%d%H%M%S}",
                incident=row["Master_Incident_Number"][:40], grade=grade, area=area, received_at=received,
                dispatched_at=dispatched, arrived_at=arrived)


# --- Agent states (telephony) ----------------------------------------------------------

AGENT_FIELDS = ("external_id", "agent", "state", "at")
AGENT_STATES = ("logged_in", "available", "busy", "wrap_up", "logged_out")


@dataclass(frozen=True)
class AgentStateRecord:
    external_id: str
    agent: str
    state: str
    at: datetime


def parse_agent_states(rows: Iterable[dict[str, str]], *, zone: ZoneInfo | None, source_name: str = "file",
                       first_row: int = 2) -> list[AgentStateRecord]:
    """Validate agent-state rows (columns AGENT_FIELDS); raise ImportProblem naming each bad row and field."""
    records: list[AgentStateRecord] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=first_row):
        where = f"{source_name} row {number}"
        external_id = _external_id(row, where, problems)
        agent = (row.get("agent") or "").strip()
        if not agent or len(agent) > 60 or any(ord(ch) < 32 for ch in agent):
            problems.append(f"{where}: agent is required, at most 60 characters")
        state = (row.get("state") or "").strip().lower().replace("-", "_")
        if state not in AGENT_STATES:
            problems.append(f"{where}: state {row.get('state')!r} is not one of {', '.join(AGENT_STATES)}")
        ok, at = _time_field(row, "at", zone, where, problems)
        if ok and at is None:
            problems.append(f"{where}: at is required")
        if external_id and agent and len(agent) <= 60 and state in AGENT_STATES and at is not None:
            records.append(AgentStateRecord(external_id=external_id, agent=agent, state=state, at=at))
    if problems:
        raise ImportProblem(problems)
    return records


def read_agent_states(path: str | Path, *, zone: ZoneInfo) -> list[AgentStateRecord]:
    """Read a FirstContact agent-state CSV file."""
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        missing = set(AGENT_FIELDS) - set(reader.fieldnames or ())
        if missing:
            raise ImportProblem([f"{Path(path).name}: missing column(s) {', '.join(sorted(missing))}; "
                                 f"expected {', '.join(AGENT_FIELDS)}"])
        return parse_agent_states(reader, zone=zone, source_name=Path(path).name)
