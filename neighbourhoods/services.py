"""Neighbourhood policing actions: import street-level crime, define team areas, compute hotspots, log patrols."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import h3
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from accounts.models import Team
from audit.models import Action
from audit.services import record_entry, subject_of

from . import hotspots
from .models import HotspotCell, HotspotRun, ImportRun, LocalPolicingArea, PatrolLog, StreetCrime
from .selectors import team_events

REQUIRED_COLUMNS = ("Month", "Longitude", "Latitude", "Crime type")
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
LSOA_CODE = re.compile(r"[EW]0\d{7}")
BATCH = 5000
NO_AREA = "{team} has no policing area yet: give it LSOA codes or a polygon first."
NO_EVENTS = "No located street-level crime falls within the area of {team}: import data.police.uk files first."


class StreetFileError(ValueError):
    """A whole file cannot be read as a data.police.uk street file (wrong or missing header)."""


@dataclass(frozen=True)
class _Parsed:
    row: StreetCrime | None
    problem: str = ""


def _text(value: str, limit: int) -> str:
    return value.strip()[:limit]


def _parse_row(values: list[str], columns: dict[str, int], width: int) -> _Parsed:
    if len(values) != width:
        return _Parsed(None, f"has {len(values)} fields, the header has {width}")

    def get(name: str) -> str:
        index = columns.get(name)
        return values[index].strip() if index is not None else ""

    month = get("Month")
    if not MONTH.fullmatch(month):
        return _Parsed(None, f"Month {month!r} is not a month in the form YYYY-MM")
    crime_type = get("Crime type")
    if not crime_type:
        return _Parsed(None, "Crime type is empty")
    crime_id = get("Crime ID")
    if len(crime_id) > 64:
        return _Parsed(None, "Crime ID is longer than 64 characters")
    lon_text, lat_text = get("Longitude"), get("Latitude")
    longitude = latitude = None
    if lon_text or lat_text:
        try:
            longitude, latitude = float(lon_text), float(lat_text)
        except ValueError:
            return _Parsed(None, f"Longitude {lon_text!r} and Latitude {lat_text!r} must both be numbers, or both empty")
        if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
            return _Parsed(None, f"Longitude {lon_text} / Latitude {lat_text} is not a place on Earth")
    lsoa_code = get("LSOA code")
    if lsoa_code and not LSOA_CODE.fullmatch(lsoa_code):
        return _Parsed(None, f"LSOA code {lsoa_code!r} is not an LSOA code such as E01029600")
    row = StreetCrime(
        crime_id=crime_id,
        month=month,
        reported_by=_text(get("Reported by"), 80),
        falls_within=_text(get("Falls within"), 80),
        longitude=longitude,
        latitude=latitude,
        location=_text(get("Location"), 200),
        lsoa_code=lsoa_code,
        lsoa_name=_text(get("LSOA name"), 80),
        crime_type=_text(crime_type, 60),
        last_outcome=_text(get("Last outcome category"), 120),
    )
    return _Parsed(row)


def _content_key(row: StreetCrime) -> str:
    if row.crime_id:
        return "c:" + row.crime_id
    content = "|".join(
        str(v)
        for v in (row.month, row.reported_by, row.longitude, row.latitude, row.location, row.lsoa_code, row.crime_type)
    )
    return "a:" + hashlib.sha256(content.encode()).hexdigest()


def _read_file(path: Path, progress: tqdm) -> Iterable[tuple[int, _Parsed]]:
    with hotspots._open_text(path) as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise StreetFileError(f"{path}: the file is empty; expected a data.police.uk street file header")
        columns = {name.strip(): i for i, name in enumerate(header)}
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            raise StreetFileError(f"{path}: missing column(s) {', '.join(missing)}; is this a data.police.uk street file?")
        for values in reader:
            progress.update(1)
            if not any(v.strip() for v in values):
                continue
            yield reader.line_num, _parse_row(values, columns, len(header))


def import_street_crime(
    *, paths: Sequence[str | Path], actor=None, progress: bool = False
) -> ImportRun:
    """Import data.police.uk street-level files (crimes and ASB); re-importing a month adds nothing twice.

    Each row is keyed (see ``StreetCrime.row_key``) and inserted in bulk, skipping keys already
    stored. A row that cannot be read (wrong number of fields, a month not in YYYY-MM form, a
    coordinate that is not a number) is kept out and reported with its file and line number; rows
    with no coordinates are kept, as data.police.uk publishes them, and left off the maps.
    """
    files = hotspots.street_files(paths)
    with transaction.atomic():
        # One transaction: a failed file leaves nothing half-imported, and one commit is much
        # faster than one per batch.
        return _import_files(files, actor=actor, progress=progress)


COPY_FIELDS = (
    "row_key", "crime_id", "month", "reported_by", "falls_within", "longitude", "latitude", "location",
    "lsoa_code", "lsoa_name", "crime_type", "last_outcome", "h3_cell",
)


def _insert(rows: list[StreetCrime]) -> None:
    """Insert rows, skipping keys already stored (a second copy of the same month in one import)."""
    if not rows:
        return
    table = StreetCrime._meta.db_table
    columns = ", ".join(COPY_FIELDS)
    values = [[getattr(row, name) for name in COPY_FIELDS] for row in rows]
    if connection.vendor != "postgresql":
        # One prepared statement run for every row: about twice as fast as bulk_create on SQLite.
        placeholders = ", ".join(["%s"] * len(COPY_FIELDS))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT (row_key) DO NOTHING", values
            )
        return
    # On PostgreSQL, COPY into a temporary table and one INSERT … ON CONFLICT is several times
    # faster than multi-row INSERTs: it is what keeps a year of a force's data under 20 seconds.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS street_import ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute("TRUNCATE street_import")
        with cursor.copy(f"COPY street_import ({columns}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM street_import ON CONFLICT (row_key) DO NOTHING"
        )


def _import_files(files: list[Path], *, actor, progress: bool) -> ImportRun:
    run = ImportRun.objects.create(
        started_at=timezone.now(), started_by=actor, files=[str(f) for f in files]
    )
    cells: dict[tuple[float, float], str] = {}
    # Keys already stored, fetched once per month met: re-importing a month then costs one read
    # instead of a refused insert per row.
    known: dict[str, set[str]] = {}
    bad: list[dict] = []
    read = 0
    before = StreetCrime.objects.count()
    with tqdm(desc="rows", unit=" rows", disable=not progress, mininterval=0.5) as bar:
        for path in files:
            seen: Counter[str] = Counter()
            batch: list[StreetCrime] = []
            for line, parsed in _read_file(path, bar):
                read += 1
                if parsed.row is None:
                    bad.append({"file": path.name, "line": line, "problem": parsed.problem})
                    continue
                row = parsed.row
                key = _content_key(row)
                seen[key] += 1
                row.row_key = f"{key}:{seen[key]}"
                if row.month not in known:
                    known[row.month] = set(
                        StreetCrime.objects.filter(month=row.month).values_list("row_key", flat=True)
                    )
                if row.row_key in known[row.month]:
                    continue
                if row.latitude is not None:
                    point = (row.latitude, row.longitude)
                    if point not in cells:
                        cells[point] = h3.latlng_to_cell(row.latitude, row.longitude, hotspots.DEFAULT_RESOLUTION)
                    row.h3_cell = cells[point]
                batch.append(row)
                if len(batch) >= BATCH:
                    _insert(batch)
                    batch = []
            _insert(batch)
    created = StreetCrime.objects.count() - before
    run.rows_read = read
    run.created = created
    run.duplicates = read - len(bad) - created
    run.bad_rows = bad
    run.finished_at = timezone.now()
    run.save()
    return run


@transaction.atomic
def define_team_area(
    *, team: Team, lsoa_codes: Sequence[str] = (), polygon: dict | None = None, resolution: int = 9, actor=None
) -> LocalPolicingArea:
    """Set the ground a local policing team covers, by LSOA codes or by a GeoJSON polygon.

    Exactly one of the two must be given; codes must look like 2021 LSOA codes and the polygon must
    be a GeoJSON Polygon or MultiPolygon.
    """
    codes = sorted({c.strip() for c in lsoa_codes if c.strip()})
    if bool(codes) == bool(polygon):
        raise ValueError("Area: give either LSOA codes or a polygon, not both and not neither.")
    wrong = [c for c in codes if not LSOA_CODE.fullmatch(c)]
    if wrong:
        raise ValueError(f"LSOA codes: {', '.join(wrong[:5])} are not LSOA codes such as E01029600.")
    if polygon is not None and polygon.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError("Polygon: expected a GeoJSON object of type Polygon or MultiPolygon.")
    if not 5 <= resolution <= 11:
        raise ValueError("Resolution: choose an H3 resolution from 5 (large cells) to 11 (small cells).")
    area, _ = LocalPolicingArea.objects.update_or_create(
        team=team, defaults={"lsoa_codes": codes, "polygon": polygon, "resolution": resolution}
    )
    return area


@transaction.atomic
def compute_team_hotspots(*, team: Team, months: int = 12, actor=None) -> HotspotRun:
    """Compute and store a team's hotspots: counts, Gi* (FDR-corrected) and next month's ranking.

    Uses the latest ``months`` months of street-level data inside the team's area. Every cell with
    an event, and the quiet cells around them, enter Gi*; cells with events or significant are kept.
    """
    area = LocalPolicingArea.objects.filter(team=team).first()
    if area is None:
        raise ValueError(NO_AREA.format(team=team))
    events = team_events(area)
    if events.empty:
        raise ValueError(NO_EVENTS.format(team=team))
    last = max(hotspots.month_index(m) for m in events["month"].unique())
    earliest = min(hotspots.month_index(m) for m in events["month"].unique())
    first = max(last - months + 1, earliest)
    events = events[events["month"].map(hotspots.month_index) >= first]
    if area.resolution != hotspots.DEFAULT_RESOLUTION:
        events = events.assign(cell=hotspots.assign_cells(events, area.resolution))
    counts = events.groupby("cell").size()
    study = hotspots.with_neighbours(counts.index, rings=1)
    counts = counts.reindex(study, fill_value=0)
    gi = hotspots.gi_star(counts)
    next_month = hotspots.month_label(last + 1)
    score = hotspots.score_prospective(events, study, next_month)
    classes = gi.classification()
    types = events.groupby(["cell", "crime_type"]).size()
    places = events.groupby(["cell", "location"]).size().sort_values(ascending=False)
    top_place = places.reset_index().drop_duplicates("cell").set_index("cell")["location"]
    run = HotspotRun.objects.create(
        team=team,
        computed_at=timezone.now(),
        first_month=hotspots.month_label(first),
        last_month=hotspots.month_label(last),
        predicted_month=next_month,
        resolution=area.resolution,
        events=len(events),
        fdr_threshold=gi.fdr_threshold,
    )
    ranked = hotspots.rank_cells(study, score)
    rank_of = {cell: i + 1 for i, cell in enumerate(ranked)}
    rows = []
    for i, cell in enumerate(study):
        if counts.iloc[i] == 0 and classes[i] == "none":
            continue
        per_type = types.loc[cell].to_dict() if cell in types.index.get_level_values(0) else {}
        rows.append(
            HotspotCell(
                run=run,
                cell=cell,
                count=int(counts.iloc[i]),
                crime_types={k: int(v) for k, v in sorted(per_type.items(), key=lambda kv: (-kv[1], kv[0]))},
                z_score=float(gi.z[i]),
                p_value=float(gi.p[i]),
                significance=classes[i],
                predicted_score=float(score[i]),
                rank=rank_of[cell],
                top_location=str(top_place.get(cell, ""))[:200],
            )
        )
    HotspotCell.objects.bulk_create(rows, batch_size=2000)
    return run


PATROL_TOO_LONG = "Minutes: a single patrol is logged in minutes from 1 to 720 (12 hours)."
PATROL_IN_FUTURE = "Start: a patrol cannot start in the future."


@transaction.atomic
def log_patrol(
    *, team: Team, cell: str, officer, started_at: datetime, minutes: int, note: str = ""
) -> PatrolLog:
    """Record a patrol in a hotspot cell; the log of who patrolled where is itself audited.

    A patrol lasts 1–720 minutes and cannot start in the future; the cell must be a valid H3 cell.
    """
    if not h3.is_valid_cell(cell):
        raise ValueError("Cell: choose one of the plan's hotspot cells.")
    if not 1 <= minutes <= 720:
        raise ValueError(PATROL_TOO_LONG)
    if timezone.is_naive(started_at):
        raise ValueError("Start: a time zone is needed.")
    if started_at > timezone.now():
        raise ValueError(PATROL_IN_FUTURE)
    patrol = PatrolLog.objects.create(
        team=team, cell=cell, officer=officer, started_at=started_at, minutes=minutes, note=note.strip()[:500],
        recorded_at=timezone.now(),
    )
    subject_type, subject_id = subject_of(patrol)
    record_entry(
        actor=officer, action=Action.COLLECTION, subject_type=subject_type, subject_id=subject_id,
        detail={"team": team.pk, "cell": cell, "minutes": minutes},
    )
    return patrol
