"""Hotspot statistics on an H3 hexagon grid: counts, Getis-Ord Gi*, repeat locations, next month's hotspots.

Pure module: imports no Django. It takes data.police.uk street-level rows (or a data frame shaped
like them) and returns data frames and dataclasses. Services load the database rows, call these
functions and store what they return; the benchmark in ``bench/hotspots.py`` calls them directly.
"""

from __future__ import annotations

import gzip
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import h3
import numpy as np
import pandas as pd

#: Columns of a data.police.uk street file that the analysis reads.
STREET_COLUMNS = ("Crime ID", "Month", "Longitude", "Latitude", "Location", "LSOA code", "LSOA name", "Crime type")
ASB = "Anti-social behaviour"
DEFAULT_RESOLUTION = 9


# --------------------------------------------------------------------------------------------------
# Reading data.police.uk street files
# --------------------------------------------------------------------------------------------------


def street_files(paths: Iterable[str | Path]) -> list[Path]:
    """List the street CSV files (``.csv`` or ``.csv.gz``) named by ``paths``, searching folders recursively.

    data.police.uk archives nest one folder per month (``2025-01/2025-01-force-street.csv``); a folder
    is searched for files whose name contains ``street`` first, and for any CSV if it holds none.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            csvs = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith((".csv", ".csv.gz")))
            street = [p for p in csvs if "street" in p.name]
            found.extend(street or csvs)
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"No such file or folder: {path}")
    return found


def _open_text(path: Path):
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 -- returned to the caller's with-block


def read_street_files(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Read data.police.uk street files into one frame of located events with their H3-ready columns.

    Rows without coordinates (data.police.uk publishes some crimes with no location) or with an
    unreadable month are dropped: they cannot be placed on the grid. Columns: ``crime_id``,
    ``month`` (``YYYY-MM``), ``lon``, ``lat``, ``location``, ``lsoa_code``, ``lsoa_name``, ``crime_type``.
    """
    frames = []
    for path in street_files(paths):
        with _open_text(path) as handle:
            frame = pd.read_csv(handle, dtype=str, usecols=lambda c: c in STREET_COLUMNS, keep_default_na=False)
        frames.append(frame)
    if not frames:
        return _empty_events()
    raw = pd.concat(frames, ignore_index=True)
    events = pd.DataFrame(
        {
            "crime_id": raw.get("Crime ID", ""),
            "month": raw["Month"].str.strip(),
            "lon": pd.to_numeric(raw["Longitude"], errors="coerce"),
            "lat": pd.to_numeric(raw["Latitude"], errors="coerce"),
            "location": raw.get("Location", ""),
            "lsoa_code": raw.get("LSOA code", ""),
            "lsoa_name": raw.get("LSOA name", ""),
            "crime_type": raw["Crime type"].str.strip(),
        }
    )
    ok = events["lon"].between(-180, 180) & events["lat"].between(-90, 90)
    ok &= events["month"].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")
    return events[ok].reset_index(drop=True)


def _empty_events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "crime_id": pd.Series(dtype=str),
            "month": pd.Series(dtype=str),
            "lon": pd.Series(dtype=float),
            "lat": pd.Series(dtype=float),
            "location": pd.Series(dtype=str),
            "lsoa_code": pd.Series(dtype=str),
            "lsoa_name": pd.Series(dtype=str),
            "crime_type": pd.Series(dtype=str),
        }
    )


def assign_cells(events: pd.DataFrame, resolution: int = DEFAULT_RESOLUTION) -> pd.Series:
    """Return the H3 cell of each event at ``resolution``.

    data.police.uk snaps every event to one of a limited set of points, so each distinct point is
    indexed once and the result mapped back: tens of thousands of calls instead of every row.
    """
    if events.empty:
        return pd.Series([], dtype=str, index=events.index)
    points = events[["lat", "lon"]].drop_duplicates()
    cells = [h3.latlng_to_cell(lat, lon, resolution) for lat, lon in zip(points["lat"], points["lon"], strict=True)]
    lookup = pd.Series(cells, index=pd.MultiIndex.from_frame(points))
    keys = pd.MultiIndex.from_frame(events[["lat", "lon"]])
    return pd.Series(lookup.reindex(keys).to_numpy(), index=events.index, name="cell")


