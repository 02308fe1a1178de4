"""Evidence tests keep their files in a temporary directory, through the same storage API as production."""

from __future__ import annotations

import pytest

from cases.services import record_crime_from_contact
from cases.tests.factories import crime_contact


@pytest.fixture(autouse=True)
def evidence_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "media"}},
        "evidence_staging": {
            "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "staging"},
        },
    }
    return tmp_path


@pytest.fixture
def investigator(make_user):
    return make_user("resolution-investigator", username="resolver1", first_name="Jo", last_name="Smith")


@pytest.fixture
def crime(investigator, call_handler):
    return record_crime_from_contact(contact=crime_contact(actor=call_handler), actor=call_handler)
