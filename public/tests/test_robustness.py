"""Limits shared through Redis, and two sends of one report racing on PostgreSQL: one report."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from contacts.models import Contact
from public import services
from public.models import OnlineReport, ReportKind

from .helpers import yesterday

REDIS_DB = "redis://127.0.0.1:6379/2"


@pytest.mark.django_db
def test_the_rate_limit_counts_in_redis_when_configured(client, settings):
    settings.CACHES = {**settings.CACHES, "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_DB, "KEY_PREFIX": "fc-test-rl"}}
    settings.PUBLIC_TRACK_REQUESTS_PER_HOUR = 2
    from django.core.cache import caches

    caches["ratelimit"].clear()
    try:
        data = {"reference": "C000000001", "contact_detail": "a@example.org"}
        statuses = [client.post(reverse("public:track"), data).status_code for _ in range(3)]
        assert statuses == [302, 302, 429]
        assert "You have tried too many times" in client.post(reverse("public:track"), data).content.decode()
        # The count lives in Redis: another process (here, a fresh client) sees it.
        import redis

        assert any(b"fc-test-rl" in key for key in redis.Redis.from_url(REDIS_DB).keys("*"))
    finally:
        caches["ratelimit"].clear()


def _incident():
    from datetime import datetime

    from django.utils import timezone

    day = yesterday()
    return services.Incident(
        kind=ReportKind.THEFT, occurred_at=datetime(day.year, day.month, day.day, 10, 0, tzinfo=timezone.get_current_timezone()),
        location="Market Square, Stafford", description="Phone taken from a table.", answers={"What was stolen": "Phone"},
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_report_at_once_store_one_report(reference_data):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def send():
        try:
            barrier.wait()
            results.append(services.submit_online_report(
                submission_key="race-key-1", incident=_incident(), given_name="Ravi", family_name="Shah",
                email="ravi@example.org").pk)
        except Exception as exc:  # the test reports any failure below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(set(results)) == 1
    assert OnlineReport.objects.count() == Contact.objects.count() == 1