def month_index(month: str) -> int:
    """Months since year 0 for ``YYYY-MM``, so months can be subtracted."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_label(index: int) -> str:
    """The ``YYYY-MM`` label of a month index from :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def counts_by_cell(
    events: pd.DataFrame,
    *,
    resolution: int = DEFAULT_RESOLUTION,
    by: Sequence[str] = ("cell",),
) -> pd.DataFrame:
    """Count events per H3 cell, optionally also per ``crime_type`` and/or ``month``.

    Returns a frame with the ``by`` columns and ``count``, largest count first, ties by the
    ``by`` columns so that the order never depends on the input order.
    """
    frame = events.assign(cell=assign_cells(events, resolution)) if "cell" not in events else events
    if frame.empty:
        return pd.DataFrame({**{col: pd.Series(dtype=str) for col in by}, "count": pd.Series(dtype=int)})
    counted = frame.groupby(list(by), sort=True).size().rename("count").reset_index()
    return counted.sort_values(["count", *by], ascending=[False, *([True] * len(by))], kind="mergesort").reset_index(
        drop=True
    )


# --------------------------------------------------------------------------------------------------
# Grid helpers
# --------------------------------------------------------------------------------------------------


def cell_boundary_geojson(cell: str) -> dict:
    """GeoJSON Polygon of an H3 cell (longitude first, ring closed), as RFC 7946 requires."""
    ring = [[lng, lat] for lat, lng in h3.cell_to_boundary(cell)]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def cell_centre(cell: str) -> tuple[float, float]:
    """(latitude, longitude) of an H3 cell's centre."""
    lat, lng = h3.cell_to_latlng(cell)
    return lat, lng


def with_neighbours(cells: Iterable[str], rings: int = 1) -> list[str]:
    """The given cells plus every cell within ``rings`` steps of them, sorted.

    Gi* needs the empty cells around the busy ones as well: a hotspot is only "hot" compared with
    quieter surroundings, and cells that recorded nothing are part of those surroundings.
    """
    found: set[str] = set()
    for cell in cells:
        found.update(h3.grid_disk(cell, rings))
    return sorted(found)


def _local_metres(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    # An equirectangular projection about the area's mean latitude: within a county the error is
    # well under 1%, far below the 100 m scale of the kernels used here.
    return np.column_stack((lon * math.cos(math.radians(lat0)) * 111_320.0, lat * 110_574.0))


def kernel_density(
    event_lat: np.ndarray,
    event_lon: np.ndarray,
    cells: Sequence[str],
    *,
    bandwidth_m: float,
) -> np.ndarray:
    """Gaussian kernel density of events evaluated at each cell's centre (unnormalised sum of kernels).

    The kernel is cut off at four bandwidths, where it has fallen below 0.04% of its peak.
    """
    from scipy.spatial import cKDTree

    if len(cells) == 0:
        return np.zeros(0)
    if len(event_lat) == 0:
        return np.zeros(len(cells))
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    lat0 = float(np.mean(centres[:, 0]))
    points = _local_metres(np.asarray(event_lat, float), np.asarray(event_lon, float), lat0)
    # Snap points repeat: one kernel per distinct point, weighted by how many events share it.
    unique, weight = np.unique(np.round(points, 1), axis=0, return_counts=True)
    grid = _local_metres(centres[:, 0], centres[:, 1], lat0)
    pairs = cKDTree(grid).sparse_distance_matrix(cKDTree(unique), 4 * bandwidth_m, output_type="coo_matrix")
    density = np.zeros(len(cells))
    np.add.at(density, pairs.row, np.exp(-0.5 * (pairs.data / bandwidth_m) ** 2) * weight[pairs.col])
    # sparse_distance_matrix drops exact zero distances (event at a centre); add them back.
    exact = cKDTree(grid).query_ball_point(unique, r=1e-9)
    for j, hits in enumerate(exact):
        for i in hits:
            density[i] += weight[j]
    return density


# --------------------------------------------------------------------------------------------------
# Getis-Ord Gi*
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GiStarResult:
    """Gi* for each cell: z-score, pseudo p-value, and whether it survives the FDR correction."""

    cells: list[str]
    counts: np.ndarray
    z: np.ndarray
    p: np.ndarray
    fdr_threshold: float
    significant: np.ndarray

    def classification(self) -> list[str]:
        """``hot``, ``cold`` or ``none`` per cell: significant after FDR, by the sign of z."""
        out = []
        for z, sig in zip(self.z, self.significant, strict=True):
            out.append(("hot" if z > 0 else "cold") if sig else "none")
        return out

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "cell": self.cells,
                "count": self.counts,
                "z": self.z,
                "p": self.p,
                "significant": self.significant,
                "class": self.classification(),
            }
        )


