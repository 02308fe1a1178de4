"""bench/forecast.py and bench/staffing.py run standalone and end with one JSON object."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PHONE = settings.DATA_DIR / "calls/decc_phone_hourly_2025-10-26_to_2025-12-13.csv.gz"


def test_forecast_bench_prints_every_method_and_json_last(tmp_path):
    series = tmp_path / "decc_911.csv"
    subprocess.run([sys.executable, str(ROOT / "bench/decc_phone.py"), "--lines", "911", str(PHONE), str(series)],
                   check=True)
    run = subprocess.run([sys.executable, str(ROOT / "bench/forecast.py"), "--data", str(series),
                          "--test-start", "2025-12-07", "--horizon", "168", "--origins", "2"],
                         capture_output=True, text=True, check=True, cwd=tmp_path)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert set(result) == {"firstcontact", "seasonal_naive_168", "autoets_24", "mstl_24_168"}
    for figures in result.values():
        assert set(figures) == {"mase", "coverage80", "seconds"}
        assert 0 < figures["mase"] < 2 and 0 <= figures["coverage80"] <= 1
    # The second origin (2025-12-14) runs past the end of the file and is reported as skipped.
    assert "skipped" in run.stderr


def test_forecast_bench_names_a_bad_date(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "bench/forecast.py"), "--data", str(PHONE),
                          "--test-start", "soon"], capture_output=True, text=True)
    assert run.returncode != 0
    assert "--test-start must be a date" in run.stderr
    wrong_columns = subprocess.run([sys.executable, str(ROOT / "bench/forecast.py"), "--data", str(PHONE),
                                    "--test-start", "2025-12-01"], capture_output=True, text=True)
    assert wrong_columns.returncode != 0
    assert "missing column(s) datetime, volume" in wrong_columns.stderr
