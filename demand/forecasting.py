"""Hourly demand forecasts with intervals: daily totals by statsforecast, shared out by an hour-of-week profile.

Pure module: no Django. Input is an hourly series of calls on a regular local
wall-clock index; output is the mean and the 80%/95% intervals for each hour ahead.

Why this shape. At horizons of several weeks a seasonal average of recent weeks is
hard to beat hour by hour; what moves accuracy is the level (it shifts, e.g. after
a process change or an outbreak), bank holidays and the weekly rhythm of the day
totals. So the model works top-down, as contact-centre planners do:

1. daily totals, with bank-holiday days divided by the holiday effect learned from
   past bank holidays (shrunk towards no effect when there are few of them);
2. statsforecast forecasts the adjusted daily totals (level and day-of-week
   pattern; a yearly cycle too when there are two years or more);
3. the holiday effect is put back on holidays ahead;
4. each day is shared out over its hours by the hour-of-day profile of that weekday
   over the last two years, recent weeks weighing more (bank holidays take the
   Sunday profile);
5. the result is averaged with statsforecast's AutoETS (season 24) fitted to the last
   12 weeks of hours, which follows a level shift within days; averaging two
   forecasts with different errors beat either alone on every development series;
6. intervals come from a negative binomial whose variance adds Poisson noise, the
   hour-level over-dispersion seen in the history, and the daily model's own
   uncertainty; the extra-Poisson part is then calibrated (split conformal): the
   same forecaster is run once more from two weeks before the end of the history,
   and the multiplier of that part whose 80% interval covered the held-back
   fortnight best is applied;
7. besides the mean (what staffing needs: Erlang works on the arrival rate) the
   forecast gives the median of each hour's distribution, the point forecast that
   minimises the expected absolute error (so MASE, an absolute-error measure, is
   judged on it).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

# statsforecast compiles with numba; caching the compiled code on disk keeps
# repeat runs (tasks, benchmarks) from paying the compile time again.
os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

WEEK_HOURS = 168
PROFILE_WEEKS = 104  # weeks that shape each weekday's hourly profile (two years)
PROFILE_HALF_LIFE_WEEKS = 26.0  # a week half a year old counts half: the profile drifts slowly
LOCAL_WEEKS = 12  # weeks of hourly history the local ETS model sees
LOCAL_WEIGHT = 0.5  # share of the local ETS model in the final mean
HOLIDAY_PRIOR = 3.0  # pseudo-holidays of "no effect" the learned effect is shrunk towards
CALIBRATION_HOURS = 2 * WEEK_HOURS  # the held-back end of the history the interval width is calibrated on
# Multipliers of the extra-Poisson variance tried in calibration: the one whose 80% interval
# covered closest to 80% of the held-back fortnight is used for the forecast.
CALIBRATION_GRID = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)


def english_bank_holidays(years: Iterable[int]) -> set[date]:
    """English and Welsh bank holidays (``holidays`` package, subdivision ENG) for ``years``."""
    import holidays

    return set(holidays.country_holidays("GB", subdiv="ENG", years=list(years)).keys())


def read_hourly_csv(path: str | Path) -> pd.Series:
    """Read a ``datetime,volume`` CSV (gzip allowed) into a regular hourly series; absent hours are 0.

    Rule: duplicate hours (e.g. the repeated hour when clocks go back) are summed.
    """
    frame = pd.read_csv(path, dtype={"datetime": str})
    missing = {"datetime", "volume"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}; expected datetime,volume.")
    stamps = pd.to_datetime(frame["datetime"], errors="coerce")
    bad = stamps.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise ValueError(f"{path}: row {row}: datetime {frame['datetime'].iloc[row - 2]!r} is not a date and time.")
    volume = pd.to_numeric(frame["volume"], errors="coerce")
    if volume.isna().any() or (volume < 0).any():
        row = int(np.flatnonzero((volume.isna() | (volume < 0)).to_numpy())[0]) + 2
        raise ValueError(f"{path}: row {row}: volume must be a whole number of calls, 0 or more.")
    series = volume.groupby(stamps.dt.floor("h").to_numpy()).sum()
    full = pd.date_range(series.index.min(), series.index.max(), freq="h")
    return series.reindex(full, fill_value=0).astype(float)


def seasonal_naive_scale(y: np.ndarray, season: int = WEEK_HOURS) -> float:
    """In-sample MAE of the seasonal naive forecast: the MASE denominator (Hyndman & Koehler, 2006)."""
    if len(y) <= season:
        raise ValueError(f"MASE needs more than {season} hours of history.")
    scale = float(np.mean(np.abs(y[season:] - y[:-season])))
    return scale if scale > 0 else 1.0


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    """Mean absolute scaled error against a precomputed seasonal-naive scale."""
    return float(np.mean(np.abs(np.asarray(actual) - np.asarray(forecast))) / scale)


def interval_coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actual values inside [lower, upper]."""
    actual = np.asarray(actual)
    return float(np.mean((actual >= lower) & (actual <= upper)))


