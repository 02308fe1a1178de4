"""The hourly forecaster: reading series, bank holidays, level shifts, interval calibration."""

from __future__ import annotations

import gzip
from datetime import date

import numpy as np
import pandas as pd
import pytest

from demand.forecasting import (
    english_bank_holidays,
    forecast_hourly,
    interval_coverage,
    mase,
    read_hourly_csv,
    seasonal_naive_scale,
)

HOURLY_SHAPE = 0.4 + np.sin(np.linspace(0, np.pi, 24)) ** 2  # quiet nights, busy afternoons
WEEKDAY_FACTOR = np.array([1.0, 0.95, 0.95, 1.0, 1.15, 1.3, 1.2])


def synthetic_demand(start: str, end: str, *, level: float = 10.0, holiday_factor: float = 1.0,
                     seed: int = 1) -> tuple[pd.Series, pd.Series]:
    """Poisson calls with daily and weekly rhythm; bank holidays scaled by ``holiday_factor``."""
    index = pd.date_range(start, end, freq="h", inclusive="left")
    rate = level * HOURLY_SHAPE[index.hour] * WEEKDAY_FACTOR[index.dayofweek]
    holidays = english_bank_holidays(range(index[0].year, index[-1].year + 1))
    on_holiday = np.array([d in holidays for d in index.date])
    rate = rate * np.where(on_holiday, holiday_factor, 1.0)
    calls = np.random.default_rng(seed).poisson(rate)
    return pd.Series(calls.astype(float), index=index), pd.Series(rate, index=index)


def test_read_hourly_csv_counts_absent_hours_as_zero(tmp_path):
    path = tmp_path / "calls.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("datetime,volume\n2025-01-01 00:00,5\n2025-01-01 03:00,2\n2025-01-01 03:00,1\n")
    series = read_hourly_csv(path)
    assert series.tolist() == [5, 0, 0, 3]
    assert series.index.freqstr == "h"


