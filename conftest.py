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


# The reference data the migrations seed: (migration module, seeding function, a model it fills).
# A flush empties every table at once, so a seeder whose model still holds rows has nothing to put
# back and is skipped; the seeders are idempotent (get_or_create / update_or_create) in any case.
SEEDED_BY_MIGRATIONS = (
    ("contacts.migrations.0002_seed_incident_types", "seed", "contacts.IncidentType"),
    ("contacts.migrations.0004_thrive_and_grading", "seed_rules", "contacts.GradingRule"),
    ("contacts.migrations.0005_advice_partners_outcomes", "seed_reference", "contacts.PartnerAgency"),
    ("contacts.migrations.0006_dash_dara_marac", "seed_checklists", "contacts.RiskChecklist"),
    ("contacts.migrations.0008_quality_checklist", "add", "contacts.QualityChecklist"),
    ("cases.migrations.0002_seed_reference_data", "seed", "cases.OutcomeType"),
    ("records.migrations.0002_default_retention_policy", "seed", "records.RetentionRule"),
    ("records.migrations.0003_online_reports_and_nfa_exhibits", "seed", "records.RetentionRule"),
    ("records.migrations.0004_statements_and_report_files", "seed", "records.RetentionRule"),
)


@pytest.fixture
def reference_data(db):
    """The reference data the migrations seed (incident types, grading rules, advice and partners, DASH,
    DARA and quality checklists, offence classifications and Home Office outcomes, retention rules), present again.

    A transactional test (``django_db(transaction=True)``: the browser tests, the concurrency tests)
    ends by flushing every table, so a transactional test that runs after another finds them empty.
    Such a test asks for this fixture instead of seeding by hand.
    """
    from importlib import import_module

    from django.apps import apps

    # A table seeded by several migrations gets all of them when it was empty.
    empty = {model: not apps.get_model(model).objects.exists() for _, _, model in SEEDED_BY_MIGRATIONS}
    for module, function, model in SEEDED_BY_MIGRATIONS:
        if empty[model]:
            getattr(import_module(module), function)(apps, None)
