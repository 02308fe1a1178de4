"""Reads for neighbourhood policing: a team's events, its latest hotspots, plan, profile and dosage."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from zoneinfo import ZoneInfo

import h3
import numpy as np
import pandas as pd
from django.apps import apps
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import Team

from . import hotspots
from .models import HotspotCell, HotspotRun, LocalPolicingArea, PatrolLog, StreetCrime

LONDON = ZoneInfo("Europe/London")
EVENT_FIELDS = ("month", "latitude", "longitude", "location", "crime_type", "h3_cell", "lsoa_name")


def events_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Street-crime rows (``values()`` dicts) as the frame the pure hotspot module reads."""
    frame = pd.DataFrame.from_records(list(rows), columns=list(EVENT_FIELDS))
    return frame.rename(columns={"latitude": "lat", "longitude": "lon", "h3_cell": "cell"})


def team_events(area: LocalPolicingArea) -> pd.DataFrame:
    """Located street-level events inside a team's area, by LSOA list or polygon."""
    located = StreetCrime.objects.exclude(latitude=None)
    if area.lsoa_codes:
        return events_frame(located.filter(lsoa_code__in=area.lsoa_codes).values(*EVENT_FIELDS))
    if not area.polygon:
        return events_frame([])
    coords = area.polygon["coordinates"]
    rings = coords if area.polygon["type"] == "Polygon" else [ring for poly in coords for ring in poly]
    lons = [p[0] for ring in rings for p in ring]
    lats = [p[1] for ring in rings for p in ring]
    frame = events_frame(
        located.filter(
            longitude__gte=min(lons), longitude__lte=max(lons), latitude__gte=min(lats), latitude__lte=max(lats)
        ).values(*EVENT_FIELDS)
    )
    if frame.empty:
        return frame
    inside = hotspots.points_in_polygon(frame["lat"].to_numpy(), frame["lon"].to_numpy(), area.polygon)
    return frame[inside].reset_index(drop=True)


def visible_teams(user) -> list[Team]:
    """Local policing teams whose hotspots ``user`` may see.

    Members of a local policing team see their own teams only; force-wide staff with the
    permission (analysts, headquarters) see every local policing team.
    """
    if not user.has_perm("accounts.view_hotspots"):
        return []
    teams = Team.objects.filter(kind=Team.Kind.LOCAL_POLICING, active=True)
    own = teams.filter(members=user)
    return list(own if own.exists() else teams)


def team_for(user, team_id: int) -> Team | None:
    """The team if ``user`` may see its hotspots, else ``None`` (the caller answers 404 either way)."""
    for team in visible_teams(user):
        if team.pk == team_id:
            return team
    return None


def latest_run(team: Team) -> HotspotRun | None:
    return HotspotRun.objects.filter(team=team).first()


def hotspot_cells(run: HotspotRun) -> list[HotspotCell]:
    """Every stored cell of a run, most likely next-month hotspot first."""
    return list(run.cells.order_by("rank"))


def contact_times_by_cell(cells: list[str], resolution: int) -> dict[str, list]:
    """Times (Europe/London) of FirstContact's own contacts located in each of ``cells``.

    Reads only time and position, never who called: no personal record is consulted.
    """
    out: dict[str, list] = {cell: [] for cell in cells}
    if not cells or not apps.is_installed("contacts"):
        return out
    contact_model = apps.get_model("contacts", "Contact")
    boundaries = np.array([pt for cell in cells for pt in h3.cell_to_boundary(cell)])
    rows = contact_model.objects.filter(
        latitude__gte=boundaries[:, 0].min(), latitude__lte=boundaries[:, 0].max(),
        longitude__gte=boundaries[:, 1].min(), longitude__lte=boundaries[:, 1].max(),
    ).values_list("latitude", "longitude", "received_at")
    wanted = set(cells)
    for lat, lon, received_at in rows.iterator():
        cell = h3.latlng_to_cell(lat, lon, resolution)
        if cell in wanted:
            out[cell].append(received_at.astimezone(LONDON))
    return out


def dosage(team: Team, *, since) -> dict[str, dict]:
    """Patrols per cell since a moment: number of visits and total minutes (the patrol dosage)."""
    rows = (
        PatrolLog.objects.filter(team=team, started_at__gte=since)
        .values("cell")
        .annotate(visits=Count("id"), minutes=Sum("minutes"))
    )
    return {row["cell"]: {"visits": row["visits"], "minutes": row["minutes"]} for row in rows}


def patrol_plan(team: Team, run: HotspotRun, *, size: int = 10, dosage_days: int = 28) -> list[dict]:
    """The top ``size`` cells for next month, with Gi*, counts, peak day/time and the dosage so far."""
    top = list(run.cells.order_by("rank")[:size])
    times = contact_times_by_cell([c.cell for c in top], run.resolution)
    doses = dosage(team, since=timezone.now() - timedelta(days=dosage_days))
    plan = []
    for position, cell in enumerate(top, start=1):
        lat, lon = hotspots.cell_centre(cell.cell)
        profile = hotspots.peak_profile(times.get(cell.cell, []))
        dose = doses.get(cell.cell, {"visits": 0, "minutes": 0})
        plan.append(
            {
                "position": position,
                "cell": cell.cell,
                "latitude": round(lat, 6),
                "longitude": round(lon, 6),
                "location": cell.top_location,
                "count": cell.count,
                "main_types": ", ".join(list(cell.crime_types)[:3]),
                "significance": cell.get_significance_display(),
                "z_score": round(cell.z_score, 2),
                "peak_day": profile["peak_day"],
                "peak_time": profile["peak_time"],
                "contacts": profile["contacts"],
                "patrol_visits": dose["visits"],
                "patrol_minutes": dose["minutes"],
            }
        )
    return plan


def hotspot_geojson(run: HotspotRun, *, plan: list[dict] | None = None) -> dict:
    """The run's cells as a GeoJSON FeatureCollection for the map (one hexagon polygon per cell)."""
    planned = {row["cell"]: row["position"] for row in plan or []}
    features = []
    for cell in run.cells.order_by("rank"):
        features.append(
            {
                "type": "Feature",
                "geometry": hotspots.cell_boundary_geojson(cell.cell),
                "properties": {
                    "cell": cell.cell,
                    "count": cell.count,
                    "z": round(cell.z_score, 2),
                    "significance": cell.significance,
                    "rank": cell.rank,
                    "plan": planned.get(cell.cell),
                    "location": cell.top_location,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def repeat_locations(team: Team, run: HotspotRun, *, limit: int = 10) -> list[dict]:
    """The team's busiest snap points over the run's months (two or more events: a repeat location)."""
    area = LocalPolicingArea.objects.filter(team=team).first()
    if area is None:
        return []
    events = team_events(area)
    events = events[(events["month"] >= run.first_month) & (events["month"] <= run.last_month)]
    return hotspots.repeat_locations(events).head(limit).to_dict("records")