def h3_weights(cells: Sequence[str], rings: int = 1):
    """libpysal weights joining each H3 cell to the cells within ``rings`` steps that are in ``cells``.

    Binary contiguity on the hexagon grid: a cell's ring-1 neighbours are the six hexagons that share
    an edge with it, the same relation as queen contiguity on polygons, without building polygons.
    """
    from libpysal.weights import W

    known = set(cells)
    neighbours = {c: [n for n in h3.grid_disk(c, rings) if n != c and n in known] for c in cells}
    return W(neighbours, id_order=list(cells), silence_warnings=True)


def gi_star(
    counts: pd.Series,
    *,
    rings: int = 1,
    alpha: float = 0.05,
    permutations: int = 0,
    seed: int = 12345,
) -> GiStarResult:
    """Getis-Ord Gi* on H3 cell counts with a false-discovery-rate correction.

    ``counts`` is indexed by cell and should include the quiet (zero) cells of the study area.
    Gi* (esda ``G_Local`` with ``star=True``, binary weights) compares each cell plus its neighbours
    with the whole area. By default the p-value is the two-sided normal one of Gi*'s z-score (Getis
    and Ord 1995, as ArcGIS's hot spot analysis reports it); with ``permutations`` it is esda's
    conditional-permutation pseudo p-value (fixed seed: same data, same map). A cell is significant
    when its p-value is at or under the Benjamini–Hochberg cut-off (``esda.fdr``) at ``alpha``.
    A perfectly even area has no hotspots: its z-scores are undefined and reported as 0.
    """
    from esda import fdr
    from esda.getisord import G_Local

    cells = [str(c) for c in counts.index]
    y = counts.to_numpy(dtype=float)
    if len(cells) < 3 or y.sum() == 0 or np.all(y == y[0]):
        zeros = np.zeros(len(cells))
        return GiStarResult(cells, y, zeros, np.ones(len(cells)), alpha, np.zeros(len(cells), bool))
    weights = h3_weights(cells, rings)
    # A cell whose neighbourhood is the whole study area has no variance to test against (z is
    # undefined, reported as 0): numpy's warning about it is expected.
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        # esda announces a future change of its default alternative; the directed (folded) pseudo
        # p-value used with permutations is the one the Gi* literature reports.
        warnings.filterwarnings("ignore", message="The alternative hypothesis", category=DeprecationWarning)
        # Rural areas leave islands of busy cells with quiet rings around them; that is expected.
        warnings.filterwarnings("ignore", message="The weights matrix is not fully connected", category=UserWarning)
        result = G_Local(y, weights, transform="B", star=True, permutations=permutations, seed=seed, n_jobs=1)
    z = np.nan_to_num(np.asarray(result.Zs, float))
    if permutations:
        p = np.asarray(result.p_sim, float)
    else:
        from scipy.stats import norm

        p = 2 * norm.sf(np.abs(z))
    threshold = float(fdr(p, alpha))
    significant = p <= threshold
    return GiStarResult(cells, y, z, p, threshold, significant)


