"""The pure hotspot module on small inputs whose answers can be checked by hand."""

from __future__ import annotations

import gzip

import h3
import numpy as np
import pandas as pd
import pytest

from neighbourhoods import hotspots

HEADER = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
# A point in Stafford town centre and a second one about 2 km away.
A = (52.8065, -2.1166)
B = (52.8250, -2.1000)


def row(month, point, crime_type="Shoplifting", crime_id="abc"):
    lat, lon = point
    return f"{crime_id},{month},Staffs,Staffs,{lon},{lat},On or near High Street,E01029600,Stafford 010A,{crime_type},,\n"


def events_frame(rows):
    """Events as the module builds them: month, lat, lon, type, location, and the H3 r9 cell."""
    frame = pd.DataFrame(rows, columns=["month", "lat", "lon", "crime_type"]).assign(location="On or near X")
    return frame.assign(cell=hotspots.assign_cells(frame, 9))


def test_reads_plain_and_gzipped_files_in_a_folder_and_drops_rows_without_coordinates(tmp_path):
    """A month folder may hold .csv and .csv.gz; unlocated rows cannot go on the map and are dropped."""
    (tmp_path / "2025-01").mkdir()
    (tmp_path / "2025-01" / "2025-01-staffordshire-street.csv").write_text(
        HEADER + row("2025-01", A) + "x,2025-01,S,S,,,No location,,,Burglary,,\n"
    )
    with gzip.open(tmp_path / "2025-02-staffordshire-street.csv.gz", "wt") as handle:
        handle.write(HEADER + row("2025-02", B, "Anti-social behaviour", crime_id=""))
    events = hotspots.read_street_files([tmp_path])
    assert sorted(events["month"]) == ["2025-01", "2025-02"]
    assert set(events["crime_type"]) == {"Shoplifting", "Anti-social behaviour"}


def test_missing_path_is_named():
    with pytest.raises(FileNotFoundError, match="no-such-folder"):
        hotspots.street_files(["no-such-folder"])


def test_counts_by_cell_type_and_month():
    events = events_frame(
        [("2025-01", *A, "Shoplifting"), ("2025-01", *A, "Shoplifting"), ("2025-02", *A, "Burglary"), ("2025-01", *B, "Drugs")]
    )
    by_cell = hotspots.counts_by_cell(events)
    assert list(by_cell["count"]) == [3, 1]
    assert by_cell["cell"].iloc[0] == h3.latlng_to_cell(*A, 9)
    by_type_month = hotspots.counts_by_cell(events, by=("cell", "crime_type", "month"))
    assert by_type_month.iloc[0][["crime_type", "month", "count"]].tolist() == ["Shoplifting", "2025-01", 2]


def test_gi_star_finds_a_cluster_of_busy_cells_and_nothing_in_an_even_field():
    """A busy cell ringed by busy neighbours in a quiet area is a significant hot spot; an even field has none."""
    centre = h3.latlng_to_cell(*A, 9)
    area = sorted(h3.grid_disk(centre, 6))
    counts = pd.Series(0.0, index=area)
    for cell in h3.grid_disk(centre, 1):
        counts[cell] = 20.0
    result = hotspots.gi_star(counts)
    frame = result.to_frame().set_index("cell")
    assert frame.loc[centre, "class"] == "hot"
    assert frame.loc[centre, "z"] > 3
    far = [c for c in area if h3.grid_distance(c, centre) >= 4]
    assert not (frame.loc[far, "class"] == "hot").any()

    even = hotspots.gi_star(pd.Series(5.0, index=area))
    assert not even.significant.any()


def test_fdr_correction_is_stricter_than_the_raw_p_value():
    """With hundreds of cells, some random cells reach p < 0.05 by chance; the FDR cut-off removes them."""
    rng = np.random.default_rng(1)
    area = sorted(h3.grid_disk(h3.latlng_to_cell(*A, 9), 10))
    result = hotspots.gi_star(pd.Series(rng.poisson(3, len(area)).astype(float), index=area))
    assert (result.p < 0.05).sum() > 0
    assert result.significant.sum() < (result.p < 0.05).sum()
    assert result.fdr_threshold < 0.05


def test_repeat_locations_keeps_points_with_two_or_more_events_busiest_first():
    events = events_frame(
        [("2025-01", *A, "Shoplifting"), ("2025-02", *A, "Shoplifting"), ("2025-02", *A, "Burglary"), ("2025-01", *B, "Drugs")]
    )
    repeats = hotspots.repeat_locations(events)
    assert len(repeats) == 1
    assert repeats.iloc[0][["count", "months", "crime_types"]].tolist() == [3, 2, "Shoplifting; Burglary"]