@dataclass
class HourlyForecast:
    """Mean and intervals for each hour ahead; ``lower[80]`` is the 80% interval's lower bound."""

    index: pd.DatetimeIndex
    mean: np.ndarray
    lower: dict[int, np.ndarray] = field(default_factory=dict)
    upper: dict[int, np.ndarray] = field(default_factory=dict)
    holiday_effect: float = 1.0
    variance: np.ndarray | None = None
    median: np.ndarray | None = None
    calibration: float = 1.0

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame({"mean": self.mean}, index=self.index)
        for level in sorted(self.lower):
            frame[f"lo{level}"] = self.lower[level]
            frame[f"hi{level}"] = self.upper[level]
        return frame


def _holiday_effect(daily: pd.Series, holiday_days: set[date]) -> float:
    """Multiplicative effect of a bank holiday on the day's total, shrunk towards 1.

    Each past holiday is compared with the same weekday one and two weeks either side
    (non-holidays); the log ratios are averaged with HOLIDAY_PRIOR pseudo-days at 0.
    """
    logs = []
    values = daily.to_dict()
    for day in daily.index:
        if day.date() not in holiday_days:
            continue
        neighbours = [values.get(day + pd.Timedelta(days=d)) for d in (-14, -7, 7, 14)]
        neighbours = [v for v, d in zip(neighbours, (-14, -7, 7, 14), strict=True)
                      if v is not None and (day + pd.Timedelta(days=d)).date() not in holiday_days]
        if len(neighbours) >= 2 and values[day] > 0 and np.mean(neighbours) > 0:
            logs.append(math.log(values[day] / float(np.mean(neighbours))))
    if not logs:
        return 1.0
    return math.exp(sum(logs) / (len(logs) + HOLIDAY_PRIOR))


def _daily_model():
    """The statsforecast model for daily totals: ETS with a weekly season.

    A yearly cycle (MSTL with seasons 7 and 365) was tried on two to three years of
    daily totals and was no better at six weeks ahead, so it is left out.
    """
    from statsforecast.models import AutoETS

    return AutoETS(season_length=7)


def _local_hourly(history: pd.Series, index: pd.DatetimeIndex, holiday_days: set[date], effect: float
                  ) -> np.ndarray:
    """AutoETS (season 24) on the last LOCAL_WEEKS weeks of hours, with weekday and holiday effects taken out.

    An hourly ETS with a daily season cannot see the weekly rhythm or bank holidays,
    so hours are divided by their weekday's factor (and holiday hours by the holiday
    effect) before the fit, and the forecast is multiplied back.
    """
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    recent = history.iloc[-LOCAL_WEEKS * WEEK_HOURS:]
    past_holiday = np.array([d in holiday_days for d in recent.index.date])
    plain = recent[~past_holiday]
    by_weekday = plain.groupby(plain.index.day_of_week).mean().reindex(range(7))
    weekday = (by_weekday / by_weekday.mean()).fillna(1.0).clip(lower=0.05).to_numpy()
    divisor = weekday[recent.index.day_of_week] * np.where(past_holiday, effect, 1.0)
    frame = pd.DataFrame({"unique_id": "q", "ds": recent.index, "y": recent.to_numpy() / divisor})
    out = StatsForecast(models=[AutoETS(season_length=24)], freq="h", n_jobs=1).forecast(df=frame, h=len(index))
    ahead_holiday = np.array([d in holiday_days for d in index.date])
    multiplier = weekday[index.day_of_week] * np.where(ahead_holiday, effect, 1.0)
    return np.maximum(out["AutoETS"].to_numpy(), 0.0) * multiplier


