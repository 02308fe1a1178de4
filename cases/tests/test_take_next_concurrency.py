"""Two investigators pressing "take next" at the same moment get different crimes (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from cases import services
from cases.models import Investigation, InvestigationState

from .factories import resolution_centre, routed_crime

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_take_next_never_gives_one_crime_to_two_people(reference_data, make_user):
    team = resolution_centre()
    handler = make_user("call-handler", username="handler-race")
    for _ in range(6):
        routed_crime(actor=handler)
    services.queue_routed_crimes(actor=handler)
    investigators = [make_user("resolution-investigator", username=f"race{n}") for n in range(4)]
    start = threading.Barrier(len(investigators))
    taken: list[int | None] = []
    errors: list[BaseException] = []

    def take(user):
        try:
            start.wait()
            inv = services.take_next(actor=user, team=team)
            taken.append(inv.crime_id if inv else None)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(user,)) for user in investigators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(taken) == 4 and None not in taken and len(set(taken)) == 4
    allocated = Investigation.objects.filter(state=InvestigationState.ALLOCATED)
    assert sorted(allocated.values_list("crime_id", flat=True)) == sorted(taken)
    assert len(set(allocated.values_list("investigator_id", flat=True))) == 4
