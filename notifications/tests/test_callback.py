"""The GOV.UK Notify delivery-receipt callback: only Notify (holding the bearer token) may update a message."""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from notifications.models import Message, Status
from notifications.services import queue_message

pytestmark = pytest.mark.django_db
URL = "/notifications/callback/"
TOKEN = "receipt-token-0123456789abcdef"


@pytest.fixture
def sent(settings):
    settings.NOTIFY_CALLBACK_TOKEN = TOKEN
    with transaction.atomic():
        message = queue_message(
            channel="sms", to="07700900123", template="test_message",
            personalisation={"name": "Sam", "force_name": "Demo"}, reference="crime-9:update-1",
        )
    Message.objects.filter(pk=message.pk).update(status=Status.SENT, provider_id="740e5834-3a29-46b4-9a6f-16142fde533a")
    return message


def _post(client, payload, token=TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post(URL, data=json.dumps(payload), content_type="application/json", headers=headers)


def _receipt(status="delivered", **extra):
    receipt = {
        "id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": "crime-9:update-1", "to": "07700900123",
        "status": status, "created_at": "2026-11-23T10:00:00.000Z", "completed_at": "2026-11-23T10:00:05.123Z",
        "sent_at": "2026-11-23T10:00:01.000Z", "notification_type": "sms",
    }
    receipt.update(extra)
    return receipt


def test_a_delivered_receipt_marks_the_message_delivered(client, sent):
    response = _post(client, _receipt())
    assert response.status_code == 200 and response.json() == {"recorded": True}
    sent.refresh_from_db()
    assert sent.status == Status.DELIVERED and sent.provider_status == "delivered"
    assert sent.delivered_at.isoformat().startswith("2026-11-23T10:00:05")


def test_a_permanent_failure_marks_it_failed_with_the_reason_in_words(client, sent):
    _post(client, _receipt("permanent-failure"))
    sent.refresh_from_db()
    assert sent.status == Status.FAILED
    assert "does not exist" in sent.last_error


def test_a_receipt_can_be_matched_by_reference_before_the_id_is_known(client, sent):
    Message.objects.filter(pk=sent.pk).update(provider_id="")
    _post(client, _receipt())
    sent.refresh_from_db()
    assert sent.status == Status.DELIVERED and sent.provider_id == "740e5834-3a29-46b4-9a6f-16142fde533a"


@pytest.mark.parametrize("token", [None, "wrong-token", TOKEN + "x", ""])
def test_without_the_right_bearer_token_it_answers_401_and_changes_nothing(client, sent, token):
    response = _post(client, _receipt(), token=token)
    assert response.status_code == 401
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_with_no_token_configured_everything_is_refused(client, sent, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    assert _post(client, _receipt(), token="").status_code == 401


def test_it_only_allows_post(client, sent):
    assert client.get(URL, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 405


def test_bad_bodies_get_a_400_saying_what_is_expected(client, sent):
    response = client.post(URL, data="not json", content_type="application/json",
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400 and "JSON" in response.json()["error"]
    assert _post(client, {"status": "delivered"}).status_code == 400
    assert "Unknown delivery status" in _post(client, _receipt("exploded")).json()["error"]


def test_an_unknown_message_is_acknowledged_so_notify_stops_retrying(client, sent):
    response = _post(client, _receipt(id="00000000-0000-0000-0000-000000000000", reference="nobody"))
    assert response.status_code == 200 and response.json() == {"recorded": False}
