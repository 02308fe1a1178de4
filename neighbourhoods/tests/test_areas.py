"""Team areas: the demo's ten teams from LSOA names, and polygon-defined areas."""

from __future__ import annotations

import pytest

from accounts.models import Team
from accounts.tests.factories import TeamFactory
from neighbourhoods.demo import demo_areas
from neighbourhoods.selectors import team_events
from neighbourhoods.services import define_team_area

from .factories import BUSY, QUIET, street_crime


def test_demo_areas_follow_the_local_authority_in_the_lsoa_name():
    lsoas = {
        "E01014001": "Stoke-on-Trent 001A",
        "E01014002": "Stoke-on-Trent 002A",
        "E01014030": "Stoke-on-Trent 030B",
        "E01029600": "Stafford 010A",
        "E01029900": "Staffordshire Moorlands 004C",
        "E01009245": "Birmingham 016C",  # recorded by the force but outside its districts
    }
    areas = demo_areas(lsoas)
    assert len(areas) == 10
    assert areas["Stoke-on-Trent North LPT"] == ["E01014001", "E01014002"]
    assert areas["Stoke-on-Trent South LPT"] == ["E01014030"]
    assert areas["Stafford LPT"] == ["E01029600"]
    assert areas["Staffordshire Moorlands LPT"] == ["E01029900"]
    assert "E01009245" not in sum(areas.values(), [])


@pytest.mark.django_db
def test_a_polygon_area_holds_only_the_events_inside_it():
    team = TeamFactory(name="Beat 1 LPT", kind=Team.Kind.LOCAL_POLICING)
    lat, lon = BUSY
    box = [[lon - 0.005, lat - 0.005], [lon + 0.005, lat - 0.005], [lon + 0.005, lat + 0.005], [lon - 0.005, lat + 0.005]]
    area = define_team_area(team=team, polygon={"type": "Polygon", "coordinates": [[*box, box[0]]]})
    street_crime(BUSY, "2025-01", n=3)
    street_crime(QUIET, "2025-01", n=2)
    events = team_events(area)
    assert len(events) == 3


@pytest.mark.django_db
def test_an_area_needs_codes_or_a_polygon_and_names_bad_codes():
    team = TeamFactory(name="Beat 2 LPT", kind=Team.Kind.LOCAL_POLICING)
    with pytest.raises(ValueError, match="either LSOA codes or a polygon"):
        define_team_area(team=team)
    with pytest.raises(ValueError, match="LSOA codes: Stafford are not LSOA codes"):
        define_team_area(team=team, lsoa_codes=["Stafford"])