def _profiles(history: pd.Series, holiday_days: set[date]) -> np.ndarray:
    """Share of each weekday's total falling in each hour (7 x 24), weighting recent weeks more."""
    recent = history[history.index >= history.index[-1] - pd.Timedelta(weeks=PROFILE_WEEKS)]
    frame = pd.DataFrame({"y": recent.to_numpy()}, index=recent.index)
    frame["day"] = frame.index.normalize()
    frame = frame[~frame["day"].dt.date.isin(holiday_days)]
    age_weeks = (recent.index[-1] - frame.index).total_seconds().to_numpy() / (7 * 86400)
    frame["w"] = 0.5 ** (age_weeks / PROFILE_HALF_LIFE_WEEKS)
    frame["wy"] = frame["w"] * frame["y"]
    grouped = frame.groupby([frame.index.day_of_week, frame.index.hour])["wy"].sum()
    table = np.ones((7, 24))
    for (dow, hour), value in grouped.items():
        table[dow, hour] = value + 1e-9
    # Pool a little with the all-days profile so a sparse weekday does not produce zeros.
    overall = table.sum(axis=0, keepdims=True) / table.sum() * 24
    shares = table / table.sum(axis=1, keepdims=True)
    pooled = 0.9 * shares + 0.1 * overall / 24
    return pooled / pooled.sum(axis=1, keepdims=True)


def forecast_hourly(history: pd.Series, *, horizon_hours: int, levels: Iterable[int] = (80, 95),
                    holiday_days: set[date] | None = None, calibrate: bool = True) -> HourlyForecast:
    """Forecast the next ``horizon_hours`` hours after ``history`` with intervals at ``levels`` percent.

    ``history`` is hourly, regular, local wall-clock time, at least two weeks long.
    Bank holidays default to England and Wales's (English bank holidays rule the
    working and demand calendar of a force in England). With ``calibrate`` and five
    weeks of history or more, the interval width is calibrated on the last fortnight.
    """
    if holiday_days is None:
        last = history.index[-1] + pd.Timedelta(hours=horizon_hours)
        holiday_days = english_bank_holidays(range(history.index[0].year, last.year + 1))
    result = _forecast(history, horizon_hours=horizon_hours, levels=levels, holiday_days=holiday_days)
    multiplier = 1.0
    if calibrate and len(history) >= 3 * WEEK_HOURS + CALIBRATION_HOURS:
        multiplier = _calibration_multiplier(history, holiday_days)
    variance = result.mean + multiplier * (result.variance - result.mean)
    for level in result.lower:
        result.lower[level], result.upper[level] = _negative_binomial_interval(result.mean, variance, level)
    result.variance, result.calibration = variance, multiplier
    result.median = _negative_binomial_quantile(result.mean, variance, 0.5)
    return result


def _calibration_multiplier(history: pd.Series, holiday_days: set[date]) -> float:
    """The extra-Poisson variance multiplier whose 80% interval best covered the last CALIBRATION_HOURS.

    Split conformal calibration: the forecaster is fitted without the last fortnight,
    and the fortnight's actual hours, which it did not see, score each multiplier.
    """
    inner = history.iloc[:-CALIBRATION_HOURS]
    held = history.iloc[-CALIBRATION_HOURS:].to_numpy(dtype=float)
    trial = _forecast(inner, horizon_hours=CALIBRATION_HOURS, levels=(), holiday_days=holiday_days)
    best, best_gap = 1.0, math.inf
    for multiplier in CALIBRATION_GRID:
        variance = trial.mean + multiplier * (trial.variance - trial.mean)
        lower, upper = _negative_binomial_interval(trial.mean, variance, 80)
        gap = abs(interval_coverage(held, lower, upper) - 0.8)
        if gap < best_gap - 1e-12:
            best, best_gap = multiplier, gap
    return best


