"""Neighbourhood policing pages: team hotspots map and table, patrol plan, exports, briefing, patrol log."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from firstcontact.lazy import lazy_module

from .forms import PatrolForm

# pandas and numpy come with these: imported when a hotspot page is first served (firstcontact/lazy.py).
selectors = lazy_module("neighbourhoods.selectors")
services = lazy_module("neighbourhoods.services")

PLAN_COLUMNS = (
    "position", "cell", "latitude", "longitude", "location", "count", "main_types", "significance", "z_score",
    "peak_day", "peak_time", "contacts", "patrol_visits", "patrol_minutes",
)


def _team_or_404(request: HttpRequest, team_id: int):
    # A team the user may not see answers exactly like a team that does not exist.
    team = selectors.team_for(request.user, team_id)
    if team is None:
        raise Http404("No such team")
    return team


def _run_or_404(team):
    run = selectors.latest_run(team)
    if run is None:
        raise Http404("No hotspots have been computed for this team yet")
    return run


@login_required
@permission_required("accounts.view_hotspots", raise_exception=True)
@require_GET
def team_list(request: HttpRequest) -> TemplateResponse:
    teams = [(team, selectors.latest_run(team)) for team in selectors.visible_teams(request.user)]
    return TemplateResponse(request, "neighbourhoods/team_list.html", {"teams": teams})


def _team_page(request: HttpRequest, team, form: PatrolForm | None = None, status: int = 200) -> TemplateResponse:
    run = selectors.latest_run(team)
    context: dict = {"team": team, "run": run, "tile_url": settings.MAP_TILE_URL}
    if run is not None:
        plan = selectors.patrol_plan(team, run)
        cells = selectors.hotspot_cells(run)
        context.update(
            plan=plan,
            table_cells=cells[:50],
            hot_count=sum(1 for c in cells if c.significance == "hot"),
            geojson=selectors.hotspot_geojson(run, plan=plan),
            map_config={"tileUrl": settings.MAP_TILE_URL, "tileAttribution": settings.MAP_TILE_ATTRIBUTION},
            patrols=team.patrols.select_related("officer")[:20],
            repeats=selectors.repeat_locations(team, run),
            form=form or PatrolForm(plan=plan),
            has_errors=bool(form and form.errors),
        )
    return TemplateResponse(request, "neighbourhoods/team_hotspots.html", context, status=status)


@login_required
@permission_required("accounts.view_hotspots", raise_exception=True)
@require_GET
def team_hotspots(request: HttpRequest, team_id: int) -> TemplateResponse:
    return _team_page(request, _team_or_404(request, team_id))


@login_required
@permission_required("accounts.plan_patrols", raise_exception=True)
@require_POST
def log_patrol(request: HttpRequest, team_id: int):
    team = _team_or_404(request, team_id)
    run = _run_or_404(team)
    plan = selectors.patrol_plan(team, run)
    form = PatrolForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.log_patrol(
                team=team,
                cell=form.cleaned_data["cell"],
                officer=request.user,
                started_at=form.started_at(),
                minutes=form.cleaned_data["minutes"],
                note=form.cleaned_data["note"],
            )
        except ValueError as error:
            field = "date" if "future" in str(error) else None
            form.add_error(field, str(error))
        else:
            messages.success(request, "Patrol logged")
            return HttpResponseRedirect(reverse("neighbourhoods:team", args=[team.pk]) + "#dosage")
    return _team_page(request, team, form=form, status=400)


def _filename(team, run, suffix: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in team.name.lower()).strip("-")
    return f"patrol-plan-{slug}-{run.predicted_month}.{suffix}"


@login_required
@permission_required("accounts.view_hotspots", raise_exception=True)
@require_GET
def plan_csv(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    run = _run_or_404(team)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PLAN_COLUMNS)
    writer.writeheader()
    writer.writerows(selectors.patrol_plan(team, run))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(team, run, "csv")}"'
    return response


@login_required
@permission_required("accounts.view_hotspots", raise_exception=True)
@require_GET
def plan_geojson(request: HttpRequest, team_id: int) -> JsonResponse:
    team = _team_or_404(request, team_id)
    run = _run_or_404(team)
    plan = selectors.patrol_plan(team, run)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": services.hotspots.cell_boundary_geojson(row["cell"]), "properties": row}
            for row in plan
        ],
    }
    response = JsonResponse(collection, content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="{_filename(team, run, "geojson")}"'
    return response


@login_required
@permission_required("accounts.view_hotspots", raise_exception=True)
@require_GET
def briefing_pdf(request: HttpRequest, team_id: int) -> HttpResponse:
    from weasyprint import HTML

    team = _team_or_404(request, team_id)
    run = _run_or_404(team)
    html = render_to_string(
        "neighbourhoods/briefing.html",
        {"team": team, "run": run, "plan": selectors.patrol_plan(team, run), "force_name": settings.FORCE_NAME},
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(team, run, "pdf")}"'
    return response



