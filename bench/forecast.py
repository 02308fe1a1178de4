#!/usr/bin/env python
"""Rolling-origin backtest of FirstContact's hourly demand forecaster beside statsforecast anchors.

Usage: bench/forecast.py --data PATH --test-start YYYY-MM-DD --horizon 168 --origins 8

PATH is an hourly series as CSV with columns ``datetime,volume`` (gzip allowed);
absent hours count as 0. Origin k (k = 0..origins-1) is test-start + k·horizon
hours: each trains on everything before it and forecasts the next ``horizon``
hours, so the test windows tile the test period without overlap. Origins whose
window runs past the end of the data are dropped (and reported).

Metrics per method, averaged over origins: MASE (mean absolute error over the
window divided by the in-sample MAE of the weekly, 168-hour, seasonal naive on that
origin's training data), coverage80 (share of actual hours inside the 80% interval)
and seconds (fit plus forecast, summed over origins). FirstContact's point forecast is each
hour's predictive median (MASE is an absolute-error measure); the MASE of its mean
is printed in the table too. The last printed line is one JSON object keyed by method.

With ``--ceiling`` the table also shows two hindsight references, outside the JSON,
that no forecaster can reach because they look at the test window itself: the MASE
of a rate made from the actuals (centred 7-day level of the weekday-adjusted day
totals x hour-of-week shares of the 8 weeks either side), and the Poisson floor, the
expected MASE if calls were Poisson draws around that rate (E|X - rate| = 2·rate·P(X =
floor(rate))). The gap between them is the extra-Poisson noise of the series.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

# Compiled numba code is cached on disk so later runs do not pay the compile time.
os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demand.forecasting import forecast_hourly, read_hourly_csv, seasonal_naive_scale  # noqa: E402

WEEK = 168
CEILING_LEVEL_DAYS = 7  # centred window of the hindsight level: a week, so no weekday dominates
CEILING_SHARE_WEEKS = 8  # weeks either side of the window that shape the hindsight hour-of-week shares


def hindsight_rate(series: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Hourly rate of [start, end) smoothed from the actuals around it: an oracle, not a forecast.

    Rule: rate = centred CEILING_LEVEL_DAYS-day mean of weekday-adjusted day totals x
    weekday factor x that weekday's hour shares over CEILING_SHARE_WEEKS weeks either side.
    """
    around = series[(series.index >= start - pd.Timedelta(weeks=CEILING_SHARE_WEEKS))
                    & (series.index < end + pd.Timedelta(weeks=CEILING_SHARE_WEEKS))]
    daily = around.resample("D").sum()
    weekday = daily.groupby(daily.index.dayofweek).mean().reindex(range(7)).fillna(0.0).to_numpy()
    weekday = np.where(weekday > 0, weekday / max(weekday.mean(), 1e-9), 1.0)
    totals = around.groupby([around.index.dayofweek, around.index.hour]).sum().unstack()
    shares = totals.reindex(index=range(7), columns=range(24)).fillna(0.0).to_numpy() + 1e-9
    shares = shares / shares.sum(axis=1, keepdims=True)
    level = (daily / weekday[daily.index.dayofweek]).rolling(CEILING_LEVEL_DAYS, center=True, min_periods=1).mean()
    hours = pd.date_range(start, end, freq="h", inclusive="left")
    return (level.reindex(hours.normalize()).to_numpy() * weekday[hours.dayofweek]
            * shares[hours.dayofweek, hours.hour])


def poisson_mean_absolute_deviation(rate: np.ndarray) -> np.ndarray:
    """E|X - rate| for X ~ Poisson(rate): 2·rate·P(X = floor(rate)) (a classical identity)."""
    from scipy import stats

    return 2 * rate * stats.poisson.pmf(np.floor(rate), rate)


def _anchor_forecasts(train: pd.Series, horizon: int) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    """Each anchor's mean and 80% interval from statsforecast with default settings."""
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive

    frame = pd.DataFrame({"unique_id": "series", "ds": train.index, "y": train.to_numpy(dtype=float)})
    anchors = {
        "seasonal_naive_168": SeasonalNaive(season_length=WEEK),
        "autoets_24": AutoETS(season_length=24),
        "mstl_24_168": MSTL(season_length=[24, WEEK]),
    }
    results = {}
    for name, model in anchors.items():
        started = time.perf_counter()
        engine = StatsForecast(models=[model], freq="h", n_jobs=1)
        out = engine.forecast(df=frame, h=horizon, level=[80])
        seconds = time.perf_counter() - started
        column = [c for c in out.columns if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c][0]
        results[name] = (out[column].to_numpy(), out[f"{column}-lo-80"].to_numpy(),
                         out[f"{column}-hi-80"].to_numpy(), seconds)
    return results


