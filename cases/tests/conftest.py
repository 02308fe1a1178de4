"""Who works an investigation in the cases tests: one resolution centre, an investigator and a supervisor in it."""

from __future__ import annotations

import pytest

from .factories import resolution_centre


@pytest.fixture
def hanley(db):
    """The resolution centre the investigations are queued to."""
    return resolution_centre()


@pytest.fixture
def resolver(make_user, hanley):
    """A resolution-centre investigator in Hanley (takes crimes from its queue)."""
    user = make_user("resolution-investigator", username="rosa")
    user.teams.add(hanley)
    return user


@pytest.fixture
def supervisor(make_user, hanley):
    """A supervisor in Hanley (allocates, reviews and closes)."""
    user = make_user("supervisor", username="sam")
    user.teams.add(hanley)
    return user
