"""Records-management fixtures: dated records built through the owning apps' services."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from people.models import Person
from people.services import record_person


def at(day: date) -> datetime:
    """Noon on ``day`` in Europe/London."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def dated_person(actor, *, on: date, **values) -> Person:
    """A person whose record was made and last changed on ``on`` (nothing else recorded about them)."""
    values = {"given_name": "Tomas", "family_name": "Reyes", **values}
    person = record_person(actor=actor, **values)
    Person.objects.filter(pk=person.pk).update(created_at=at(on), updated_at=at(on))
    person.refresh_from_db()
    return person


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    """Exhibits (and their staging) in a temporary directory: disposal destroys real files there."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "media"}},
        "evidence_staging": {
            "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "staging"},
        },
    }
    return tmp_path


@pytest.fixture
def retention_officer(dpo):
    return dpo
