"""Reading demand data: hourly counts, performance by period, seasonal patterns, the live queue."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from django.db.models import Count, Max, Min
from django.db.models.functions import TruncHour
from django.utils import timezone

from .forecasting import english_bank_holidays
from .models import ANSWER_TARGET_SECONDS, CallEvent, ForecastSnapshot, Queue

PERIODS = {"hour": "h", "day": "D", "week": "W-MON", "month": "MS"}


def queues_with_calls() -> list[str]:
    present = set(CallEvent.objects.values_list("queue", flat=True).distinct())
    return [q for q in Queue.values if q in present]


def last_offered(queue: str) -> datetime | None:
    return CallEvent.objects.filter(queue=queue).aggregate(last=Max("offered_at"))["last"]


def hourly_counts(queue: str) -> pd.Series:
    """Calls offered per local (Europe/London) wall-clock hour, regular and gap-free (absent hours are 0)."""
    rows = (CallEvent.objects.filter(queue=queue)
            .annotate(hour=TruncHour("offered_at", tzinfo=timezone.get_current_timezone()))
            .values("hour").annotate(n=Count("id")).order_by("hour"))
    if not rows:
        return pd.Series(dtype=float)
    index = [timezone.localtime(r["hour"]).replace(tzinfo=None) for r in rows]
    series = pd.Series([float(r["n"]) for r in rows], index=pd.DatetimeIndex(index)).groupby(level=0).sum()
    return series.asfreq("h", fill_value=0.0)


def _events(start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
    qs = CallEvent.objects.all()
    if start:
        qs = qs.filter(offered_at__gte=start)
    if end:
        qs = qs.filter(offered_at__lt=end)
    frame = pd.DataFrame.from_records(
        qs.values_list("queue", "offered_at", "answered_at", "abandoned_at", "transferred"),
        columns=["queue", "offered_at", "answered_at", "abandoned_at", "transferred"])
    if frame.empty:
        return frame
    zone = timezone.get_current_timezone()
    for column in ("offered_at", "answered_at", "abandoned_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_convert(zone)
    frame["answer_seconds"] = (frame["answered_at"] - frame["offered_at"]).dt.total_seconds()
    target = frame["queue"].map({str(k): v for k, v in ANSWER_TARGET_SECONDS.items()})
    frame["within_target"] = frame["answer_seconds"] <= target
    frame["answered"] = frame["answered_at"].notna()
    frame["abandoned"] = frame["abandoned_at"].notna()
    frame["known"] = frame["answered"] | frame["abandoned"]
    return frame


def data_range() -> tuple[datetime, datetime] | None:
    """First and last offered time of any call, or None when there are none."""
    bounds = CallEvent.objects.aggregate(first=Min("offered_at"), last=Max("offered_at"))
    if bounds["last"] is None:
        return None
    return bounds["first"], bounds["last"]


def performance(*, period: str = "day", start: datetime | None = None, end: datetime | None = None) -> list[dict]:
    """Per period and queue: offered, answered, abandoned, share answered within target, mean answer time.

    Rule: 999 is measured against 10 s (National Call Handling Standard: 90%); shares
    are of calls whose outcome is known (answered or abandoned); abandoned calls count
    as not answered in time.
    """
    frame = _events(start, end)
    if frame.empty:
        return []
    frame["period"] = frame["offered_at"].dt.tz_localize(None).dt.to_period(
        {"hour": "h", "day": "D", "week": "W-SUN", "month": "M"}[period]).dt.start_time
    rows = []
    for (when, queue), group in frame.groupby(["period", "queue"], sort=True):
        known = group[group["known"]]
        answered = group[group["answered"]]
        rows.append({
            "period": when.to_pydatetime(), "queue": queue, "offered": len(group),
            "answered": int(group["answered"].sum()), "abandoned": int(group["abandoned"].sum()),
            "transferred": int(group["transferred"].sum()),
            "within_target_share": float(known["within_target"].mean()) if len(known) else None,
            "mean_answer_seconds": float(answered["answer_seconds"].mean()) if len(answered) else None,
            "abandon_share": float(known["abandoned"].mean()) if len(known) else None,
            "target_seconds": ANSWER_TARGET_SECONDS.get(queue),
        })
    return rows


def headline(*, start: datetime | None = None, end: datetime | None = None) -> dict[str, dict]:
    """The figures the contact-centre manager reads first, per queue, over the whole range."""
    frame = _events(start, end)
    result = {}
    if frame.empty:
        return result
    for queue, group in frame.groupby("queue"):
        known = group[group["known"]]
        result[queue] = {
            "offered": len(group),
            "within_target_share": float(known["within_target"].mean()) if len(known) else None,
            "mean_answer_seconds": float(group.loc[group["answered"], "answer_seconds"].mean())
            if group["answered"].any() else None,
            "abandon_share": float(known["abandoned"].mean()) if len(known) else None,
            "target_seconds": ANSWER_TARGET_SECONDS.get(queue),
        }
    return result


def seasonal_patterns(queue: str) -> dict:
    """Hour-of-week mean calls, month totals, bank-holiday effect and year on year (weekly totals by ISO week)."""
    hourly = hourly_counts(queue)
    if hourly.empty:
        return {}
    week = hourly.groupby([hourly.index.day_of_week, hourly.index.hour]).mean()
    grid = np.zeros((7, 24))
    for (day, hour), value in week.items():
        grid[day, hour] = value
    daily = hourly.resample("D").sum()
    holidays = english_bank_holidays(range(daily.index[0].year, daily.index[-1].year + 1))
    holiday_rows = []
    for day, total in daily.items():
        if day.date() in holidays:
            same_weekday = [daily.get(day + timedelta(days=d)) for d in (-7, 7)]
            same_weekday = [v for v in same_weekday if v is not None]
            if same_weekday:
                holiday_rows.append({"date": day.date(), "calls": float(total),
                                     "usual": float(np.mean(same_weekday))})
    monthly = hourly.resample("MS").sum()
    iso = daily.index.isocalendar()
    yoy = daily.groupby([iso["year"].to_numpy(), iso["week"].to_numpy()]).sum()
    years = sorted({int(y) for y, _ in yoy.index})
    return {
        "hour_of_week": grid.round(2).tolist(),
        "months": [{"month": m.date(), "calls": float(v)} for m, v in monthly.items()],
        "holidays": holiday_rows,
        "year_on_year": {year: {int(w): float(v) for (y, w), v in yoy.items() if y == year} for year in years},
    }


def live_queue(*, now: datetime | None = None) -> list[dict]:
    """Per queue now: calls waiting, the longest wait, and calls answered in the last 15 minutes.

    A call counts as waiting when it was offered in the last hour and has no answer or
    abandonment yet (older calls with no outcome are ones whose outcome was never sent).
    """
    now = now or timezone.now()
    rows = []
    for queue in Queue.values:
        waiting = CallEvent.objects.filter(queue=queue, offered_at__gte=now - timedelta(hours=1),
                                           offered_at__lte=now, answered_at__isnull=True,
                                           abandoned_at__isnull=True)
        oldest = waiting.order_by("offered_at").values_list("offered_at", flat=True).first()
        rows.append({
            "queue": queue, "label": Queue(queue).label, "waiting": waiting.count(),
            "longest_wait_seconds": int((now - oldest).total_seconds()) if oldest else 0,
            "answered_15": CallEvent.objects.filter(queue=queue, answered_at__gte=now - timedelta(minutes=15),
                                                    answered_at__lte=now).count(),
            "target_seconds": ANSWER_TARGET_SECONDS.get(queue),
        })
    return rows


def latest_snapshot(queue: str) -> ForecastSnapshot | None:
    return ForecastSnapshot.objects.filter(queue=queue).order_by("-made_at", "-id").first()


def scored_snapshots(limit: int = 20) -> list[ForecastSnapshot]:
    return list(ForecastSnapshot.objects.filter(mase__isnull=False).order_by("-made_at", "-id")[:limit])


def mean_handling_seconds(queue: str, default: float) -> float:
    """Average handling time of the queue's calls where known, else ``default``."""
    values = list(CallEvent.objects.filter(queue=queue, handled_seconds__isnull=False)
                  .values_list("handled_seconds", flat=True)[:50000])
    return float(np.mean(values)) if values else default
