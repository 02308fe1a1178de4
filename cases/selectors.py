"""Reads for the crime admin bureau: the queues, one crime, and the NCRS compliance figures.

The queues show crime references, offences, places and clocks, not the victim's
details, so working them is not a consultation of anyone's personal record.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from . import compliance
from .models import OPEN_STATUSES, Crime, CrimeStatus

QUEUE_PAGE = 50


def _with_related(queryset: QuerySet[Crime]) -> QuerySet[Crime]:
    return queryset.select_related("classification", "contact__incident_type", "cancellation_code")


def awaiting_recording() -> QuerySet[Crime]:
    """Crimes waiting for a classification, oldest report (nearest the 24-hour limit) first."""
    return _with_related(Crime.objects.filter(status=CrimeStatus.AWAITING_RECORDING)).order_by("reported_at", "id")


def awaiting_classification_check() -> QuerySet[Crime]:
    """Recorded crimes whose classification the bureau has not yet checked, oldest first."""
    return _with_related(
        Crime.objects.filter(
            status__in=(CrimeStatus.RECORDED, CrimeStatus.UNDER_INVESTIGATION), classification_checked_at__isnull=True
        )
    ).order_by("recorded_at", "id")


def cancellations_awaiting_approval() -> QuerySet[Crime]:
    """Open crimes with a cancellation asked for and not yet decided, oldest request first."""
    return _with_related(
        Crime.objects.filter(
            status__in=OPEN_STATUSES, cancellation_requested_at__isnull=False, cancelled_at__isnull=True
        ).select_related("cancellation_requested_by")
    ).order_by("cancellation_requested_at", "id")


def with_clocks(crimes, now: datetime) -> list[tuple[Crime, compliance.Clock]]:
    """Pair each crime with its recording clock at ``now``."""
    return [(crime, compliance.recording_clock(crime.reported_at, now)) for crime in crimes]


def crime_by_reference(reference: str) -> Crime | None:
    """One crime with what its bureau page shows, or None."""
    return (
        _with_related(Crime.objects.filter(reference=reference))
        .select_related("outcome", "classification_checked_by", "cancelled_by", "closed_by", "cancellation_requested_by")
        .first()
    )


def weekly_compliance(*, weeks: int = 12, now: datetime | None = None) -> list[compliance.WeekCompliance]:
    """NCRS compliance for the last ``weeks`` weeks; a crime cancelled before it was ever recorded is left out."""
    now = now or timezone.now()
    since = datetime.combine(
        compliance.week_start(now) - timedelta(weeks=weeks - 1), datetime.min.time(), tzinfo=compliance.LONDON
    )
    times = (
        Crime.objects.filter(reported_at__gte=since)
        .exclude(status=CrimeStatus.CANCELLED, recorded_at__isnull=True)
        .values_list("reported_at", "recorded_at")
    )
    return compliance.weekly_compliance(times.iterator(chunk_size=5000), now=now, weeks=weeks)