def _timing(train: pd.Series) -> int:
    """Print the median seconds of fit + six-week forecast (3 runs each), calibrated and not, as JSON."""
    import statistics

    forecast_hourly(train.iloc[-6 * WEEK:], horizon_hours=WEEK)  # load the compiled numba code first
    result: dict[str, float | int] = {"hours": len(train)}
    for calibrate in (False, True):
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            forecast_hourly(train, horizon_hours=6 * WEEK, calibrate=calibrate)
            runs.append(time.perf_counter() - started)
        result["calibrated" if calibrate else "uncalibrated"] = round(statistics.median(runs), 2)
    result["load_average"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="hourly CSV with columns datetime,volume")
    parser.add_argument("--test-start", required=True, help="first forecast hour's date, YYYY-MM-DD")
    parser.add_argument("--horizon", type=int, default=WEEK, help="hours forecast from each origin")
    parser.add_argument("--origins", type=int, default=8, help="number of rolling origins")
    parser.add_argument("--ceiling", action="store_true",
                        help="also show the hindsight rate's MASE and the Poisson floor (not in the JSON)")
    parser.add_argument("--timing", action="store_true",
                        help="instead of the backtest: median seconds of 3 fits + six-week forecasts on all "
                             "hours before --test-start, with and without interval calibration")
    args = parser.parse_args(argv)

    try:
        test_start = pd.Timestamp(args.test_start)
    except ValueError:
        parser.error(f"--test-start must be a date YYYY-MM-DD; got {args.test_start!r}")
    if args.horizon < 1 or args.origins < 1:
        parser.error("--horizon and --origins must be at least 1")
    try:
        series = read_hourly_csv(args.data)
    except (OSError, ValueError) as error:
        parser.error(f"--data: {error}")

    if args.timing:
        return _timing(series[series.index < test_start])

    scores: dict[str, dict[str, list[float]]] = {}
    ceiling: dict[str, list[float]] = {"hindsight rate": [], "Poisson floor": []}
    used = 0
    mean_mase: list[float] = []
    for k in range(args.origins):
        origin = test_start + pd.Timedelta(hours=k * args.horizon)
        train = series[series.index < origin]
        actual = series[(series.index >= origin) & (series.index < origin + pd.Timedelta(hours=args.horizon))]
        if len(actual) < args.horizon or len(train) < 2 * WEEK:
            print(f"origin {origin:%Y-%m-%d %H:%M}: skipped (not enough data before or after it)", file=sys.stderr)
            continue
        used += 1
        scale = seasonal_naive_scale(train.to_numpy(dtype=float))
        y = actual.to_numpy(dtype=float)

        started = time.perf_counter()
        ours = forecast_hourly(train, horizon_hours=args.horizon, levels=(80,))
        seconds = time.perf_counter() - started
        # MASE is an absolute-error measure, so our point forecast is each hour's median;
        # the mean (what staffing uses) is scored too, outside the JSON.
        methods = {"firstcontact": (ours.median, ours.lower[80], ours.upper[80], seconds)}
        mean_mase.append(float(np.mean(np.abs(actual.to_numpy(dtype=float) - ours.mean)) / scale))
        methods.update(_anchor_forecasts(train, args.horizon))
        for name, (mean, lo, hi, secs) in methods.items():
            entry = scores.setdefault(name, {"mase": [], "coverage80": [], "seconds": []})
            entry["mase"].append(float(np.mean(np.abs(y - mean)) / scale))
            entry["coverage80"].append(float(np.mean((y >= lo) & (y <= hi))))
            entry["seconds"].append(secs)
        if args.ceiling:
            rate = hindsight_rate(series, origin, origin + pd.Timedelta(hours=args.horizon))
            ceiling["hindsight rate"].append(float(np.mean(np.abs(y - rate)) / scale))
            ceiling["Poisson floor"].append(float(np.mean(poisson_mean_absolute_deviation(rate)) / scale))
        print(f"origin {origin:%Y-%m-%d %H:%M}: " + ", ".join(
            f"{n} {s['mase'][-1]:.3f}" for n, s in scores.items()), file=sys.stderr)
    if not used:
        print("No origin had enough data before and after it.", file=sys.stderr)
        return 1

    summary = {
        name: {
            "mase": round(float(np.mean(s["mase"])), 4),
            "coverage80": round(float(np.mean(s["coverage80"])), 4),
            "seconds": round(float(np.sum(s["seconds"])), 2),
        }
        for name, s in scores.items()
    }
    best_anchor = min((v["mase"], k) for k, v in summary.items() if k != "firstcontact")
    print(f"{args.data.name}: {used} origins of {args.horizon} h from {test_start:%Y-%m-%d}")
    print(f"{'method':<22}{'MASE':>8}{'cover80':>9}{'seconds':>9}")
    for name, s in summary.items():
        print(f"{name:<22}{s['mase']:>8.3f}{s['coverage80']:>9.3f}{s['seconds']:>9.2f}")
    print(f"{'firstcontact (mean)':<22}{np.mean(mean_mase):>8.3f}")
    for name, values in ceiling.items():
        if values:
            print(f"{name + ' (oracle)':<22}{np.mean(values):>8.3f}{'':>9}{'':>9}")
    gain = 1 - summary["firstcontact"]["mase"] / best_anchor[0]
    print(f"firstcontact vs best anchor ({best_anchor[1]}): {gain:+.1%} MASE")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
