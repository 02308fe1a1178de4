"""JSON API for demand: the telephony platform sends call events and agent states here, command and control attendance times."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from firstcontact.api import require_scope
from firstcontact.lazy import lazy_module

from .importers import (
    AGENT_STATES,
    CallRecord,
    ImportProblem,
    parse_agent_states,
    parse_attendance,
    parse_call_events,
)

# Imported on first use: it brings in pandas (firstcontact/lazy.py).
services = lazy_module("demand.services")

QUEUES = ("999", "101", "chat", "online")

router = Router(tags=["demand"])


class CallEventIn(Schema):
    external_id: str = Field(min_length=1, max_length=120, description="The telephony platform's id for the call")
    queue: str = Field(description="999, 101, chat or online", json_schema_extra={"enum": list(QUEUES)})
    offered_at: datetime
    answered_at: datetime | None = None
    abandoned_at: datetime | None = None
    transferred: bool = False
    handled_seconds: int | None = Field(default=None, ge=0, le=86_400, description="Talk, hold and wrap-up, in seconds (at most a day)")


class CallEventsIn(Schema):
    events: list[CallEventIn] = Field(max_length=5000)


class CallEventsOut(Schema):
    created: int
    skipped: int


class ProblemOut(Schema):
    detail: str | list = Field(description="What was wrong, naming the event and field")


@router.post("/call-events", response={200: CallEventsOut, 422: ProblemOut}, summary="Record call events (idempotent by external_id)")
def post_call_events(request: HttpRequest, payload: CallEventsIn) -> dict:
    """Store offered/answered/abandoned events; an external_id already stored is skipped, not duplicated."""
    require_scope(request, "telephony:write")
    for number, event in enumerate(payload.events):
        for name in ("offered_at", "answered_at", "abandoned_at"):
            value = getattr(event, name)
            if value is not None and value.tzinfo is None:
                raise HttpError(422, f"events[{number}].{name} must include a UTC offset, e.g. 2025-11-03T14:05:09Z.")
    # Stored in UTC: PostgreSQL refuses some offsets that ISO 8601 allows (e.g. -19:12).
    rows = [{**e.dict(), **{k: (getattr(e, k).astimezone(UTC).isoformat() if getattr(e, k) else "")
                            for k in ("offered_at", "answered_at", "abandoned_at")},
             "transferred": "true" if e.transferred else "false",
             "handled_seconds": "" if e.handled_seconds is None else str(e.handled_seconds)}
            for e in payload.events]
    try:
        records: list[CallRecord] = parse_call_events(rows, zone=None, source_name="events", first_row=0)
    except ImportProblem as problem:
        raise HttpError(422, str(problem).replace("events row ", "event ")) from problem
    actor = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    created, skipped = services.record_call_events(records=records, source="api", actor=actor)
    return {"created": created, "skipped": skipped}


def _utc_rows(events: list, names: tuple[str, ...]) -> list[dict]:
    """Events as the CSV parsers read them: times in UTC ISO text (PostgreSQL refuses some ISO offsets)."""
    rows = []
    for event in events:
        row = {k: ("" if v is None else str(v)) for k, v in event.dict().items()}
        for name in names:
            value = getattr(event, name)
            row[name] = value.astimezone(UTC).isoformat() if value is not None and value.tzinfo else (
                "" if value is None else value.isoformat())
        rows.append(row)
    return rows


class AttendanceIn(Schema):
    external_id: str = Field(min_length=1, max_length=120, description="Command and control's id for the attendance")
    incident: str = Field(default="", max_length=40, description="The incident's reference")
    grade: int = Field(ge=1, le=4, description="1 emergency, 2 priority, 3 scheduled, 4 no deployment")
    area: str = Field(default="urban", description="urban or rural (sets the grade 1 target: 15 or 20 minutes)",
                      json_schema_extra={"enum": ["urban", "rural"]})
    received_at: datetime
    dispatched_at: datetime | None = None
    arrived_at: datetime | None = Field(default=None, description="First officer on scene; blank if nobody attended")


class AttendancesIn(Schema):
    events: list[AttendanceIn] = Field(max_length=5000)


@router.post("/attendance", response={200: CallEventsOut, 422: ProblemOut},
             summary="Record attendance times (idempotent by external_id)")
def post_attendance(request: HttpRequest, payload: AttendancesIn) -> dict:
    """Store when officers arrived at incidents; an external_id already stored is skipped, not duplicated."""
    require_scope(request, "cad:write")
    rows = _utc_rows(payload.events, ("received_at", "dispatched_at", "arrived_at"))
    try:
        records = parse_attendance(rows, zone=None, source_name="events", first_row=0)
    except ImportProblem as problem:
        raise HttpError(422, str(problem).replace("events row ", "event ")) from problem
    actor = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    created, skipped = services.record_attendance(records=records, source="api", actor=actor)
    return {"created": created, "skipped": skipped}


class AgentStateIn(Schema):
    external_id: str = Field(min_length=1, max_length=120, description="The telephony platform's id for the change")
    agent: str = Field(min_length=1, max_length=60, description="The telephony platform's agent id")
    state: str = Field(description="logged_in, available, busy, wrap_up or logged_out",
                       json_schema_extra={"enum": list(AGENT_STATES)})
    at: datetime


class AgentStatesIn(Schema):
    events: list[AgentStateIn] = Field(max_length=5000)


@router.post("/agent-states", response={200: CallEventsOut, 422: ProblemOut},
             summary="Record handlers' telephony state changes (idempotent by external_id)")
def post_agent_states(request: HttpRequest, payload: AgentStatesIn) -> dict:
    """Store agent state changes (the live board counts handlers free from each one's latest state)."""
    require_scope(request, "telephony:write")
    rows = _utc_rows(payload.events, ("at",))
    try:
        records = parse_agent_states(rows, zone=None, source_name="events", first_row=0)
    except ImportProblem as problem:
        raise HttpError(422, str(problem).replace("events row ", "event ")) from problem
    actor = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    created, skipped = services.record_agent_states(records=records, source="api", actor=actor)
    return {"created": created, "skipped": skipped}
