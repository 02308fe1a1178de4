"""POST /api/demand/call-events: the telephony:write scope, idempotency, named errors."""

from __future__ import annotations

import json

import pytest

from accounts.services import issue_api_token
from demand.models import CallEvent

URL = "/api/demand/call-events"
EVENT = {"external_id": "tel-1", "queue": "999", "offered_at": "2025-11-03T14:05:00Z",
         "answered_at": "2025-11-03T14:05:07Z", "handled_seconds": 300}


def post(client, token, events):
    return client.post(URL, data=json.dumps({"events": events}), content_type="application/json",
                       headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def telephony_token(db):
    return issue_api_token(name="Telephony platform", scopes=["telephony:write"], issued_by=None)[1]


def test_token_with_scope_records_events_once(client, telephony_token):
    first = post(client, telephony_token, [EVENT, {**EVENT, "external_id": "tel-2", "answered_at": None,
                                                   "abandoned_at": "2025-11-03T14:06:00Z"}])
    assert first.status_code == 200 and first.json() == {"created": 2, "skipped": 0}
    again = post(client, telephony_token, [EVENT])
    assert again.json() == {"created": 0, "skipped": 1}
    assert CallEvent.objects.count() == 2
    stored = CallEvent.objects.get(external_id="tel-1")
    assert stored.answer_seconds == 7


def test_token_without_the_scope_is_refused(client, db):
    token = issue_api_token(name="Reports gateway", scopes=["reports:write"], issued_by=None)[1]
    response = post(client, token, [EVENT])
    assert response.status_code == 403
    assert "telephony:write" in response.json()["detail"]
    assert CallEvent.objects.count() == 0


def test_no_token_is_refused(client, db):
    response = client.post(URL, data=json.dumps({"events": [EVENT]}), content_type="application/json")
    assert response.status_code == 401


def test_bad_event_names_the_event_and_field(client, telephony_token):
    response = post(client, telephony_token, [EVENT, {**EVENT, "external_id": "tel-9", "queue": "112"}])
    assert response.status_code == 422
    assert "event 1: queue '112' is not one of" in response.json()["detail"]
    naive = post(client, telephony_token, [{**EVENT, "offered_at": "2025-11-03T14:05:00"}])
    assert naive.status_code == 422
    assert "events[0].offered_at must include a UTC offset" in naive.json()["detail"]
    assert CallEvent.objects.count() == 0


def test_an_unusual_utc_offset_is_stored_as_the_same_instant(client, telephony_token):
    """ISO 8601 allows offsets PostgreSQL refuses (-19:12); the event is kept, at the same moment in UTC."""
    event = {"external_id": "tel-odd", "queue": "101", "offered_at": "2025-11-03T14:05:00-19:12"}
    response = post(client, telephony_token, [event])
    assert response.status_code == 200, response.content
    stored = CallEvent.objects.get(external_id="tel-odd")
    assert stored.offered_at.isoformat() == "2025-11-04T09:17:00+00:00"


def test_a_handling_time_over_a_day_is_refused_by_name(client, telephony_token):
    response = post(client, telephony_token, [{**EVENT, "handled_seconds": 10**10}])
    assert response.status_code == 422
    assert "handled_seconds" in json.dumps(response.json())
    assert CallEvent.objects.count() == 0
