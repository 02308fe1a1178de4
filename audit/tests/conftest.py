"""Fixtures for the audit tests."""

from __future__ import annotations

import pytest

from .helpers import write_entries


@pytest.fixture
def entries(db):
    """Five entries about five people, written by the real service."""
    write_entries(5)
