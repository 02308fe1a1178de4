"""Changing demand data: recording call events, making and scoring forecast snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import islice

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record_entry

from . import forecasting, selectors
from .importers import CallRecord
from .models import CallEvent, ForecastSnapshot

BATCH = 2000
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
        # Call events hold no caller data; the import itself is still logged (who loaded what, when).
        record_entry(actor=actor, actor_label="" if actor else f"import:{source}", action=Action.COLLECTION,
                     subject_type="demand.callevent", subject_id=f"import:{source}",
                     detail={"created": created, "skipped": skipped})
    return created, skipped


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
    rows = [[stamp.isoformat(), *(round(float(v), 3) for v in values)]
            for stamp, values in zip(frame.index, frame.to_numpy(), strict=True)]
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
    frame = pd.DataFrame(snapshot.hours, columns=["hour", "mean", "lo80", "hi80", "lo95", "hi95"])
    frame["hour"] = pd.to_datetime(frame["hour"])
    frame = frame[frame["hour"] <= actual.index[-1]]
    if frame.empty:
        return snapshot
    y = actual.reindex(frame["hour"], fill_value=0.0).to_numpy()
    snapshot.scored_hours = len(frame)
    snapshot.mase = forecasting.mase(y, frame["mean"].to_numpy(), snapshot.naive_scale)
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
