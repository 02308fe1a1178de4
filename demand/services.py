"""Changing demand data: recording call events, making and scoring forecast snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import islice

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record_entry

from . import forecasting, selectors
from .importers import AgentStateRecord, AttendanceRecord, CallRecord
from .models import AgentStateEvent, AttendanceEvent, CallEvent, ForecastSnapshot, QueueSettings

BATCH = 2000
CONTACTS_SOURCE = "contacts"  # call events made from FirstContact's own contacts
FORECAST_HOURS = 6 * 7 * 24  # six weeks ahead


def record_call_events(*, records: Iterable[CallRecord], source: str, actor=None) -> tuple[int, int]:
    """Store call events, skipping any whose external id is already stored; returns (created, skipped).

    Rule: a duplicate submission creates nothing twice: the external id is unique,
    so a re-sent batch or a re-run import is harmless.
    """
    created = skipped = 0
    records = iter(records)
    with transaction.atomic():
        while batch := list(islice(records, BATCH)):
            ids = [r.external_id for r in batch]
            known = set(CallEvent.objects.filter(external_id__in=ids).values_list("external_id", flat=True))
            fresh: dict[str, CallEvent] = {}
            for r in batch:
                if r.external_id in known or r.external_id in fresh:
                    skipped += 1
                    continue
                fresh[r.external_id] = CallEvent(
                    queue=r.queue, offered_at=r.offered_at, answered_at=r.answered_at,
                    abandoned_at=r.abandoned_at, transferred=r.transferred,
                    handled_seconds=r.handled_seconds, external_id=r.external_id, source=source)
            CallEvent.objects.bulk_create(fresh.values(), batch_size=BATCH)
            created += len(fresh)
            if source != CONTACTS_SOURCE:
                _drop_contact_events_covered_by(fresh.values())
        # Call events hold no caller data; the import itself is still logged (who loaded what, when).
        record_entry(actor=actor, actor_label="" if actor else f"import:{source}", action=Action.COLLECTION,
                     subject_type="demand.callevent", subject_id=f"import:{source}",
                     detail={"created": created, "skipped": skipped})
    return created, skipped


def _hour_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _drop_contact_events_covered_by(events: Iterable[CallEvent]) -> int:
    """Remove contact-made call events in the (queue, clock hour) slots a telephony feed now reports.

    Rule (no double counting): for a queue and an hour with any telephony event, the
    telephony feed counts every call of that hour, including those FirstContact also
    recorded as contacts, so the contact-made events of that slot go.
    """
    slots: dict[str, set[datetime]] = {}
    for event in events:
        slots.setdefault(event.queue, set()).add(_hour_utc(event.offered_at))
    removed = 0
    for queue, hours in slots.items():
        ordered = sorted(hours)
        for i in range(0, len(ordered), 500):
            chunk = ordered[i:i + 500]
            candidates = (CallEvent.objects.filter(source=CONTACTS_SOURCE, queue=queue, offered_at__gte=chunk[0],
                                                   offered_at__lt=chunk[-1] + timedelta(hours=1))
                          .values_list("id", "offered_at"))
            doomed = [pk for pk, offered in candidates if _hour_utc(offered) in hours]
            removed += CallEvent.objects.filter(id__in=doomed).delete()[0]
    return removed


def sync_contact_call_events(*, since: datetime | None = None, actor=None) -> dict[str, int]:
    """Turn FirstContact's own 999, 101, chat and online contacts into call events; safe to run again.

    A contact becomes one call event (external id ``contact:<reference>``) offered at
    receipt and answered when the handler answered it. Rule (no double counting): a
    contact in a (queue, clock hour) slot that already holds telephony-fed events is
    left out, because the telephony feed counted that call; and a later telephony
    import removes contact-made events from the slots it covers. Returns counts of
    created, already present, and left out as covered by telephony.
    """
    contacts = selectors.contacts_for_call_events(since=since)
    if not contacts:
        return {"created": 0, "present": 0, "covered": 0}
    covered = selectors.telephony_slots(start=min(c["received_at"] for c in contacts),
                                        end=max(c["received_at"] for c in contacts) + timedelta(hours=1),
                                        exclude_source=CONTACTS_SOURCE)
    records, left_out = [], 0
    for c in contacts:
        if (c["channel"], _hour_utc(c["received_at"])) in covered:
            left_out += 1
            continue
        answered = c["answered_at"] if c["answered_at"] and c["answered_at"] >= c["received_at"] else None
        records.append(CallRecord(external_id=f"contact:{c['reference']}", queue=c["channel"],
                                  offered_at=c["received_at"], answered_at=answered))
    created, present = record_call_events(records=records, source=CONTACTS_SOURCE, actor=actor)
    return {"created": created, "present": present, "covered": left_out}


def record_attendance(*, records: Iterable[AttendanceRecord], source: str, actor=None) -> tuple[int, int]:
    """Store attendance events, skipping external ids already stored; returns (created, skipped)."""
    created = skipped = 0
    records = iter(records)
    with transaction.atomic():
        while batch := list(islice(records, BATCH)):
            known = set(AttendanceEvent.objects.filter(external_id__in=[r.external_id for r in batch])
                        .values_list("external_id", flat=True))
            fresh: dict[str, AttendanceEvent] = {}
            for r in batch:
                if r.external_id in known or r.external_id in fresh:
                    skipped += 1
                    continue
                fresh[r.external_id] = AttendanceEvent(
                    external_id=r.external_id, incident=r.incident, grade=r.grade, area=r.area,
                    received_at=r.received_at, dispatched_at=r.dispatched_at, arrived_at=r.arrived_at, source=source)
            AttendanceEvent.objects.bulk_create(fresh.values(), batch_size=BATCH)
            created += len(fresh)
        # No caller or officer data in these rows; the load itself is logged.
        record_entry(actor=actor, actor_label="" if actor else f"import:{source}", action=Action.COLLECTION,
                     subject_type="demand.attendanceevent", subject_id=f"import:{source}",
                     detail={"created": created, "skipped": skipped})
    return created, skipped


def record_agent_states(*, records: Iterable[AgentStateRecord], source: str, actor=None) -> tuple[int, int]:
    """Store handlers' telephony state changes, skipping external ids already stored; returns (created, skipped).

    Agent ids identify members of staff, so the load is logged as a collection.
    """
    created = skipped = 0
    records = iter(records)
    with transaction.atomic():
        while batch := list(islice(records, BATCH)):
            known = set(AgentStateEvent.objects.filter(external_id__in=[r.external_id for r in batch])
                        .values_list("external_id", flat=True))
            fresh: dict[str, AgentStateEvent] = {}
            for r in batch:
                if r.external_id in known or r.external_id in fresh:
                    skipped += 1
                    continue
                fresh[r.external_id] = AgentStateEvent(external_id=r.external_id, agent=r.agent, state=r.state,
                                                       at=r.at, source=source)
            AgentStateEvent.objects.bulk_create(fresh.values(), batch_size=BATCH)
            created += len(fresh)
        record_entry(actor=actor, actor_label="" if actor else f"import:{source}", action=Action.COLLECTION,
                     subject_type="demand.agentstateevent", subject_id=f"import:{source}",
                     detail={"created": created, "skipped": skipped})
    return created, skipped


SETTINGS_FIELDS = ("service_level", "target_seconds", "aht_seconds", "shrinkage", "max_occupancy", "patience_seconds")


def save_queue_settings(*, queue: str, actor, **values) -> QueueSettings:
    """Store a queue's service-level target and staffing assumptions (one row per queue; a re-save updates it).

    The change is logged as an alteration with the fields that changed (settings hold no personal data,
    but who moved a target, and when, is a question auditors ask).
    """
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        current = selectors.queue_settings(queue)
        row, _ = QueueSettings.objects.select_for_update().get_or_create(
            queue=queue, defaults={name: getattr(current, name) for name in SETTINGS_FIELDS})
        changed = {name: [getattr(row, name), value] for name, value in values.items() if getattr(row, name) != value}
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_by = actor
        row.save()
        record_entry(actor=actor, actor_label="" if actor else "system", action=Action.ALTERATION,
                     subject_type="demand.queuesettings", subject_id=queue,
                     detail={"changed": changed})
    return row


def make_forecast_snapshot(*, queue: str, origin: datetime | None = None,
                           horizon_hours: int = FORECAST_HOURS) -> ForecastSnapshot | None:
    """Forecast ``queue`` hourly from ``origin`` (default: the hour after its last call) and store it.

    Returns None when the queue has under two weeks of history.
    """
    history = selectors.hourly_counts(queue)
    if origin is not None:
        local = timezone.localtime(origin).replace(tzinfo=None, minute=0, second=0, microsecond=0)
        history = history[history.index < local]
    if len(history) < 2 * forecasting.WEEK_HOURS:
        return None
    result = forecasting.forecast_hourly(history, horizon_hours=horizon_hours)
    frame = result.to_frame()
    # Rows: hour, mean, lo80, hi80, lo95, hi95, median (the median is what MASE is scored on).
    rows = [[stamp.isoformat(), *(round(float(v), 3) for v in values), float(median)]
            for stamp, values, median in zip(frame.index, frame.to_numpy(), result.median, strict=True)]
    with transaction.atomic():
        snapshot = ForecastSnapshot.objects.create(
            queue=queue, origin=timezone.make_aware(frame.index[0].to_pydatetime()), horizon_hours=horizon_hours,
            hours=rows, naive_scale=forecasting.seasonal_naive_scale(history.to_numpy()))
    score_snapshot(snapshot=snapshot)
    return snapshot


def score_snapshot(*, snapshot: ForecastSnapshot) -> ForecastSnapshot:
    """Compare a snapshot with the calls that came: MASE and 80% coverage over the hours that have passed."""
    actual = selectors.hourly_counts(snapshot.queue)
    if actual.empty:
        return snapshot
    # Snapshots made before the median was stored have six columns: they are scored on the mean.
    frame = pd.DataFrame([row[:6] + [row[6] if len(row) > 6 else row[1]] for row in snapshot.hours],
                         columns=["hour", "mean", "lo80", "hi80", "lo95", "hi95", "point"])
    frame["hour"] = pd.to_datetime(frame["hour"])
    frame = frame[frame["hour"] <= actual.index[-1]]
    if frame.empty:
        return snapshot
    y = actual.reindex(frame["hour"], fill_value=0.0).to_numpy()
    snapshot.scored_hours = len(frame)
    snapshot.mase = forecasting.mase(y, frame["point"].to_numpy(), snapshot.naive_scale)
    snapshot.coverage80 = forecasting.interval_coverage(y, frame["lo80"].to_numpy(), frame["hi80"].to_numpy())
    snapshot.save(update_fields=["scored_hours", "mase", "coverage80"])
    return snapshot


def refresh_forecasts(*, backtest_weeks: int = 0) -> list[ForecastSnapshot]:
    """Forecast every queue with enough history, and rescore older snapshots.

    With ``backtest_weeks`` a snapshot is also made that many weeks before the last
    call, so accuracy can be shown at once (used by the demo).
    """
    made = []
    for queue in selectors.queues_with_calls():
        last = selectors.last_offered(queue)
        if backtest_weeks and last is not None:
            origin = last - timedelta(weeks=backtest_weeks)
            snapshot = make_forecast_snapshot(queue=queue, origin=origin)
            if snapshot:
                made.append(snapshot)
        snapshot = make_forecast_snapshot(queue=queue)
        if snapshot:
            made.append(snapshot)
    for snapshot in ForecastSnapshot.objects.filter(scored_hours__lt=np.iinfo(np.int32).max):
        if snapshot not in made:
            score_snapshot(snapshot=snapshot)
    return made
