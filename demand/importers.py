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
