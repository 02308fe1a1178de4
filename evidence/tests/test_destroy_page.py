"""Destroying an exhibit from its page, outside the retention review: a supervisor or the data protection
officer gives a reason, confirms, and the file goes once; an open crime's exhibit is refused."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage

from audit.models import AuditEntry
from cases.services import close_crime
from cases.tests.factories import routed_crime
from evidence import samples, services
from evidence.models import CustodyEvent, Exhibit

REASON = "Owner confirmed the damage was repaired; the photo is no longer needed"


@pytest.fixture
def supervisor(make_user):
    return make_user("supervisor", username="super1", first_name="Sam", last_name="Supervisor")


def _exhibit(crime, actor) -> Exhibit:
    data = samples.png(seed=11)
    return services.receive_file(actor=actor, description="Photo of the damaged door", produced_by="Jo Smith",
                                 file=io.BytesIO(data), filename="door.png", size=len(data), crime=crime)


@pytest.fixture
def closed(call_handler, investigator, supervisor):
    """An exhibit of a crime closed with no further action (outcome 18), its file in real storage."""
    crime = routed_crime(actor=call_handler)
    exhibit = _exhibit(crime, investigator)
    close_crime(crime=crime, actor=supervisor, outcome=18)
    return exhibit


def _url(exhibit) -> str:
    return f"/staff/evidence/exhibits/{exhibit.pk}/destroy/"


def _destroyed_events(exhibit) -> int:
    return CustodyEvent.objects.filter(exhibit=exhibit, event=CustodyEvent.Event.DESTROYED).count()


def _erasures(exhibit) -> int:
    return AuditEntry.objects.filter(subject_type="evidence.exhibit", subject_id=str(exhibit.pk),
                                     action="erasure").count()


def test_a_supervisor_gives_a_reason_confirms_and_the_file_goes_once(
        client, closed, supervisor, django_capture_on_commit_callbacks):
    stored = closed.file.name
    client.force_login(supervisor)
    page = client.get(f"/staff/evidence/exhibits/{closed.pk}/").content.decode()
    assert f'href="{_url(closed)}"' in page and "Destroy this exhibit" in page

    # No reason: the field is named, nothing happens.
    response = client.post(_url(closed), {"reason": "  "})
    assert response.status_code == 400
    assert "Enter why the exhibit is being destroyed" in response.content.decode()

    # A reason: the confirmation step, with the reason carried; still nothing destroyed.
    response = client.post(_url(closed), {"reason": REASON})
    body = response.content.decode()
    assert response.status_code == 200 and "Are you sure you want to destroy exhibit JS/1?" in body
    assert 'name="confirm" value="yes"' in body and REASON in body
    assert default_storage.exists(stored) and _destroyed_events(closed) == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(closed), {"reason": REASON, "confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == f"/staff/evidence/exhibits/{closed.pk}/"
    assert not default_storage.exists(stored)
    closed.refresh_from_db()
    assert closed.destroyed and closed.file.name == ""
    event = CustodyEvent.objects.get(exhibit=closed, event=CustodyEvent.Event.DESTROYED)
    assert event.reason == REASON and event.actor == supervisor and event.authorised_by == supervisor
    assert event.detail["via"] == "exhibit page"

    # The same confirmation again (a double click, a resend): destroyed once, logged once.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(_url(closed), {"reason": REASON, "confirm": "yes"})
    assert again.status_code == 302
    assert _destroyed_events(closed) == 1 and _erasures(closed) == 1
    after = client.get(again["Location"]).content.decode()
    assert "was destroyed on" in after and "Destroy this exhibit" not in after


def test_an_exhibit_of_an_open_crime_is_refused_with_a_plain_message(client, call_handler, investigator, supervisor):
    crime = routed_crime(actor=call_handler)
    exhibit = _exhibit(crime, investigator)
    client.force_login(supervisor)
    assert "Destroy this exhibit" not in client.get(f"/staff/evidence/exhibits/{exhibit.pk}/").content.decode()

    for data in ({}, {"reason": REASON}, {"reason": REASON, "confirm": "yes"}):
        response = client.post(_url(exhibit), data) if data else client.get(_url(exhibit))
        assert response.status_code == 409
        assert f"The crime {crime.reference} is still open: its evidence cannot be destroyed." in response.content.decode()
    exhibit.refresh_from_db()
    assert not exhibit.destroyed and default_storage.exists(exhibit.file.name) and _erasures(exhibit) == 0


def test_an_investigator_may_not_destroy(client, closed, investigator):
    client.force_login(investigator)
    assert "Destroy this exhibit" not in client.get(f"/staff/evidence/exhibits/{closed.pk}/").content.decode()
    assert client.get(_url(closed)).status_code == 403
    assert client.post(_url(closed), {"reason": REASON, "confirm": "yes"}).status_code == 403
    closed.refresh_from_db()
    assert not closed.destroyed and default_storage.exists(closed.file.name)


def test_the_data_protection_officer_opens_the_exhibit_page_without_the_file_and_destroys(
        client, closed, dpo, django_capture_on_commit_callbacks):
    client.force_login(dpo)
    page = client.get(f"/staff/evidence/exhibits/{closed.pk}/").content.decode()
    assert "Only evidence staff can play or download the file" in page and "Destroy this exhibit" in page
    assert client.get(f"/staff/evidence/exhibits/{closed.pk}/content").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(closed), {"reason": REASON, "confirm": "yes"})
    closed.refresh_from_db()
    assert closed.destroyed and _destroyed_events(closed) == 1


def test_other_staff_cannot_open_the_exhibit_page(client, closed, call_handler):
    client.force_login(call_handler)
    assert client.get(f"/staff/evidence/exhibits/{closed.pk}/").status_code == 403
