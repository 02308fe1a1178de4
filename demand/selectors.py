"""Reading demand data: hourly counts, performance by period, seasonal patterns, the live queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from django.db.models import Count, Max, Min
from django.db.models.functions import TruncHour
from django.utils import timezone

from .forecasting import english_bank_holidays
from .models import (
    AGENT_STATE_STALE_HOURS,
    ANSWER_TARGET_SECONDS,
    ATTENDANCE_TARGET_MINUTES,
    DEFAULT_SERVICE_LEVEL,
    AgentState,
    AgentStateEvent,
    Area,
    AttendanceEvent,
    CallEvent,
    ForecastSnapshot,
    Queue,
    QueueSettings,
)

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
    target = frame["queue"].map(answer_targets())
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
    targets = answer_targets()
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
            "target_seconds": targets.get(queue),
        })
    return rows


def headline(*, start: datetime | None = None, end: datetime | None = None) -> dict[str, dict]:
    """The figures the contact-centre manager reads first, per queue, over the whole range."""
    frame = _events(start, end)
    result = {}
    if frame.empty:
        return result
    targets = answer_targets()
    for queue, group in frame.groupby("queue"):
        known = group[group["known"]]
        result[queue] = {
            "offered": len(group),
            "within_target_share": float(known["within_target"].mean()) if len(known) else None,
            "mean_answer_seconds": float(group.loc[group["answered"], "answer_seconds"].mean())
            if group["answered"].any() else None,
            "abandon_share": float(known["abandoned"].mean()) if len(known) else None,
            "target_seconds": targets.get(queue),
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
    targets = answer_targets()
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
            "target_seconds": targets.get(queue),
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


# --- Per-queue settings ---------------------------------------------------------------

def queue_settings(queue: str) -> QueueSettings:
    """The queue's stored settings, or an unsaved row holding the defaults when none are stored."""
    stored = QueueSettings.objects.filter(queue=queue).first()
    if stored:
        return stored
    return QueueSettings(queue=queue, service_level=DEFAULT_SERVICE_LEVEL[Queue(queue)],
                         target_seconds=ANSWER_TARGET_SECONDS[Queue(queue)], aht_seconds=None, shrinkage=30,
                         max_occupancy=85, patience_seconds=None)


def all_queue_settings() -> list[QueueSettings]:
    """Settings for every queue, stored or default, in queue order."""
    return [queue_settings(q) for q in Queue.values]


def answer_targets() -> dict[str, int]:
    """Answer-within seconds per queue: the stored setting, else the default."""
    stored = dict(QueueSettings.objects.values_list("queue", "target_seconds"))
    return {q: stored.get(q, ANSWER_TARGET_SECONDS[Queue(q)]) for q in Queue.values}


def _period_starts(stamps: pd.Series, period: str) -> pd.Series:
    """Local start of the hour, day, week (Monday) or month each aware timestamp falls in."""
    local = stamps.dt.tz_convert(timezone.get_current_timezone()).dt.tz_localize(None)
    return local.dt.to_period({"hour": "h", "day": "D", "week": "W-SUN", "month": "M"}[period]).dt.start_time


def _period_bounds(start: datetime, end: datetime, period: str) -> list[tuple[datetime, datetime]]:
    """Consecutive local periods covering [start, end), as aware datetimes (clock changes respected)."""
    zone = timezone.get_current_timezone()
    first = _period_starts(pd.Series([pd.Timestamp(start)]), period).iloc[0]
    freq = {"hour": "h", "day": "D", "week": "W-MON", "month": "MS"}[period]
    last_local = pd.Timestamp(end).tz_convert(zone).tz_localize(None)
    starts = list(pd.date_range(first, last_local, freq=freq)) if period != "hour" else []
    if period == "hour":
        # Hours are taken in UTC so the repeated hour when the clocks go back is not lost.
        hour = pd.Timestamp(start).tz_convert("UTC").floor("h")
        bounds = []
        while hour < pd.Timestamp(end):
            bounds.append((hour.to_pydatetime(), (hour + pd.Timedelta(hours=1)).to_pydatetime()))
            hour += pd.Timedelta(hours=1)
        return bounds
    if not starts or starts[0] != first:
        starts.insert(0, first)
    aware = [timezone.make_aware(s.to_pydatetime(), zone) for s in starts]
    following = [*aware[1:], timezone.make_aware((starts[-1] + pd.tseries.frequencies.to_offset(freq))
                                                 .to_pydatetime(), zone)]
    return list(zip(aware, following, strict=True))


