#!/usr/bin/env python
"""Judge forecasts by the staffing they cause: share of hours meeting 90% answered in 10 s.

Usage: bench/staffing.py [--phone PATH] [--cad PATH] [--test-start 2025-11-16] [--origins 4]

For each hour of the test weeks, handlers are planned from a forecast (FirstContact's,
or the weekly seasonal naive as the anchor) with Erlang C to reach 90% within 10 s,
then the hour is replayed with the calls that really came: the service level the
planned handlers achieve is computed by Erlang C and by Erlang A (callers hang up
after a mean patience, default 60 s). Handling time is the mean E-911 phone time in
the CAD file. Prints a table and, last, one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.decc_phone import convert  # noqa: E402
from demand.forecasting import forecast_hourly  # noqa: E402
from demand.staffing import agents_for_service_level, erlang_a, erlang_c  # noqa: E402

DATA = Path(os.environ.get("FIRSTCONTACT_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data"))
TARGET_SECONDS = 10
GOAL = 0.9


def mean_handling_seconds(cad_path: Path) -> float:
    """Mean phone time of E-911 calls in the CAD file (1 s to 1 h; longer are open lines)."""
    cad = pd.read_csv(cad_path, dtype=str, usecols=["Call_Reception", "Phone_Time"])
    seconds = pd.to_numeric(cad.loc[cad["Call_Reception"] == "E-911", "Phone_Time"], errors="coerce")
    return float(seconds[(seconds >= 1) & (seconds <= 3600)].mean())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phone", type=Path, default=DATA / "calls/decc_phone_hourly_2025-10-26_to_2025-12-13.csv.gz")
    parser.add_argument("--cad", type=Path, default=DATA / "calls/decc_cad_incidents_2025-08-24_to_2025-12-06.csv.gz")
    parser.add_argument("--test-start", default="2025-11-16")
    parser.add_argument("--origins", type=int, default=4)
    parser.add_argument("--patience", type=float, default=60.0, help="mean caller patience for Erlang A, seconds")
    args = parser.parse_args(argv)

    hourly = convert(str(args.phone), "911")
    series = pd.Series(hourly["volume"].to_numpy(float), index=pd.to_datetime(hourly["datetime"]))
    series = series.groupby(level=0).sum().asfreq("h", fill_value=0.0)
    aht = mean_handling_seconds(args.cad)

    plans: dict[str, list[np.ndarray]] = {"firstcontact": [], "seasonal_naive_168": [], "actual_calls": []}
    actuals = []
    for k in range(args.origins):
        origin = pd.Timestamp(args.test_start) + pd.Timedelta(weeks=k)
        train = series[series.index < origin]
        actual = series[(series.index >= origin) & (series.index < origin + pd.Timedelta(weeks=1))]
        if len(actual) < 168:
            continue
        actuals.append(actual.to_numpy())
        plans["firstcontact"].append(forecast_hourly(train, horizon_hours=168, levels=(80,)).mean)
        plans["seasonal_naive_168"].append(train.to_numpy()[-168:])
        plans["actual_calls"].append(actual.to_numpy())
    calls = np.concatenate(actuals)

    summary = {}
    for name, parts in plans.items():
        planned = np.concatenate(parts)
        agents = np.array([agents_for_service_level(calls=float(c), aht_seconds=aht, interval_seconds=3600,
                                                    target_seconds=TARGET_SECONDS, service_level=GOAL).agents
                           for c in planned])
        met_c, met_a = [], []
        for n, c in zip(agents, calls, strict=True):
            if c == 0:
                met_c.append(True)
                met_a.append(True)
                continue
            if n == 0:
                met_c.append(False)
                met_a.append(False)
                continue
            kwargs = dict(calls=float(c), aht_seconds=aht, interval_seconds=3600, agents=int(n),
                          target_seconds=TARGET_SECONDS)
            met_c.append(erlang_c(**kwargs).service_level >= GOAL)
            met_a.append(erlang_a(**kwargs, patience_seconds=args.patience).service_level >= GOAL)
        summary[name] = {"share_met_erlang_c": round(float(np.mean(met_c)), 4),
                         "share_met_erlang_a": round(float(np.mean(met_a)), 4),
                         "handler_hours": int(agents.sum())}

    print(f"DECC 911 lines, {len(calls)} hours from {args.test_start}, AHT {aht:.0f} s, "
          f"goal {GOAL:.0%} in {TARGET_SECONDS} s, Erlang A patience {args.patience:.0f} s")
    print(f"{'planned from':<22}{'met (C)':>9}{'met (A)':>9}{'handler-hours':>15}")
    for name, s in summary.items():
        print(f"{name:<22}{s['share_met_erlang_c']:>9.3f}{s['share_met_erlang_a']:>9.3f}{s['handler_hours']:>15}")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
