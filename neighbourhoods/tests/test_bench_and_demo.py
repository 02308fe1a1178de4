"""The hotspot benchmark runs standalone on any folder of street files; the demo import sets up the teams."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from neighbourhoods.models import HotspotRun, LocalPolicingArea

REPO = Path(__file__).resolve().parents[2]
HEADER = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n"


def street_rows(months, places):
    """Rows for each month and (lat, lon, lsoa code, lsoa name, events) place."""
    lines = []
    for month in months:
        for lat, lon, code, name, events in places:
            for _ in range(events):
                lines.append(f",{month},Staffs,Staffs,{lon},{lat},On or near A Street,{code},{name},Anti-social behaviour,,\n")
    return "".join(lines)


PLACES = [
    (52.8065, -2.1166, "E01029600", "Stafford 010A", 6),
    (52.8200, -2.1300, "E01029601", "Stafford 011B", 1),
    (53.0250, -2.1800, "E01014001", "Stoke-on-Trent 001A", 5),
    (52.9900, -2.1500, "E01014030", "Stoke-on-Trent 030B", 3),
]


def test_bench_runs_standalone_and_ends_with_one_json_line(tmp_path):
    folder = tmp_path / "street"
    for month in ("2025-01", "2025-02", "2025-03"):
        (folder / month).mkdir(parents=True)
        with gzip.open(folder / month / f"{month}-staffordshire-street.csv.gz", "wt") as handle:
            handle.write(HEADER + street_rows([month], PLACES))
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "hotspots.py"), "--data", str(folder), "--test-months", "2025-02,2025-03"],
        capture_output=True, text=True, check=True, cwd=tmp_path, timeout=120,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(summary) == {"firstcontact", "naive_last_month", "last_12_months", "kernel_density"}
    assert set(summary["firstcontact"]) == {"pai_1", "pai_5", "pai_10"}
    # Four cells; 1% and 5% round up to one cell, the busiest (6 of 15 events): PAI = 0.4 / 0.25.
    assert summary["last_12_months"]["pai_5"] == pytest.approx(1.6)


def test_bench_names_a_test_month_with_no_data(tmp_path):
    path = tmp_path / "street.csv"
    path.write_text(HEADER + street_rows(["2025-01"], PLACES))
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "hotspots.py"), "--data", str(path), "--test-months", "2025-05"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert done.returncode == 2
    assert "--test-months: no data for 2025-05" in done.stderr


@pytest.mark.django_db
def test_demo_import_gives_the_teams_areas_and_hotspots(tmp_path, settings, capsys):
    (tmp_path / "crime").mkdir()
    with gzip.open(tmp_path / "crime" / "staffordshire_street_2025-01_to_2025-09.csv.gz", "wt") as handle:
        handle.write(HEADER + street_rows(["2025-01", "2025-02"], PLACES))
    settings.DATA_DIR = tmp_path
    settings.DEMO = True
    call_command("import_street_crime", "--demo", verbosity=0)
    assert LocalPolicingArea.objects.get(team__name="Stafford LPT").lsoa_codes == ["E01029600", "E01029601"]
    assert LocalPolicingArea.objects.get(team__name="Stoke-on-Trent North LPT").lsoa_codes == ["E01014001"]
    assert LocalPolicingArea.objects.get(team__name="Stoke-on-Trent South LPT").lsoa_codes == ["E01014030"]
    run = HotspotRun.objects.get(team__name="Stafford LPT")
    assert (run.events, run.predicted_month) == (14, "2025-03")
    assert "Stafford LPT: 2 LSOAs, 14 events" in capsys.readouterr().out
