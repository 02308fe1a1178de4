"""Background work for demand: forecasts are computed off the request path by django-tasks."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_forecasts_task(backtest_weeks: int = 0) -> int:
    """Make a fresh six-week forecast snapshot per queue and rescore the older ones; returns how many were made."""
    from .services import refresh_forecasts

    return len(refresh_forecasts(backtest_weeks=backtest_weeks))


@task()
def sync_contact_calls_task(days: int = 2) -> int:
    """Count the last ``days`` days of FirstContact's contacts as call events (schedule it, e.g. every 5 minutes)."""
    from datetime import timedelta

    from django.utils import timezone

    from .services import sync_contact_call_events

    return sync_contact_call_events(since=timezone.now() - timedelta(days=days))["created"]
