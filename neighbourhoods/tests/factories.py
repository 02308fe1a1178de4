"""Street-level crime for tests: a busy point in Stafford town centre, a quieter one, and scattered events."""

from __future__ import annotations

import h3

from accounts.models import Team
from accounts.tests.factories import TeamFactory
from neighbourhoods.models import StreetCrime
from neighbourhoods.services import compute_team_hotspots, define_team_area

BUSY = (52.8065, -2.1166)  # a snap point near Stafford's market square
QUIET = (52.8200, -2.1300)
LSOA = "E01029600"


def street_crime(point, month: str, crime_type: str = "Shoplifting", n: int = 1, location="On or near Market Square"):
    """Store ``n`` street-level events at ``point`` in ``month``."""
    lat, lon = point
    start = StreetCrime.objects.count()
    StreetCrime.objects.bulk_create(
        StreetCrime(
            row_key=f"test:{start + i}",
            month=month,
            latitude=lat,
            longitude=lon,
            location=location,
            lsoa_code=LSOA,
            lsoa_name="Stafford 010A",
            crime_type=crime_type,
            h3_cell=h3.latlng_to_cell(lat, lon, 9),
        )
        for i in range(n)
    )


def team_with_hotspots(name: str = "Stafford LPT") -> Team:
    """A local policing team whose area holds a busy cell, a quiet cell and a scattering, hotspots computed."""
    team = TeamFactory(name=name, kind=Team.Kind.LOCAL_POLICING)
    define_team_area(team=team, lsoa_codes=[LSOA])
    for month in ("2025-01", "2025-02", "2025-03"):
        street_crime(BUSY, month, n=12)
        street_crime(BUSY, month, "Anti-social behaviour", n=4)
        street_crime(QUIET, month, "Burglary", n=2, location="On or near Quiet Lane")
    for step in range(1, 15):
        street_crime((BUSY[0] + 0.004 * step, BUSY[1] - 0.006 * step), "2025-02", "Vehicle crime", location=f"On or near Road {step}")
    compute_team_hotspots(team=team)
    return team