def test_prospective_score_prefers_recent_events_and_ignores_the_test_month():
    """One event last month outweighs one event seven months ago; events in or after the month are unseen."""
    events = events_frame([("2025-06", *A, "Drugs"), ("2024-12", *B, "Drugs"), ("2025-07", *B, "Drugs"), ("2025-08", *B, "Drugs")])
    cells = [h3.latlng_to_cell(*A, 9), h3.latlng_to_cell(*B, 9)]
    model = hotspots.ProspectiveModel(near_repeat=0.0)
    score = hotspots.score_prospective(events, cells, "2025-07", model=model)
    assert score[0] == pytest.approx(1.0, abs=1e-5)
    assert score[1] == pytest.approx(0.5, abs=1e-5)  # six months older: one half-life


def test_baselines_count_last_month_and_last_twelve_months():
    events = events_frame([("2025-06", *A, "Drugs"), ("2025-05", *A, "Drugs"), ("2024-05", *A, "Drugs")])
    cells = [h3.latlng_to_cell(*A, 9)]
    assert hotspots.score_naive(events, cells, "2025-07").tolist() == [1.0]
    assert hotspots.score_last_12(events, cells, "2025-07").tolist() == [2.0]  # 2024-05 is 14 months back


def test_kernel_density_counts_an_event_at_the_centre_fully():
    cell = h3.latlng_to_cell(*A, 9)
    lat, lon = h3.cell_to_latlng(cell)
    density = hotspots.kernel_density(np.array([lat, lat]), np.array([lon, lon]), [cell], bandwidth_m=100)
    assert density.tolist() == pytest.approx([2.0])


def test_rank_cells_breaks_ties_by_cell_index():
    assert hotspots.rank_cells(["c", "a", "b"], np.array([1.0, 1.0, 2.0])) == ["b", "a", "c"]


def test_hit_rate_and_pai_by_hand():
    """100 cells, the top cell holds 10 of 50 events: hit rate 20% on 1% of the area is a PAI of 20."""
    score = np.arange(100, 0, -1, dtype=float)
    outcome = np.zeros(100)
    outcome[0] = 10
    outcome[1:5] = 5
    one, five = hotspots.hit_rate_and_pai(score, outcome, total_events=50, shares=(0.01, 0.05))
    assert (one.cells, one.hit_rate, one.pai) == (1, pytest.approx(0.2), pytest.approx(20.0))
    assert (five.cells, five.hit_rate, five.pai) == (5, pytest.approx(0.6), pytest.approx(12.0))


def test_tied_cells_at_the_cut_off_count_by_their_expected_share():
    """Two cells tie for one place: half of their events count, as if the tie were broken at random."""
    score = np.array([5.0, 1.0, 1.0] + [0.0] * 97)
    outcome = np.zeros(100)
    outcome[[1, 2]] = [4, 0]
    (two,) = hotspots.hit_rate_and_pai(score, outcome, total_events=4, shares=(0.02,))
    assert two.hit_rate == pytest.approx(0.5)


def test_backtest_counts_events_outside_the_area_as_misses():
    """The area is fixed before the first test month: an event in a new cell is a miss for every method."""
    events = events_frame([("2025-01", *A, "Drugs"), ("2025-02", *A, "Drugs"), ("2025-02", *B, "Drugs")])
    result = hotspots.backtest(events, ["2025-02"], shares=(1.0,))
    assert result.area_cells == 1
    for method in hotspots.METHODS:
        assert result.mean(method)[0].hit_rate == pytest.approx(0.5)


def test_backtest_refuses_a_first_test_month_with_no_history():
    events = events_frame([("2025-01", *A, "Drugs")])
    with pytest.raises(ValueError, match="test-months"):
        hotspots.backtest(events, ["2025-01"])


def test_points_in_a_polygon_with_a_hole():
    """A square with a square hole: inside the ring counts, inside the hole does not."""
    square = {
        "type": "Polygon",
        "coordinates": [
            [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
            [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]],
        ],
    }
    inside = hotspots.points_in_polygon(np.array([0.5, 2.0, 5.0]), np.array([0.5, 2.0, 2.0]), square)
    assert inside.tolist() == [True, False, False]


def test_peak_profile_picks_the_busiest_day_and_four_hour_band():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    times = [datetime(2025, 3, 1, 22, 15, tzinfo=london), datetime(2025, 3, 8, 21, 0, tzinfo=london),
             datetime(2025, 3, 3, 9, 0, tzinfo=london)]
    profile = hotspots.peak_profile(times)
    assert (profile["peak_day"], profile["peak_time"], profile["contacts"]) == ("Saturday", "20:00–00:00", 3)
    assert hotspots.peak_profile([])["peak_day"] == ""
