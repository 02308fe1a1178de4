"""Demand pages for the contact-centre manager: performance, forecast, staffing and what-if, patterns, live queues."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from firstcontact.lazy import lazy_module

from .forms import QueueSettingsForm, StaffingForm
from .models import DEFAULT_AHT_SECONDS, Queue

# pandas, numpy and scipy come with these: imported when a demand page is first served (firstcontact/lazy.py).
selectors = lazy_module("demand.selectors")
services = lazy_module("demand.services")
staffing = lazy_module("demand.staffing")

QUEUE_LABELS = dict(Queue.choices)
view_demand = permission_required("accounts.view_demand", raise_exception=True)
manage_demand = permission_required("accounts.manage_demand", raise_exception=True)


HOURLY_MAX_WEEKS = 2  # an hour-by-hour view of more weeks is thousands of rows no one reads


def _window(request: HttpRequest) -> tuple[datetime | None, datetime | None, int]:
    """The last N weeks of data (default 8; 2 at most by hour), ending at the last call recorded."""
    try:
        weeks = max(1, min(int(request.GET.get("weeks", 8)), 520))
    except ValueError:
        weeks = 8
    if request.GET.get("period") == "hour":
        weeks = min(weeks, HOURLY_MAX_WEEKS)
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
    attendance = selectors.attendance(period=period, start=start, end=end) if start else []
    attendance_summary = selectors.attendance_summary(start=start, end=end) if start else []
    if attendance:
        by_class: dict[tuple[int, str], list[dict]] = {}
        for row in attendance:
            by_class.setdefault((row["grade"], row["area"]), []).append(row)
        charts.append(_chart("attendance", f"Share of incidents attended within target by {period}", [
            {"type": "scatter", "mode": "lines+markers",
             "name": f"Grade {grade} {area} (within {rs[0]['target_minutes']} min)",
             "x": [r["period"].isoformat() for r in rs],
             "y": [None if r["within_target_share"] is None else round(100 * r["within_target_share"], 1) for r in rs]}
            for (grade, area), rs in sorted(by_class.items())], "% of incidents attended"))
    resolution = selectors.first_contact_resolution(period=period, start=start, end=end) if start else []
    resolution_total = selectors.first_contact_resolution_total(start=start, end=end) if start else None
    if resolution:
        charts.append(_chart("first-contact-resolution", f"Share of 101 contacts resolved at first contact by {period}", [
            {"type": "bar", "name": "101 contacts resolved at first contact",
             "x": [r["period"].isoformat() for r in resolution], "y": [round(100 * r["share"], 1) for r in resolution]},
        ], "% of 101 contacts"))
    context = {"rows": rows, "headline": headline, "period": period, "periods": list(selectors.PERIODS),
               "weeks": weeks, "start": start, "end": end, "charts": charts, "labels": QUEUE_LABELS,
               "attendance": attendance, "attendance_summary": attendance_summary,
               "resolution": resolution, "resolution_total": resolution_total}
    return TemplateResponse(request, "demand/dashboard.html", context)


CSV_MEASURES = ("calls", "attendance", "resolution")


@login_required
@view_demand
@require_GET
def performance_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures as CSV: ``measure`` = calls (default), attendance or resolution (101 first contact)."""
    period = request.GET.get("period", "day")
    if period not in selectors.PERIODS:
        period = "day"
    measure = request.GET.get("measure", "calls")
    if measure not in CSV_MEASURES:
        measure = "calls"
    start, end, _ = _window(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = {"calls": "call-performance", "attendance": "attendance", "resolution": "first-contact-resolution"}[measure]
    response["Content-Disposition"] = f'attachment; filename="{name}-by-{period}.csv"'
    writer = csv.writer(response)
    if measure == "attendance":
        writer.writerow(["period_start", "grade", "area", "incidents", "attended", "target_minutes",
                         "share_within_target", "median_minutes", "p90_minutes"])
        for row in selectors.attendance(period=period, start=start, end=end) if start else []:
            writer.writerow([row["period"].isoformat(), row["grade"], row["area"], row["incidents"], row["attended"],
                             row["target_minutes"], _round(row["within_target_share"], 4),
                             _round(row["median_minutes"], 1), _round(row["p90_minutes"], 1)])
        return response
    if measure == "resolution":
        writer.writerow(["period_start", "contacts_101", "resolved_at_first_contact", "share_resolved"])
        for row in selectors.first_contact_resolution(period=period, start=start, end=end) if start else []:
            writer.writerow([row["period"].isoformat(), row["contacts"], row["resolved"], _round(row["share"], 4)])
        return response
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
    params = request.GET
    if params and "target_seconds" not in params:
        # A queue chosen on its own (the links above the form) starts from that queue's stored settings.
        chosen = params.get("queue", "999")
        params = _settings_params(chosen if chosen in QUEUE_LABELS else "999")
    form = StaffingForm(params or None, initial=_settings_params("999"))
    context: dict = {"form": form, "plans": [], "labels": QUEUE_LABELS,
                     "staffing_queues": [(q, QUEUE_LABELS[q]) for q in ("999", "101", "chat")]}
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
            aht = data.get("aht_seconds") or selectors.mean_handling_seconds(queue, DEFAULT_AHT_SECONDS[Queue(queue)])
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


def _settings_params(queue: str) -> dict[str, str]:
    """The staffing form's fields filled from the queue's stored (or default) settings."""
    stored = selectors.queue_settings(queue)
    values = {"queue": queue, "interval": 60, "target_seconds": stored.target_seconds,
              "service_level": stored.service_level, "aht_seconds": stored.aht_seconds,
              "patience_seconds": stored.patience_seconds, "max_occupancy": stored.max_occupancy,
              "shrinkage": stored.shrinkage, "triage_resolved": 0, "chat_share": 0, "aht_change": 0}
    return {k: "" if v is None else str(v) for k, v in values.items()}


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
    return TemplateResponse(request, template, {"queues": selectors.live_queue(), "agents": selectors.agents_now(),
                                                "now": timezone.now()})


@login_required
@view_demand
@require_GET
def queue_settings_list(request: HttpRequest) -> TemplateResponse:
    """Every queue's service-level target and staffing assumptions; editable by those who manage demand."""
    return TemplateResponse(request, "demand/settings.html", {
        "settings": selectors.all_queue_settings(), "labels": QUEUE_LABELS,
        "can_edit": request.user.has_perm("accounts.manage_demand")})


@login_required
@manage_demand
@require_http_methods(["GET", "POST"])
def queue_settings_edit(request: HttpRequest, queue: str) -> TemplateResponse | HttpResponse:
    """Change one queue's stored settings; a bad value is named and everything typed is kept."""
    if queue not in QUEUE_LABELS:
        raise Http404("No such queue")
    current = selectors.queue_settings(queue)
    if request.method == "POST":
        form = QueueSettingsForm(request.POST)
        if form.is_valid():
            services.save_queue_settings(queue=queue, actor=request.user, **form.cleaned_data)
            messages.success(request, f"Settings for the {QUEUE_LABELS[queue]} queue saved.")
            return redirect(reverse("demand:settings"))
    else:
        form = QueueSettingsForm(initial={name: getattr(current, name) for name in services.SETTINGS_FIELDS})
    return TemplateResponse(request, "demand/settings_edit.html",
                            {"form": form, "queue": queue, "label": QUEUE_LABELS[queue]},
                            status=400 if form.is_bound else 200)
