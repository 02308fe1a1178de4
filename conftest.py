"""Shared test fixtures: staff in each role, an outsider, and the browser."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.tests.factories import TEST_PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _fresh_memory_caches():
    """Each test starts with empty in-process caches.

    The rate limits count in a cache; without this a test inherits the submissions of the tests
    before it (same client address) and meets "You have tried too many times" for no reason of its own.
    Only local-memory caches are cleared: clearing a Redis cache would empty a whole Redis database.
    """
    from django.conf import settings
    from django.core.cache import caches

    for alias, config in settings.CACHES.items():
        if config["BACKEND"].endswith("LocMemCache"):
            caches[alias].clear()
    yield


@pytest.fixture
def make_user(db):
    """Build a member of staff in a role: ``make_user("supervisor")``."""

    def _make(role: str | None = None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return _make


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def call_handler(make_user):
    return make_user("call-handler", username="handler1")


@pytest.fixture
def dpo(make_user):
    return make_user("data-protection-officer", username="dpo1")


@pytest.fixture
def outsider(make_user):
    """Signed-in member of staff with no role: must see nothing personal."""
    return make_user(None, username="norole1")


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` only run when the database is PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"
