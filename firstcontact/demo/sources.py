"""Read the real public data that shapes the demo force: its streets, its places, its crime mix, its call profile.

No Django: give it the data directory, get back plain arrays. Nothing here is copied
into the repository; the files are read where they lie (``FIRSTCONTACT_DATA_DIR``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

CRIME_FILE = "crime/staffordshire_street_2025-01_to_2025-09.csv.gz"
PHONE_HOURLY_FILE = "calls/decc_phone_hourly_2025-10-26_to_2025-12-13.csv.gz"

HOURS_IN_WEEK = 168


class DemoDataMissing(Exception):
    """The real data the demo force is built from is not where the settings say."""


@dataclass(frozen=True)
class District:
    """A local authority district of the force area and the postcode districts (outcodes) that cover it.

    Outcodes are real for the area; the sector and unit parts the generator adds are made up.
    """

    name: str
    outcodes: tuple[tuple[str, str], ...]  # (outcode, post town)


# The nine districts (and Stoke-on-Trent unitary) of the Staffordshire force area, keyed by the
# name that starts their LSOA names in the data.police.uk file.
DISTRICTS: dict[str, District] = {
    d.name: d
    for d in (
        District("Stoke-on-Trent", (("ST1", "Stoke-on-Trent"), ("ST2", "Stoke-on-Trent"), ("ST3", "Stoke-on-Trent"),
                                    ("ST4", "Stoke-on-Trent"), ("ST6", "Stoke-on-Trent"))),
        District("Newcastle-under-Lyme", (("ST5", "Newcastle"), ("ST7", "Stoke-on-Trent"))),
        District("Stafford", (("ST15", "Stone"), ("ST16", "Stafford"), ("ST17", "Stafford"), ("ST18", "Stafford"))),
        District("East Staffordshire", (("DE13", "Burton-on-Trent"), ("DE14", "Burton-on-Trent"),
                                        ("DE15", "Burton-on-Trent"), ("ST14", "Uttoxeter"))),
        District("Cannock Chase", (("WS11", "Cannock"), ("WS12", "Hednesford"), ("WS15", "Rugeley"))),
        District("Lichfield", (("WS13", "Lichfield"), ("WS14", "Lichfield"), ("WS7", "Burntwood"))),
        District("Tamworth", (("B77", "Tamworth"), ("B78", "Tamworth"), ("B79", "Tamworth"))),
        District("South Staffordshire", (("WV5", "Wolverhampton"), ("WV8", "Wolverhampton"),
                                         ("WV9", "Wolverhampton"), ("ST19", "Stafford"))),
        District("Staffordshire Moorlands", (("ST8", "Stoke-on-Trent"), ("ST10", "Stoke-on-Trent"),
                                             ("ST13", "Leek"))),
    )
}

# data.police.uk replaces the street with one of these when the snap point is a kind of place.
# Incidents happen there, but nobody lives at "Supermarket".
PLACE_NAMES = frozenset({
    "Airport/Airfield", "Bus/Coach Station", "Conference/Exhibition Centre", "Further/Higher Educational Building",
    "Hospital", "Nightclub", "Park/Open Space", "Parking Area", "Petrol Station", "Police Station", "Prison",
    "Shopping Area", "Sports/Recreation Area", "Supermarket", "Theatre/Concert Hall", "Pedestrian Subway",
})
NO_LOCATION = "No Location"
# Road numbers (A34, M6, B5416) are where collisions happen, not where people live.
ROAD_NUMBER = re.compile(r"^[ABM]\d+(\([M]\))?$")


@dataclass(frozen=True)
class Gazetteer:
    """The force area's streets and places, each a snap point with its LSOA and district.

    ``crimes`` counts the recorded crimes and ASB at each point in the source file:
    the generator uses it to put incidents where they really cluster.
    """

    street_name: np.ndarray
    street_district: np.ndarray
    street_lsoa: np.ndarray
    street_lon: np.ndarray
    street_lat: np.ndarray
    street_crimes: np.ndarray
    place_name: np.ndarray
    place_district: np.ndarray
    place_lsoa: np.ndarray
    place_lon: np.ndarray
    place_lat: np.ndarray
    place_crimes: np.ndarray
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

    @property
    def street_count(self) -> int:
        return len(self.street_name)


@dataclass(frozen=True)
class DemoSources:
    """Everything the generator needs from the real data."""

    gazetteer: Gazetteer
    crime_type_counts: dict[str, int]  # data.police.uk category -> recorded crimes and ASB in the force area
    profile_999: np.ndarray  # calls per hour of week on the emergency lines, Monday 00:00 first
    profile_101: np.ndarray  # the same on the non-emergency lines


def _require(path: Path, setting: str) -> Path:
    if not path.exists():
        raise DemoDataMissing(
            f"The demo force is built from real public data, and {path} is missing. "
            f"Set {setting} to the folder holding crime/ and calls/ (see docs/demo-force.md)."
        )
    return path


def read_crime_file(data_dir: Path) -> pd.DataFrame:
    """The force's street-level crime rows inside its own districts (neighbouring forces' LSOAs dropped)."""
    path = _require(Path(data_dir) / CRIME_FILE, "FIRSTCONTACT_DATA_DIR")
    frame = pd.read_csv(
        path, usecols=["Longitude", "Latitude", "Location", "LSOA code", "LSOA name", "Crime type"], dtype=str
    )
    frame = frame.dropna(subset=["Longitude", "Latitude", "LSOA name"])
    frame["district"] = frame["LSOA name"].str.rsplit(" ", n=1).str[0]
    frame = frame[frame["district"].isin(DISTRICTS)].copy()
    frame["name"] = frame["Location"].str.removeprefix("On or near ").str.strip()
    frame["lon"] = frame["Longitude"].astype(float)
    frame["lat"] = frame["Latitude"].astype(float)
    return frame


def build_gazetteer(crimes: pd.DataFrame) -> Gazetteer:
    """Group crime rows into distinct snap points and split them into streets and places."""
    crimes = crimes[crimes["name"] != NO_LOCATION]
    points = (
        crimes.groupby(["name", "district", "LSOA code", "lon", "lat"], sort=True)
        .size()
        .rename("crimes")
        .reset_index()
    )
    is_place = points["name"].isin(PLACE_NAMES)
    is_road = points["name"].str.match(ROAD_NUMBER)
    streets = points[~is_place & ~is_road]
    places = points[is_place]
    bbox = (float(crimes["lon"].min()), float(crimes["lat"].min()), float(crimes["lon"].max()),
            float(crimes["lat"].max()))
    return Gazetteer(
        street_name=streets["name"].to_numpy(dtype=object),
        street_district=streets["district"].to_numpy(dtype=object),
        street_lsoa=streets["LSOA code"].to_numpy(dtype=object),
        street_lon=streets["lon"].to_numpy(dtype=float),
        street_lat=streets["lat"].to_numpy(dtype=float),
        street_crimes=streets["crimes"].to_numpy(dtype=np.int64),
        place_name=places["name"].to_numpy(dtype=object),
        place_district=places["district"].to_numpy(dtype=object),
        place_lsoa=places["LSOA code"].to_numpy(dtype=object),
        place_lon=places["lon"].to_numpy(dtype=float),
        place_lat=places["lat"].to_numpy(dtype=float),
        place_crimes=places["crimes"].to_numpy(dtype=np.int64),
        bbox=bbox,
    )


def read_hour_of_week_profiles(data_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """Calls per hour of week (168 values, Monday 00:00 first) on the emergency and non-emergency lines.

    Seven whole weeks of a real emergency communications centre's hourly phone counts:
    each hour of the week is the total over those seven weeks.
    """
    path = _require(Path(data_dir) / PHONE_HOURLY_FILE, "FIRSTCONTACT_DATA_DIR")
    frame = pd.read_csv(path, usecols=["DateTime", "911_T", "ADM_T"], dtype=str)
    stamps = pd.to_datetime(frame["DateTime"], format="%m/%d/%Y %H:%M")
    how = (stamps.dt.day_of_week * 24 + stamps.dt.hour).to_numpy()
    emergency = np.bincount(how, weights=frame["911_T"].astype(float).to_numpy(), minlength=HOURS_IN_WEEK)
    admin = np.bincount(how, weights=frame["ADM_T"].astype(float).to_numpy(), minlength=HOURS_IN_WEEK)
    return emergency, admin


def load_sources(data_dir: Path) -> DemoSources:
    """Read and shape every real input of the demo force; raises DemoDataMissing naming the setting."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DemoDataMissing(
            f"FIRSTCONTACT_DATA_DIR is {data_dir}, which is not a folder. The demo force is built from the "
            "real public data in it (crime/ and calls/); set FIRSTCONTACT_DATA_DIR to where it lies."
        )
    crimes = read_crime_file(data_dir)
    emergency, admin = read_hour_of_week_profiles(data_dir)
    counts = crimes["Crime type"].value_counts().sort_index()
    return DemoSources(
        gazetteer=build_gazetteer(crimes),
        crime_type_counts={str(k): int(v) for k, v in counts.items()},
        profile_999=emergency,
        profile_101=admin,
    )
