"""The demo force's local policing areas, drawn from the LSOA names in its street-level data."""

from __future__ import annotations

import re

from accounts.models import Team
from accounts.services import ensure_demo_teams

from .models import StreetCrime
from .services import define_team_area

# Team -> the local authority whose LSOAs it covers (an LSOA name is "<authority> <MSOA no.><letter>").
AUTHORITY_OF_TEAM = {
    "Newcastle-under-Lyme LPT": "Newcastle-under-Lyme",
    "Stafford LPT": "Stafford",
    "Cannock Chase LPT": "Cannock Chase",
    "East Staffordshire LPT": "East Staffordshire",
    "Lichfield LPT": "Lichfield",
    "Tamworth LPT": "Tamworth",
    "South Staffordshire LPT": "South Staffordshire",
    "Staffordshire Moorlands LPT": "Staffordshire Moorlands",
}
STOKE = "Stoke-on-Trent"
LSOA_NAME = re.compile(r"(?P<authority>.+) (?P<msoa>\d{3})[A-Z]")


def demo_areas(lsoas: dict[str, str]) -> dict[str, list[str]]:
    """Group LSOA codes (code -> name) into the ten demo teams' areas.

    Stoke-on-Trent is split in two at its middle MSOA number: MSOAs are numbered roughly north to
    south, so the lower half is the North team's and the upper half the South team's.
    """
    areas: dict[str, list[str]] = {team: [] for team in [f"{STOKE} North LPT", f"{STOKE} South LPT", *AUTHORITY_OF_TEAM]}
    team_of_authority = {authority: team for team, authority in AUTHORITY_OF_TEAM.items()}
    stoke: list[tuple[int, str]] = []
    for code, name in lsoas.items():
        match = LSOA_NAME.fullmatch(name.strip())
        if not match:
            continue
        authority = match["authority"]
        if authority == STOKE:
            stoke.append((int(match["msoa"]), code))
        elif authority in team_of_authority:
            areas[team_of_authority[authority]].append(code)
    numbers = sorted({n for n, _ in stoke})
    if numbers:
        middle = numbers[(len(numbers) - 1) // 2]
        for number, code in stoke:
            areas[f"{STOKE} North LPT" if number <= middle else f"{STOKE} South LPT"].append(code)
    return {team: sorted(codes) for team, codes in areas.items()}


def assign_demo_areas() -> dict[str, list[str]]:
    """Give the demo's ten local policing teams their areas from the imported data's LSOAs."""
    ensure_demo_teams()
    lsoas = dict(StreetCrime.objects.exclude(lsoa_code="").values_list("lsoa_code", "lsoa_name").distinct())
    areas = demo_areas(lsoas)
    for team_name, codes in areas.items():
        if codes:
            define_team_area(team=Team.objects.get(name=team_name), lsoa_codes=codes)
    return {team: codes for team, codes in areas.items() if codes}
