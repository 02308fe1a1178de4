"""Factories for demand records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factory

from demand.models import CallEvent


class CallEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallEvent

    queue = "999"
    offered_at = factory.Sequence(lambda n: datetime(2025, 11, 3, 9, tzinfo=UTC) + timedelta(minutes=7 * n))
    answered_at = factory.LazyAttribute(lambda o: o.offered_at + timedelta(seconds=6))
    external_id = factory.Sequence(lambda n: f"test-call-{n}")
    handled_seconds = 240
