"""Demand pages for the contact-centre manager: performance, forecast, staffing and what-if, patterns, live queues."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import selectors, staffing
from .forms import StaffingForm
from .models import Queue

DEFAULT_AHT = {"999": 240.0, "101": 420.0, "chat": 600.0, "online": 900.0}
QUEUE_LABELS = dict(Queue.choices)
view_demand = permission_required("accounts.view_demand", raise_exception=True)


def _window(request: HttpRequest) -> tuple[datetime | None, datetime | None, int]:
    """The last N weeks of data (default 8), ending at the last call recorded, so a demo with old data still shows."""
    try:
        weeks = max(1, min(int(request.GET.get("weeks", 8)), 520))
    except ValueError:
        weeks = 8
    bounds = selectors.data_range()
    if bounds is None:
        return None, None, weeks
    end = bounds[1] + timedelta(seconds=1)
    return end - timedelta(weeks=weeks), end, weeks


def _chart(chart_id: str, title: str, traces: list[dict], y_title: str, x_title: str = "") -> dict:
    return {"id": chart_id, "script_id": f"chart-data-{chart_id}", "figure": {"data": traces, "layout": {
        "title": {"text": title}, "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
        "xaxis": {"title": {"text": x_title}}, "margin": {"t": 50, "r": 20}, "legend": {"orientation": "h"},
        "font": {"family": "Arial, sans-serif"}}}}


@login_required
@view_demand
@require_GET
def dashboard(request: HttpRequest) -> TemplateResponse:
    period = request.GET.get("period", "day")
    if period not in selectors.PERIODS:
        period = "day"
    start, end, weeks = _window(request)
    rows = selectors.performance(period=period, start=start, end=end) if start else []
    headline = selectors.headline(start=start, end=end) if start else {}
    charts = []
    if rows:
        by_queue: dict[str, list[dict]] = {}
        for row in rows:
            by_queue.setdefault(row["queue"], []).append(row)
        charts.append(_chart("volumes", f"Calls offered by {period} and channel", [
            {"type": "bar", "name": QUEUE_LABELS.get(q, q), "x": [r["period"].isoformat() for r in rs],
             "y": [r["offered"] for r in rs]} for q, rs in by_queue.items()], "Calls offered"))
        charts.append(_chart("answered-in-target", f"Share answered within target by {period}", [
            {"type": "scatter", "mode": "lines+markers", "name": f"{QUEUE_LABELS.get(q, q)} (within {rs[0]['target_seconds']} s)",
             "x": [r["period"].isoformat() for r in rs],
             "y": [None if r["within_target_share"] is None else round(100 * r["within_target_share"], 1) for r in rs]}
            for q, rs in by_queue.items() if q in ("999", "101")], "% of calls"))
    context = {"rows": rows, "headline": headline, "period": period, "periods": list(selectors.PERIODS),
               "weeks": weeks, "start": start, "end": end, "charts": charts, "labels": QUEUE_LABELS}
    return TemplateResponse(request, "demand/dashboard.html", context)


@login_required
@view_demand
@require_GET
def performance_csv(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period", "day")
    if period not in selectors.PERIODS:
        period = "day"
    start, end, _ = _window(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="call-performance-by-{period}.csv"'
    writer = csv.writer(response)
    writer.writerow(["period_start", "queue", "offered", "answered", "abandoned", "transferred",
                     "share_within_target", "target_seconds", "mean_answer_seconds", "abandon_share"])
    for row in selectors.performance(period=period, start=start, end=end) if start else []:
        writer.writerow([row["period"].isoformat(), row["queue"], row["offered"], row["answered"], row["abandoned"],
                         row["transferred"], _round(row["within_target_share"], 4), row["target_seconds"],
                         _round(row["mean_answer_seconds"], 1), _round(row["abandon_share"], 4)])
    return response


def _round(value: float | None, digits: int) -> str:
    return "" if value is None else str(round(value, digits))


@login_required
@view_demand
@require_GET
def forecast(request: HttpRequest) -> TemplateResponse:
    queue = request.GET.get("queue", "999")
    if queue not in QUEUE_LABELS:
        queue = "999"
    snapshot = selectors.latest_snapshot(queue)
    charts, table = [], []
    if snapshot:
        hours = snapshot.hours
        x = [h[0] for h in hours]
        charts.append(_chart("forecast", f"{QUEUE_LABELS[queue]} calls per hour, next {len(hours) // 168} weeks", [
            {"type": "scatter", "mode": "lines", "name": "95% interval (upper)", "x": x, "y": [h[5] for h in hours],
             "line": {"width": 0}, "showlegend": False},
            {"type": "scatter", "mode": "lines", "name": "95% interval", "x": x, "y": [h[4] for h in hours],
             "fill": "tonexty", "line": {"width": 0}, "fillcolor": "rgba(29,112,184,0.15)"},
            {"type": "scatter", "mode": "lines", "name": "80% interval (upper)", "x": x, "y": [h[3] for h in hours],
             "line": {"width": 0}, "showlegend": False},
            {"type": "scatter", "mode": "lines", "name": "80% interval", "x": x, "y": [h[2] for h in hours],
             "fill": "tonexty", "line": {"width": 0}, "fillcolor": "rgba(29,112,184,0.3)"},
            {"type": "scatter", "mode": "lines", "name": "Forecast", "x": x, "y": [h[1] for h in hours],
             "line": {"color": "#0b0c0c"}},
        ], "Calls per hour"))
        table = hours[:48]
    context = {"queue": queue, "queues": [q for q in Queue.values if q in selectors.queues_with_calls()],
               "snapshot": snapshot, "charts": charts, "table": table, "labels": QUEUE_LABELS,
               "scored": selectors.scored_snapshots()}
    return TemplateResponse(request, "demand/forecast.html", context)


@login_required
@view_demand
@require_GET
def staffing_plan(request: HttpRequest) -> TemplateResponse:
    form = StaffingForm(request.GET or None, initial={"queue": "999"})
    context: dict = {"form": form, "plans": [], "labels": QUEUE_LABELS}
    data = form.cleaned_data if form.is_bound and form.is_valid() else (None if form.is_bound else {
        name: field.initial for name, field in form.fields.items()})
    if data is not None:
        queue = data["queue"]
        snapshot = selectors.latest_snapshot(queue)
        context["snapshot"] = snapshot
        if snapshot:
            day = [(datetime.fromisoformat(h[0]), h[1]) for h in snapshot.hours[:24]]
            other_101 = selectors.latest_snapshot("101")
            base_101 = [h[1] for h in other_101.hours[:24]] if other_101 else [0.0] * 24
            aht = data.get("aht_seconds") or selectors.mean_handling_seconds(queue, DEFAULT_AHT[queue])
            scenario_aht = aht * (1 + (data.get("aht_change") or 0) / 100)
            scenario_day = [(start, staffing.what_if_calls(
                queue=queue, own=calls, non_emergency=base_101[i] if i < len(base_101) else 0.0,
                triage_resolved=(data.get("triage_resolved") or 0) / 100, chat_share=(data.get("chat_share") or 0) / 100))
                for i, (start, calls) in enumerate(day)]
            kwargs = dict(interval_minutes=data["interval"], target_seconds=data["target_seconds"],
                          service_level=data["service_level"] / 100, max_occupancy=data["max_occupancy"] / 100,
                          shrinkage=data["shrinkage"] / 100, patience_seconds=data.get("patience_seconds"))
            base = staffing.plan_intervals(staffing.split_hourly(day, data["interval"]), aht_seconds=aht, **kwargs)
            what_if = staffing.plan_intervals(staffing.split_hourly(scenario_day, data["interval"]),
                                              aht_seconds=scenario_aht, **kwargs)
            context.update(plans=list(zip(base, what_if, strict=True)), aht=aht, scenario_aht=scenario_aht,
                           model="Erlang A" if data.get("patience_seconds") else "Erlang C",
                           total_base=sum(p.rostered * data["interval"] for p in base) / 60,
                           total_what_if=sum(p.rostered * data["interval"] for p in what_if) / 60,
                           charts=[_chart("staffing", "Handlers rostered per interval", [
                               {"type": "bar", "name": "Current plan", "x": [p.start.isoformat() for p in base],
                                "y": [p.rostered for p in base]},
                               {"type": "bar", "name": "What-if", "x": [p.start.isoformat() for p in what_if],
                                "y": [p.rostered for p in what_if]}], "Handlers rostered")])
    return TemplateResponse(request, "demand/staffing.html", context, status=400 if form.is_bound and form.errors else 200)


@login_required
@view_demand
@require_GET
def seasonal(request: HttpRequest) -> TemplateResponse:
    queue = request.GET.get("queue", "999")
    if queue not in QUEUE_LABELS:
        queue = "999"
    patterns = selectors.seasonal_patterns(queue)
    charts = []
    if patterns:
        days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        # One line per weekday rather than a heatmap: plotly's heatmap and colour bar set
        # style attributes, which the Content-Security-Policy blocks.
        charts.append(_chart("hour-of-week", "Average calls by hour of the week", [
            {"type": "scatter", "mode": "lines", "name": day, "x": [f"{h:02d}:00" for h in range(24)],
             "y": patterns["hour_of_week"][i]} for i, day in enumerate(days)], "Calls per hour", "Hour of day"))
        charts.append(_chart("year-on-year", "Calls per ISO week, year on year", [
            {"type": "scatter", "mode": "lines", "name": str(year), "x": list(weeks_.keys()), "y": list(weeks_.values())}
            for year, weeks_ in patterns["year_on_year"].items()], "Calls", "ISO week"))
    context = {"queue": queue, "queues": [q for q in Queue.values if q in selectors.queues_with_calls()],
               "patterns": patterns, "charts": charts, "labels": QUEUE_LABELS,
               "days": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
               "hour_rows": [(f"{h:02d}:00", [patterns["hour_of_week"][d][h] for d in range(7)]) for h in range(24)]
               if patterns else []}
    return TemplateResponse(request, "demand/seasonal.html", context)


@login_required
@view_demand
@require_GET
def live_board(request: HttpRequest) -> TemplateResponse:
    template = "demand/_live_table.html" if request.headers.get("HX-Request") else "demand/live.html"
    return TemplateResponse(request, template, {"queues": selectors.live_queue(), "now": timezone.now()})