# --- Attendance against target ----------------------------------------------------------

def attendance_target_minutes(grade: int, area: str) -> int | None:
    """Minutes within which an officer should arrive, or None where the grade has no attendance clock."""
    return ATTENDANCE_TARGET_MINUTES.get((grade, Area(area)))


def attendance(*, period: str = "day", start: datetime | None = None, end: datetime | None = None) -> list[dict]:
    """Per period, grade (1, 2) and area: incidents, attended, share attended within target, median and 90th minutes.

    Rule: the clock runs from the call's receipt to the first officer's arrival; an
    incident nobody attended is left out of the shares (it had no attendance to time)
    but counted in ``incidents``. Targets: grade 1 15 min urban / 20 rural, grade 2 60 min.
    """
    qs = AttendanceEvent.objects.filter(grade__in=(1, 2))
    if start:
        qs = qs.filter(received_at__gte=start)
    if end:
        qs = qs.filter(received_at__lt=end)
    frame = pd.DataFrame.from_records(qs.values_list("grade", "area", "received_at", "arrived_at"),
                                      columns=["grade", "area", "received_at", "arrived_at"])
    if frame.empty:
        return []
    for column in ("received_at", "arrived_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["minutes"] = (frame["arrived_at"] - frame["received_at"]).dt.total_seconds() / 60
    frame["target"] = [attendance_target_minutes(g, a) for g, a in zip(frame["grade"], frame["area"], strict=True)]
    frame["period"] = _period_starts(frame["received_at"], period)
    rows = []
    for (when, grade, area), group in frame.groupby(["period", "grade", "area"], sort=True):
        timed = group[group["minutes"].notna()]
        rows.append({
            "period": when.to_pydatetime(), "grade": int(grade), "area": area, "incidents": len(group),
            "attended": len(timed), "target_minutes": attendance_target_minutes(int(grade), area),
            "within_target_share": float((timed["minutes"] <= timed["target"]).mean()) if len(timed) else None,
            "median_minutes": float(timed["minutes"].median()) if len(timed) else None,
            "p90_minutes": float(timed["minutes"].quantile(0.9)) if len(timed) else None,
        })
    return rows


def attendance_summary(*, start: datetime | None = None, end: datetime | None = None) -> list[dict]:
    """Attendance against target per grade and area over the whole window."""
    qs = AttendanceEvent.objects.filter(grade__in=(1, 2))
    if start:
        qs = qs.filter(received_at__gte=start)
    if end:
        qs = qs.filter(received_at__lt=end)
    result = []
    for grade, area in ATTENDANCE_TARGET_MINUTES:
        times = [(arrived - received).total_seconds() / 60 for received, arrived in
                 qs.filter(grade=grade, area=area, arrived_at__isnull=False).values_list("received_at", "arrived_at")]
        incidents = qs.filter(grade=grade, area=area).count()
        if not incidents:
            continue
        target = ATTENDANCE_TARGET_MINUTES[(grade, area)]
        result.append({
            "grade": grade, "area": str(area), "label": f"Grade {grade}, {Area(area).label.lower()}",
            "incidents": incidents, "attended": len(times), "target_minutes": target,
            "within_target_share": float(np.mean(np.array(times) <= target)) if times else None,
            "median_minutes": float(np.median(times)) if times else None,
        })
    return result


# --- First-contact resolution (from the contacts app) ------------------------------------

def first_contact_resolution(*, period: str = "day", start: datetime, end: datetime) -> list[dict]:
    """Per period: 101 contacts received and the share resolved at first contact (advice or signpost).

    Read through ``contacts.selectors.first_contact_resolution``, whose rule applies: every
    101 contact counts in the denominator, so a contact with no outcome is not resolved.
    Periods with no 101 contacts are left out.
    """
    from contacts.selectors import contact_timings
    from contacts.selectors import first_contact_resolution as resolution

    # Only periods holding a 101 contact are asked about: one query per empty hour would
    # make an hourly view of weeks slow for nothing. The times read here are not personal.
    received = pd.Series(pd.to_datetime([row["received_at"] for row in contact_timings(
        channels=["101"], since=start, until=end)], utc=True))
    busy = set(_period_starts(received, period)) if len(received) else set()
    rows = []
    for since, until in _period_bounds(start, end, period):
        if pd.Timestamp(timezone.localtime(since).replace(tzinfo=None)) not in busy:
            continue
        share = resolution(since=since, until=until)
        if share.contacts:
            rows.append({"period": timezone.localtime(since).replace(tzinfo=None), "contacts": share.contacts,
                         "resolved": share.resolved, "share": share.resolved / share.contacts})
    return rows


def first_contact_resolution_total(*, start: datetime, end: datetime) -> dict | None:
    """101 contacts and the share resolved at first contact over the whole window, or None with no 101 contacts."""
    from contacts.selectors import first_contact_resolution as resolution

    share = resolution(since=start, until=end)
    if not share.contacts:
        return None
    return {"contacts": share.contacts, "resolved": share.resolved, "share": share.resolved / share.contacts,
            "percent": 100 * share.resolved / share.contacts}


# --- Contacts as call events -------------------------------------------------------------

CALL_CHANNELS = ("999", "101", "chat", "online")


def contacts_for_call_events(*, since: datetime | None = None) -> list[dict]:
    """FirstContact's 999, 101, chat and online contacts as demand sees them: reference, channel, times.

    Read through ``contacts.selectors.contact_timings``: only non-personal columns, so
    the read is not a consultation of anyone's record and is not logged.
    """
    from contacts.selectors import contact_timings

    return contact_timings(channels=CALL_CHANNELS, since=since)


def telephony_slots(*, start: datetime, end: datetime, exclude_source: str) -> set[tuple[str, datetime]]:
    """(queue, UTC clock hour) slots in [start, end) holding any call event not from ``exclude_source``."""
    slots = set()
    rows = (CallEvent.objects.filter(offered_at__gte=start, offered_at__lt=end).exclude(source=exclude_source)
            .annotate(hour=TruncHour("offered_at", tzinfo=UTC)).values_list("queue", "hour").distinct())
    for queue, hour in rows:
        slots.add((queue, hour.astimezone(UTC)))
    return slots


# --- Agents on the live board ------------------------------------------------------------

def agents_now(*, now: datetime | None = None) -> dict[str, int]:
    """How many handlers are in each telephony state now, from each agent's latest state event.

    Rule: an agent whose latest event is older than AGENT_STATE_STALE_HOURS, or is a
    log-out, is not counted; "free" = latest state available.
    """
    now = now or timezone.now()
    recent = AgentStateEvent.objects.filter(at__gt=now - timedelta(hours=AGENT_STATE_STALE_HOURS), at__lte=now)
    latest: dict[str, tuple[datetime, int, str]] = {}
    for agent, at, pk, state in recent.values_list("agent", "at", "id", "state"):
        if agent not in latest or (at, pk) > latest[agent][:2]:
            latest[agent] = (at, pk, state)
    counts = {state: 0 for state in AgentState.values}
    for _, _, state in latest.values():
        counts[state] += 1
    counts.pop(AgentState.LOGGED_OUT)
    counts["signed_in"] = sum(counts.values())
    return counts


def contacts_needing_attendance(*, since: datetime | None = None) -> list[dict]:
    """Grade 1 and 2 contacts (reference, grade, received time): the ones with an attendance clock.

    Non-personal columns only, as in ``contacts_for_call_events``.
    """
    from contacts.selectors import contact_timings

    return contact_timings(grades=(1, 2), since=since)