def test_read_hourly_csv_names_the_bad_row_and_field(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("datetime,volume\n2025-01-01 00:00,5\nyesterday,2\n")
    with pytest.raises(ValueError, match=r"row 3: datetime 'yesterday'"):
        read_hourly_csv(path)
    path.write_text("datetime,volume\n2025-01-01 00:00,-1\n")
    with pytest.raises(ValueError, match=r"row 2: volume"):
        read_hourly_csv(path)
    path.write_text("when,calls\n2025-01-01 00:00,1\n")
    with pytest.raises(ValueError, match="missing column"):
        read_hourly_csv(path)


def test_english_bank_holidays_include_the_august_one_not_scotlands():
    days = english_bank_holidays([2025])
    assert date(2025, 8, 25) in days  # England's summer bank holiday, last Monday of August
    assert date(2025, 8, 4) not in days  # Scotland's is the first Monday
    assert len(days) == 8


@pytest.fixture(scope="module")
def holiday_series():
    return synthetic_demand("2023-01-02", "2025-04-07", holiday_factor=0.5)


def test_forecast_covers_the_horizon_with_nested_intervals(holiday_series):
    calls, _ = holiday_series
    forecast = forecast_hourly(calls, horizon_hours=6 * 168)
    assert len(forecast.mean) == 6 * 168
    assert forecast.index[0] == calls.index[-1] + pd.Timedelta(hours=1)
    assert (forecast.lower[95] <= forecast.lower[80]).all()
    assert (forecast.lower[80] <= forecast.upper[80]).all()
    assert (forecast.upper[80] <= forecast.upper[95]).all()
    assert (forecast.mean >= 0).all()
    frame = forecast.to_frame()
    assert list(frame.columns) == ["mean", "lo80", "hi80", "lo95", "hi95"]


def test_bank_holiday_ahead_is_forecast_lower(holiday_series):
    """Easter Monday 2025 (21 April) comes in at about half a normal Monday, as past bank holidays did."""
    calls, truth = holiday_series
    forecast = forecast_hourly(calls, horizon_hours=3 * 168).to_frame()
    easter_monday = forecast.loc["2025-04-21", "mean"].sum()
    monday_before = forecast.loc["2025-04-14", "mean"].sum()
    assert easter_monday / monday_before == pytest.approx(0.5, abs=0.12)
    assert easter_monday == pytest.approx(truth.loc["2025-03-31"].sum() * 0.5, rel=0.15)


def test_forecast_beats_seasonal_naive_and_intervals_are_calibrated():
    """On a seeded Poisson series the forecast is well under the weekly naive's error, and ~80% inside 80%."""
    calls, truth = synthetic_demand("2024-01-01", "2025-03-03", seed=3)
    train, test = calls.iloc[:-4 * 168], calls.iloc[-4 * 168:]
    forecast = forecast_hourly(train, horizon_hours=4 * 168)
    scale = seasonal_naive_scale(train.to_numpy())
    ours = mase(test.to_numpy(), forecast.mean, scale)
    naive = mase(test.to_numpy(), train.to_numpy()[-168:].repeat(1).tolist() * 4, scale)
    assert ours < 0.85 * naive
    assert np.abs(forecast.mean - truth.iloc[-4 * 168:].to_numpy()).mean() < 0.1 * truth.mean()
    assert 0.74 <= interval_coverage(test.to_numpy(), forecast.lower[80], forecast.upper[80]) <= 0.9


def test_forecast_follows_a_level_shift():
    """Demand steps up by half three weeks before the origin: the forecast follows it most of the way."""
    calls, _ = synthetic_demand("2024-06-03", "2025-03-03", seed=5)
    shifted = calls.copy()
    recent = shifted.index >= shifted.index[-1] - pd.Timedelta(weeks=3)
    shifted[recent] = np.random.default_rng(6).poisson(shifted[recent] * 1.5)
    forecast = forecast_hourly(shifted, horizon_hours=168)
    old_week = calls.iloc[-168 * 4:-168 * 3].sum()
    assert forecast.mean.sum() > 1.3 * old_week


def test_short_history_is_refused_with_a_clear_message():
    calls, _ = synthetic_demand("2025-01-06", "2025-01-13")
    with pytest.raises(ValueError, match="two weeks"):
        forecast_hourly(calls, horizon_hours=24)


def test_intervals_widen_when_the_held_back_fortnight_is_burstier_than_the_history():
    """Calls turn bursty (gamma-mixed Poisson) in the last weeks: calibration widens the intervals to cover them."""
    calls, rate = synthetic_demand("2024-09-02", "2025-03-03", seed=7)
    rng = np.random.default_rng(8)
    bursty = calls.index >= calls.index[-1] - pd.Timedelta(weeks=7)
    calls[bursty] = rng.poisson(rate[bursty] * rng.gamma(2.0, 0.5, size=int(bursty.sum())))
    train, test = calls.iloc[:-2 * 168], calls.iloc[-2 * 168:].to_numpy()
    plain = forecast_hourly(train, horizon_hours=2 * 168, levels=(80,), calibrate=False)
    calibrated = forecast_hourly(train, horizon_hours=2 * 168, levels=(80,))
    assert calibrated.calibration > 1
    assert (calibrated.upper[80] - calibrated.lower[80]).mean() > (plain.upper[80] - plain.lower[80]).mean()
    assert abs(interval_coverage(test, calibrated.lower[80], calibrated.upper[80]) - 0.8) < abs(
        interval_coverage(test, plain.lower[80], plain.upper[80]) - 0.8)


def test_point_forecast_for_absolute_error_is_the_hourly_median():
    """For skewed low counts the median sits at or below the mean and is a whole number of calls."""
    calls, _ = synthetic_demand("2024-09-02", "2025-01-06", level=1.0, seed=9)
    forecast = forecast_hourly(calls, horizon_hours=168, levels=(80,))
    assert np.all(forecast.median == np.round(forecast.median))
    assert np.all(forecast.median <= np.ceil(forecast.mean))
    assert forecast.median.mean() < forecast.mean.mean()
