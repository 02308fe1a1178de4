"""The outbox page: who may see it, filters, a message's page (logged), and sending a failed one again."""

from __future__ import annotations

import pytest
from django.db import transaction

from audit.models import Action, AuditEntry
from notifications.models import Message, Status
from notifications.services import queue_message
from people.services import record_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user("contact-centre-manager", username="mgr-outbox")


@pytest.fixture
def messages(manager):
    with transaction.atomic():
        person = record_person(actor=manager, given_name="Sam", family_name="Jones", email="sam@example.org")
        delivered = queue_message(
            channel="email", to="sam@example.org", template="test_message", person_id=person.pk, actor=manager,
            personalisation={"name": "Sam", "force_name": "Demo"}, reference="crime-1:update-1",
        )
        failed = queue_message(
            channel="sms", to="07700900123", template="test_message",
            personalisation={"name": "Alex", "force_name": "Demo"}, reference="crime-2:update-1",
        )
    Message.objects.filter(pk=delivered.pk).update(status=Status.DELIVERED)
    Message.objects.filter(pk=failed.pk).update(status=Status.FAILED, attempts=6, last_error="The network is down")
    return person, delivered, failed


def test_only_staff_who_manage_notifications_see_the_outbox(client, make_user, password, messages):
    investigator = make_user("investigator", username="inv-outbox")
    client.force_login(investigator)
    assert client.get("/staff/notifications/").status_code == 403
    assert client.get(f"/staff/notifications/{messages[1].pk}/").status_code == 403
    assert client.post(f"/staff/notifications/{messages[2].pk}/retry/").status_code == 403


def test_the_outbox_lists_messages_with_masked_addresses_and_filters_by_status(client, manager, password, messages):
    client.force_login(manager)
    page = client.get("/staff/notifications/").content.decode()
    assert "crime-1:update-1" in page and "crime-2:update-1" in page
    assert "s***@example.org" in page and "sam@example.org" not in page
    assert "Failed (1)" in page
    failed_only = client.get("/staff/notifications/", {"status": "failed"}).content.decode()
    assert "crime-2:update-1" in failed_only and "crime-1:update-1" not in failed_only
    by_reference = client.get("/staff/notifications/", {"search": "crime-1"}).content.decode()
    assert "crime-1:update-1" in by_reference and "crime-2:update-1" not in by_reference


def test_opening_a_message_to_a_person_is_logged(client, manager, password, messages):
    person, delivered, _ = messages
    client.force_login(manager)
    page = client.get(f"/staff/notifications/{delivered.pk}/").content.decode()
    assert "sam@example.org" in page and "Hello Sam," in page
    assert AuditEntry.objects.filter(
        action=Action.CONSULTATION, person_id=str(person.pk), actor_label=manager.username
    ).exists()


def test_a_failed_message_can_be_sent_again(client, manager, password, messages, settings, tmp_path,
                                             django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_SENDER = "file"
    settings.NOTIFICATIONS_FILE_DIR = tmp_path
    failed = messages[2]
    client.force_login(manager)
    page = client.get(f"/staff/notifications/{failed.pk}/").content.decode()
    assert "The network is down" in page and "Send again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/notifications/{failed.pk}/retry/", follow=True)
    assert "will be sent again" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == Status.DELIVERED and failed.attempts == 1
    assert "+447700900123" in "".join(p.read_text() for p in tmp_path.iterdir())


def test_a_message_that_has_not_failed_cannot_be_sent_again(client, manager, password, messages):
    client.force_login(manager)
    response = client.post(f"/staff/notifications/{messages[1].pk}/retry/", follow=True)
    assert "Only a message that failed can be sent again" in response.content.decode()
    assert Message.objects.get(pk=messages[1].pk).status == Status.DELIVERED
