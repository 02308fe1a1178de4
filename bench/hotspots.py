#!/usr/bin/env python3
"""Next-month hotspot benchmark: FirstContact's prospective score against three baselines, in one run.

Usage: python bench/hotspots.py --data DIR --test-months 2025-04,2025-05

For each test month every method ranks H3 resolution-9 cells using only the months before it. The
area is every cell with an event (any crime type or ASB) before the first test month; events outside
it are misses. Hit rate and PAI are reported at 1%, 5% and 10% of the area, averaged over the test
months. The last line printed is one JSON object with each method's mean PAI.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

# Runs standalone: the pure module lives in the repository, one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from neighbourhoods import hotspots  # noqa: E402

SHARES = (0.01, 0.05, 0.10)
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def parse_months(text: str) -> list[str]:
    months = [m.strip() for m in text.split(",") if m.strip()]
    bad = [m for m in months if not MONTH.fullmatch(m)]
    if not months or bad:
        raise argparse.ArgumentTypeError(f"--test-months: expected YYYY-MM,YYYY-MM,…; not understood: {bad or text!r}")
    return sorted(set(months))


REFERENCE_ROWS = ("ref_hindsight_mean", "ref_perfect_foresight")


def ceiling_methods(events):
    """Rankings that cheat, to show how much any forecaster could gain: they read the test month or later.

    ``ref_perfect_foresight`` ranks by the test month's own counts (the highest hit rate possible);
    ``ref_hindsight_mean`` by every other month, before and after (a stable rate known almost exactly).
    """

    def perfect(events_, cells, month):
        target = events_[events_["month"] == month]
        return target.groupby("cell").size().reindex(list(cells), fill_value=0).to_numpy(float)

    def hindsight(events_, cells, month):
        others = events_[events_["month"] != month]
        return others.groupby("cell").size().reindex(list(cells), fill_value=0).to_numpy(float)

    return {"ref_hindsight_mean": hindsight, "ref_perfect_foresight": perfect}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, nargs="+", help="folder(s) or file(s) of data.police.uk street CSVs")
    parser.add_argument("--test-months", required=True, type=parse_months, help="YYYY-MM,YYYY-MM,…")
    parser.add_argument("--resolution", type=int, default=9, help="H3 resolution (default 9)")
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also print two reference rows that see the future (not methods; left out of the JSON)",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    events = hotspots.read_street_files(args.data)
    if events.empty:
        parser.error(f"--data: no located rows found in {args.data}")
    events = events.assign(cell=hotspots.assign_cells(events, args.resolution))
    available = sorted(events["month"].unique())
    missing = [m for m in args.test_months if m not in available]
    if missing:
        parser.error(f"--test-months: no data for {', '.join(missing)} (data covers {available[0]} to {available[-1]})")
    loaded = time.perf_counter()

    methods = dict(hotspots.METHODS)
    if args.ceiling:
        methods.update(ceiling_methods(events))
    try:
        result = hotspots.backtest(events, args.test_months, shares=SHARES, methods=methods)
    except ValueError as error:
        parser.error(str(error))
    finished = time.perf_counter()

    print(f"data: {len(events):,} located events, months {available[0]} to {available[-1]}")
    print(f"test months: {', '.join(result.test_months)}; area: {result.area_cells:,} H3 r{args.resolution} cells")
    header = f"{'method':<20}" + "".join(f"{f'hit {s:.0%}':>10}{f'PAI {s:.0%}':>10}" for s in SHARES)
    print(header)
    print("-" * len(header))
    summary: dict[str, dict[str, float]] = {}
    for method in result.results:
        mean = result.mean(method)
        print(f"{method:<20}" + "".join(f"{c.hit_rate:>10.1%}{c.pai:>10.2f}" for c in mean))
        if method not in REFERENCE_ROWS:
            summary[method] = {f"pai_{round(c.share * 100)}": round(c.pai, 3) for c in mean}
    best_baseline = max(v["pai_5"] for k, v in summary.items() if k != "firstcontact")
    gain = summary["firstcontact"]["pai_5"] / best_baseline - 1
    print(f"firstcontact PAI at 5% against the best baseline: {gain:+.1%}")
    print(f"time: load {loaded - started:.1f} s, backtest {finished - loaded:.1f} s")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