def _forecast(history: pd.Series, *, horizon_hours: int, levels: Iterable[int],
              holiday_days: set[date]) -> HourlyForecast:
    """The uncalibrated forecast: mean, variance and intervals (see the module docstring, steps 1-6)."""
    from statsforecast import StatsForecast

    if len(history) < 2 * WEEK_HOURS:
        raise ValueError("history must cover at least two weeks of hours.")
    levels = tuple(levels)
    history = history.astype(float)
    start = history.index[-1] + pd.Timedelta(hours=1)
    index = pd.date_range(start, periods=horizon_hours, freq="h")

    # Daily totals over whole days only; a part day at either end is left out of the fit.
    first_midnight = history.index[0].normalize()
    if history.index[0] != first_midnight:
        first_midnight += pd.Timedelta(days=1)
    last_midnight = start.normalize()
    whole = history[(history.index >= first_midnight) & (history.index < last_midnight)]
    daily = whole.resample("D").sum()
    effect = _holiday_effect(daily, holiday_days)
    is_holiday = np.array([d.date() in holiday_days for d in daily.index])
    adjusted = daily.to_numpy() / np.where(is_holiday, effect, 1.0)

    days_ahead = (index[-1].normalize() - last_midnight).days + 1
    frame = pd.DataFrame({"unique_id": "q", "ds": daily.index, "y": adjusted})
    engine = StatsForecast(models=[_daily_model()], freq="D", n_jobs=1)
    out = engine.forecast(df=frame, h=days_ahead, level=[80])
    name = [c for c in out.columns if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c][0]
    day_mean = np.maximum(out[name].to_numpy(), 0.0)
    # Daily forecast standard deviation, read back from its 80% interval.
    day_sd = (out[f"{name}-hi-80"].to_numpy() - out[f"{name}-lo-80"].to_numpy()) / (2 * 1.2815515655446004)
    day_dates = pd.date_range(last_midnight, periods=days_ahead, freq="D")
    ahead_holiday = np.array([d.date() in holiday_days for d in day_dates])
    day_mean = day_mean * np.where(ahead_holiday, effect, 1.0)
    day_sd = day_sd * np.where(ahead_holiday, effect, 1.0)

    shares = _profiles(history, holiday_days)
    day_pos = (index.normalize() - last_midnight).days.to_numpy()
    dow = np.where(ahead_holiday[day_pos], 6, index.day_of_week.to_numpy())
    hour_share = shares[dow, index.hour.to_numpy()]
    top_down = day_mean[day_pos] * hour_share
    mean = (1 - LOCAL_WEIGHT) * top_down + LOCAL_WEIGHT * _local_hourly(history, index, holiday_days, effect)
    relative_sd = np.where(day_mean > 0, day_sd / np.maximum(day_mean, 1e-9), 0.0)[day_pos]

    alpha = _overdispersion(history, shares, holiday_days)
    variance = mean + alpha * mean**2 + (relative_sd * mean) ** 2
    lower, upper = {}, {}
    for level in levels:
        lower[level], upper[level] = _negative_binomial_interval(mean, variance, level)
    return HourlyForecast(index=index, mean=mean, lower=lower, upper=upper, holiday_effect=effect,
                          variance=variance)


def _overdispersion(history: pd.Series, shares: np.ndarray, holiday_days: set[date]) -> float:
    """Extra-Poisson variance of hours around (actual day total x profile), as alpha in mu + alpha·mu²."""
    recent = history[history.index >= history.index[-1] - pd.Timedelta(weeks=PROFILE_WEEKS)]
    days = recent.index.normalize()
    totals = recent.groupby(days).transform("sum").to_numpy()
    fitted = totals * shares[recent.index.day_of_week, recent.index.hour]
    y = recent.to_numpy()
    keep = fitted > 0.5
    if keep.sum() < 48:
        return 0.0
    excess = ((y[keep] - fitted[keep]) ** 2 - fitted[keep]).sum() / (fitted[keep] ** 2).sum()
    return max(0.0, float(excess))


def _negative_binomial_quantile(mean: np.ndarray, variance: np.ndarray, q: float) -> np.ndarray:
    """The ``q`` quantile of counts with this mean and variance (near-Poisson where variance <= mean)."""
    mean = np.maximum(mean, 1e-9)
    variance = np.maximum(variance, mean * (1 + 1e-9))
    p = mean / variance
    n = mean * p / (1 - p)
    return stats.nbinom.ppf(q, n, p).astype(float)


def _negative_binomial_interval(mean: np.ndarray, variance: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray]:
    """Central ``level``% interval of counts with this mean and variance (Poisson where variance <= mean)."""
    tail = (1 - level / 100) / 2
    return (_negative_binomial_quantile(mean, variance, tail),
            _negative_binomial_quantile(mean, variance, 1 - tail))
