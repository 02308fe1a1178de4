"""Background work for demand: forecasts are computed off the request path by django-tasks."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_forecasts_task(backtest_weeks: int = 0) -> int:
    """Make a fresh six-week forecast snapshot per queue and rescore the older ones; returns how many were made."""
    from .services import refresh_forecasts

    return len(refresh_forecasts(backtest_weeks=backtest_weeks))
