"""The hotspot pages: who may see them, the plan, its exports and briefing, and patrol logging."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import h3
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team
from accounts.tests.factories import TeamFactory
from audit.models import AuditEntry
from neighbourhoods.models import PatrolLog
from neighbourhoods.services import compute_team_hotspots

from .factories import BUSY, team_with_hotspots

BUSY_CELL = h3.latlng_to_cell(*BUSY, 9)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def team(db):
    return team_with_hotspots()


@pytest.fixture
def inspector(make_user, team):
    user = make_user("neighbourhood-inspector", username="inspector1")
    user.teams.add(team)
    return user


def test_an_inspector_sees_their_teams_map_table_and_plan(client, inspector, team):
    client.force_login(inspector)
    response = client.get(reverse("neighbourhoods:team", args=[team.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Patrol plan for April 2025" in page
    assert 'id="hotspot-map"' in page and 'id="hotspot-cells"' in page
    plan = response.context["plan"]
    assert plan[0]["cell"] == BUSY_CELL
    assert plan[0]["count"] == 48
    features = response.context["geojson"]["features"]
    assert {f["properties"]["cell"] for f in features} >= {BUSY_CELL}
    assert "Hotspots" in page  # navigation item shown to a role with the permission
    repeats = response.context["repeats"]
    assert (repeats[0]["location"], repeats[0]["count"], repeats[0]["months"]) == ("On or near Market Square", 48, 3)
    assert repeats[0]["crime_types"] == "Shoplifting; Anti-social behaviour"


def test_the_nav_item_and_pages_are_refused_without_the_permission(client, make_user, team):
    handler = make_user("call-handler", username="handler9")
    client.force_login(handler)
    assert client.get(reverse("neighbourhoods:teams")).status_code == 403
    assert client.get(reverse("neighbourhoods:team", args=[team.pk])).status_code == 403
    assert client.get(reverse("neighbourhoods:plan-csv", args=[team.pk])).status_code == 403
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("neighbourhoods:teams") not in home


def test_an_inspector_cannot_see_another_teams_hotspots(client, make_user, team):
    other = TeamFactory(name="Tamworth LPT", kind=Team.Kind.LOCAL_POLICING)
    outsider = make_user("neighbourhood-inspector", username="inspector2")
    outsider.teams.add(other)
    client.force_login(outsider)
    assert client.get(reverse("neighbourhoods:team", args=[team.pk])).status_code == 404
    assert client.get(reverse("neighbourhoods:briefing-pdf", args=[team.pk])).status_code == 404
    listing = client.get(reverse("neighbourhoods:teams"))
    assert [t.name for t, _ in listing.context["teams"]] == ["Tamworth LPT"]


def test_a_force_wide_analyst_sees_every_local_policing_team(client, make_user, team):
    TeamFactory(name="Tamworth LPT", kind=Team.Kind.LOCAL_POLICING)
    client.force_login(make_user("analyst", username="analyst1"))
    listing = client.get(reverse("neighbourhoods:teams"))
    assert sorted(t.name for t, _ in listing.context["teams"]) == ["Stafford LPT", "Tamworth LPT"]


def test_plan_csv_lists_the_top_cells_most_likely_first(client, inspector, team):
    client.force_login(inspector)
    response = client.get(reverse("neighbourhoods:plan-csv", args=[team.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "patrol-plan-stafford-lpt-2025-04.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 10
    assert rows[0]["cell"] == BUSY_CELL
    assert rows[0]["main_types"] == "Shoplifting, Anti-social behaviour"
    assert [int(r["position"]) for r in rows] == list(range(1, 11))


def test_plan_geojson_has_one_closed_hexagon_per_planned_cell(client, inspector, team):
    client.force_login(inspector)
    response = client.get(reverse("neighbourhoods:plan-geojson", args=[team.pk]))
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    first = collection["features"][0]
    ring = first["geometry"]["coordinates"][0]
    assert first["properties"]["cell"] == BUSY_CELL
    assert len(ring) == 7 and ring[0] == ring[-1]
    assert -3 < ring[0][0] < -2 and 52 < ring[0][1] < 53  # longitude first


def test_briefing_is_a_pdf(client, inspector, team):
    client.force_login(inspector)
    response = client.get(reverse("neighbourhoods:briefing-pdf", args=[team.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_peak_day_and_time_come_from_firstcontacts_own_contacts(client, inspector, team):
    from contacts.models import Channel, Contact, IncidentType

    saturday_night = datetime(2025, 3, 1, 22, 30, tzinfo=LONDON)
    for i in range(3):
        Contact.objects.create(
            reference=f"T{i}", channel=Channel.values[0], received_at=saturday_night + timedelta(weeks=i),
            latitude=BUSY[0], longitude=BUSY[1], incident_type=IncidentType.objects.first(),
        )
    client.force_login(inspector)
    plan = client.get(reverse("neighbourhoods:team", args=[team.pk])).context["plan"]
    assert (plan[0]["peak_day"], plan[0]["peak_time"], plan[0]["contacts"]) == ("Saturday", "20:00–00:00", 3)
    assert plan[1]["contacts"] == 0


def patrol_post(cell=BUSY_CELL, minutes="45", when=None):
    when = when or (timezone.now() - timedelta(days=1)).astimezone(LONDON)
    return {
        "cell": cell, "date_day": str(when.day), "date_month": str(when.month), "date_year": str(when.year),
        "start_time": when.strftime("%H:%M"), "minutes": minutes, "note": "High visibility foot patrol",
    }


def test_an_officer_logs_a_patrol_and_sees_the_dosage(client, inspector, team):
    client.force_login(inspector)
    response = client.post(reverse("neighbourhoods:log-patrol", args=[team.pk]), patrol_post())
    assert response.status_code == 302
    patrol = PatrolLog.objects.get()
    assert (patrol.cell, patrol.minutes, patrol.officer) == (BUSY_CELL, 45, inspector)
    assert AuditEntry.objects.filter(subject_type="neighbourhoods.patrollog", subject_id=str(patrol.pk)).exists()
    page = client.get(reverse("neighbourhoods:team", args=[team.pk]))
    assert page.context["plan"][0]["patrol_minutes"] == 45
    assert "1 visit, 45 min" in page.content.decode()


def test_a_bad_patrol_is_refused_naming_the_field_and_keeping_what_was_typed(client, inspector, team):
    client.force_login(inspector)
    response = client.post(reverse("neighbourhoods:log-patrol", args=[team.pk]), patrol_post(minutes="900"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Minutes must be 720 (12 hours) or fewer" in page
    assert "High visibility foot patrol" in page
    tomorrow = (timezone.now() + timedelta(days=2)).astimezone(LONDON)
    response = client.post(reverse("neighbourhoods:log-patrol", args=[team.pk]), patrol_post(when=tomorrow))
    assert "a patrol cannot start in the future" in response.content.decode()
    assert not PatrolLog.objects.exists()


def test_logging_patrols_needs_the_plan_patrols_permission(client, make_user, team):
    client.force_login(make_user("analyst", username="analyst2"))
    assert client.post(reverse("neighbourhoods:log-patrol", args=[team.pk]), patrol_post()).status_code == 403


def test_a_team_without_an_area_gets_a_clear_message(db):
    team = TeamFactory(name="New LPT", kind=Team.Kind.LOCAL_POLICING)
    with pytest.raises(ValueError, match="New LPT has no policing area"):
        compute_team_hotspots(team=team)


def test_a_configured_tile_server_is_passed_to_the_map(client, inspector, team, settings):
    settings.MAP_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    client.force_login(inspector)
    page = client.get(reverse("neighbourhoods:team", args=[team.pk])).content.decode()
    assert "https://tiles.example.test/{z}/{x}/{y}.png" in page
    assert "street map background" in page