# --------------------------------------------------------------------------------------------------
# Repeat locations
# --------------------------------------------------------------------------------------------------


def repeat_locations(events: pd.DataFrame, *, minimum: int = 2) -> pd.DataFrame:
    """Snap points with at least ``minimum`` events, busiest first.

    data.police.uk moves every event to the nearest of a fixed set of anonymised points, so a
    point's count is the number of events recorded on or near that street or place. The force's
    repeat-location rule is two or more incidents in twelve months, hence the default of 2 (pass
    twelve months of events). Columns: ``lat``, ``lon``, ``location``, ``count``, ``crime_types``
    (the commonest first) and ``months``.
    """
    if events.empty:
        return pd.DataFrame(columns=["lat", "lon", "location", "count", "crime_types", "months"])
    grouped = events.groupby(["lat", "lon"], sort=True)
    summary = grouped.agg(
        location=("location", "first"), count=("month", "size"), months=("month", "nunique")
    ).reset_index()
    summary = summary[summary["count"] >= minimum]
    types = (
        events.groupby(["lat", "lon", "crime_type"]).size().rename("n").reset_index()
        .sort_values(["lat", "lon", "n", "crime_type"], ascending=[True, True, False, True])
        .groupby(["lat", "lon"])["crime_type"].agg(lambda s: "; ".join(s))
    )
    summary = summary.merge(types.rename("crime_types").reset_index(), on=["lat", "lon"], how="left")
    summary = summary.sort_values(["count", "lat", "lon"], ascending=[False, True, True], kind="mergesort")
    return summary[["lat", "lon", "location", "count", "crime_types", "months"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# Next month's hotspots
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProspectiveModel:
    """FirstContact's next-month score: recency-weighted counts plus a near-repeat kernel term.

    score(cell) = Σ_months 0.5^(age / half_life) · count(cell, month)
                  + near_repeat · KDE_bandwidth(events of the last ``window`` months)(cell centre)
                  + tie_break · count over the window

    The half-life, kernel weight and bandwidth were chosen by rolling backtest on one force and
    checked on another (docs/benchmarks.md); the kernel term mostly orders the many cells that tie
    on their own counts, by how busy the streets around them were.
    """

    half_life_months: float = 6.0
    near_repeat: float = 0.1
    bandwidth_m: float = 100.0
    window_months: int = 12
    tie_break: float = 1e-6


def monthly_matrix(cells: Sequence[str], events: pd.DataFrame, months: Sequence[str]) -> np.ndarray:
    """Counts of events per (cell, month) as a dense array ``len(cells) × len(months)``."""
    cell_pos = {c: i for i, c in enumerate(cells)}
    month_pos = {m: j for j, m in enumerate(months)}
    matrix = np.zeros((len(cells), len(months)))
    rows = events["cell"].map(cell_pos)
    cols = events["month"].map(month_pos)
    ok = rows.notna() & cols.notna()
    np.add.at(matrix, (rows[ok].astype(int).to_numpy(), cols[ok].astype(int).to_numpy()), 1)
    return matrix


def _history(events: pd.DataFrame, before: str, window: int) -> pd.DataFrame:
    target = month_index(before)
    ages = target - events["month"].map(month_index)
    return events[(ages >= 1) & (ages <= window)].assign(age=ages)


def score_naive(events: pd.DataFrame, cells: Sequence[str], before: str) -> np.ndarray:
    """Baseline: last month's count per cell."""
    history = _history(events, before, 1)
    return history.groupby("cell").size().reindex(list(cells), fill_value=0).to_numpy(float)


def score_last_12(events: pd.DataFrame, cells: Sequence[str], before: str) -> np.ndarray:
    """Baseline: the count over the last twelve months (or all months available, if fewer)."""
    history = _history(events, before, 12)
    return history.groupby("cell").size().reindex(list(cells), fill_value=0).to_numpy(float)


def score_kde(events: pd.DataFrame, cells: Sequence[str], before: str, *, bandwidth_m: float = 100.0) -> np.ndarray:
    """Baseline: Gaussian kernel density of the last twelve months' events at each cell's centre."""
    history = _history(events, before, 12)
    return kernel_density(history["lat"].to_numpy(), history["lon"].to_numpy(), cells, bandwidth_m=bandwidth_m)


def score_prospective(
    events: pd.DataFrame, cells: Sequence[str], before: str, *, model: ProspectiveModel | None = None
) -> np.ndarray:
    """FirstContact's next-month score for each cell, from the events before month ``before``.

    See :class:`ProspectiveModel` for the formula. ``events`` needs ``cell``, ``month``, ``lat`` and
    ``lon``; only months strictly before ``before`` are read.
    """
    model = model or ProspectiveModel()
    history = _history(events, before, model.window_months)
    decay = np.power(0.5, (history["age"].to_numpy() - 1) / model.half_life_months)
    weighted = pd.Series(decay, index=history.index).groupby(history["cell"]).sum()
    score = weighted.reindex(list(cells), fill_value=0.0).to_numpy(float)
    if model.near_repeat:
        score = score + model.near_repeat * kernel_density(
            history["lat"].to_numpy(), history["lon"].to_numpy(), cells, bandwidth_m=model.bandwidth_m
        )
    plain = history.groupby("cell").size().reindex(list(cells), fill_value=0).to_numpy(float)
    return score + model.tie_break * plain


def rank_cells(cells: Sequence[str], score: np.ndarray) -> list[str]:
    """Cells from highest score to lowest; equal scores in H3 index order, so the ranking is repeatable."""
    order = np.lexsort((np.asarray(cells), -np.asarray(score)))
    return [cells[i] for i in order]


# --------------------------------------------------------------------------------------------------
# Evaluation: hit rate and PAI
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Hit rate and PAI when the top ``share`` of the area's cells is patrolled."""

    share: float
    cells: int
    hit_rate: float
    pai: float


def hit_rate_and_pai(
    score: np.ndarray, outcome: np.ndarray, *, total_events: int, shares: Sequence[float] = (0.01, 0.05, 0.1)
) -> list[Coverage]:
    """Hit rate and Predictive Accuracy Index of a ranking of the area's cells.

    ``score`` and ``outcome`` (events in the test month) are aligned on the area's cells;
    ``total_events`` counts every located event of the test month, including those outside the area,
    which are misses. The top ``round(share × cells)`` cells are chosen; PAI = hit rate ÷ share of area
    (Chainey, Tompson and Uhlig 2008). Cells tied with the last chosen one are counted by their
    expected share — the result of breaking the tie at random — so no method gains or loses from an
    arbitrary order among equal scores.
    """
    score = np.asarray(score, float)
    outcome = np.asarray(outcome, float)
    n = len(score)
    order = np.argsort(-score, kind="stable")
    ranked_score, ranked_outcome = score[order], outcome[order]
    results = []
    for share in shares:
        k = max(1, int(round(share * n))) if n else 0
        if k == 0 or total_events == 0:
            results.append(Coverage(share, k, 0.0, 0.0))
            continue
        cutoff = ranked_score[k - 1]
        above = ranked_score > cutoff
        tied = ranked_score == cutoff
        slots = k - int(above.sum())
        hits = ranked_outcome[above].sum() + ranked_outcome[tied].sum() * slots / int(tied.sum())
        hit_rate = float(hits / total_events)
        results.append(Coverage(share, k, hit_rate, hit_rate / (k / n)))
    return results


METHODS = {
    "firstcontact": score_prospective,
    "naive_last_month": score_naive,
    "last_12_months": score_last_12,
    "kernel_density": score_kde,
}


@dataclass
class Backtest:
    """Rolling backtest results: per method, per test month, the coverage at each share of area."""

    area_cells: int
    test_months: list[str]
    results: dict[str, dict[str, list[Coverage]]] = field(default_factory=dict)

    def mean(self, method: str) -> list[Coverage]:
        per_month = self.results[method]
        shares = [c.share for c in next(iter(per_month.values()))]
        out = []
        for i, share in enumerate(shares):
            rows = [per_month[m][i] for m in self.test_months]
            out.append(
                Coverage(
                    share,
                    rows[0].cells,
                    float(np.mean([r.hit_rate for r in rows])),
                    float(np.mean([r.pai for r in rows])),
                )
            )
        return out


def backtest(
    events: pd.DataFrame,
    test_months: Sequence[str],
    *,
    methods: dict | None = None,
    shares: Sequence[float] = (0.01, 0.05, 0.1),
) -> Backtest:
    """Score each method on each test month, using only months before it, over a fixed area.

    The area is every cell with an event before the first test month; ``events`` must carry a ``cell``
    column (see :func:`assign_cells`).
    """
    methods = methods or METHODS
    test_months = sorted(test_months)
    first = month_index(test_months[0])
    before_first = events[events["month"].map(month_index) < first]
    if before_first.empty:
        raise ValueError(f"test-months: no events before the first test month {test_months[0]}")
    area = sorted(before_first["cell"].unique())
    area_set = set(area)
    result = Backtest(area_cells=len(area), test_months=list(test_months))
    for name, method in methods.items():
        result.results[name] = {}
        for month in test_months:
            target = events[events["month"] == month]
            if target.empty:
                raise ValueError(f"test-months: no events in {month}")
            outcome = target[target["cell"].isin(area_set)].groupby("cell").size().reindex(area, fill_value=0)
            score = method(events, area, month)
            result.results[name][month] = hit_rate_and_pai(
                score, outcome.to_numpy(), total_events=len(target), shares=shares
            )
    return result


def points_in_polygon(lat: np.ndarray, lon: np.ndarray, geometry: dict) -> np.ndarray:
    """True for each point inside a GeoJSON Polygon or MultiPolygon (holes excluded).

    Even-odd ray casting on longitude/latitude, which is exact for a team's area at this scale
    (boundaries are straight lines between the given vertices, as GeoJSON draws them).
    """
    lat = np.asarray(lat, float)
    lon = np.asarray(lon, float)
    polygons = geometry["coordinates"] if geometry.get("type") == "MultiPolygon" else [geometry["coordinates"]]
    inside = np.zeros(len(lat), bool)
    for rings in polygons:
        in_this = np.zeros(len(lat), bool)
        for ring in rings:  # the outer ring, then holes: each crossing flips the parity
            xs = np.array([p[0] for p in ring], float)
            ys = np.array([p[1] for p in ring], float)
            for x1, y1, x2, y2 in zip(xs, ys, np.roll(xs, -1), np.roll(ys, -1), strict=True):
                if y1 == y2:
                    continue
                crosses = (y1 > lat) != (y2 > lat)
                x_at = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
                in_this ^= crosses & (lon < x_at)
        inside |= in_this
    return inside


def peak_profile(timestamps: Sequence) -> dict:
    """Busiest day of the week and four-hour band of a list of local datetimes, with the counts.

    Four-hour bands (00–04, 04–08, …) match how patrol shifts are usually briefed; ties go to the
    earlier day or band so the briefing is stable.
    """
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    if not timestamps:
        return {"contacts": 0, "peak_day": "", "peak_time": "", "by_day": [0] * 7, "by_band": [0] * 6}
    by_day = [0] * 7
    by_band = [0] * 6
    for moment in timestamps:
        by_day[moment.weekday()] += 1
        by_band[moment.hour // 4] += 1
    day = int(np.argmax(by_day))
    band = int(np.argmax(by_band))
    return {
        "contacts": len(timestamps),
        "peak_day": days[day],
        "peak_time": f"{band * 4:02d}:00–{(band * 4 + 4) % 24:02d}:00",
        "by_day": by_day,
        "by_band": by_band,
    }
