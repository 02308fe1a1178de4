"""Links and codes that open something reach the recipient, but nothing the outbox keeps or shows opens anything."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cases.services import record_crime_from_contact
from cases.tests.factories import crime_contact
from evidence.services import issue_upload_link
from notifications.models import Message, Status
from notifications.senders import PermanentFailure
from notifications.services import (
    deliver_message,
    erase_message,
    queue_message,
    retry_message,
    secret_mask,
    text_as_sent,
)
from public.tests.helpers import send_report

pytestmark = pytest.mark.django_db

# Anything on a page or in a stored row that could be a link's token (token_urlsafe(32) gives 43).
TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{30,}")


@pytest.fixture
def file_sender(settings, sent_messages_dir):
    settings.NOTIFICATIONS_SENDER = "file"
    return sent_messages_dir


@pytest.fixture
def staff(make_user):
    manager = make_user("contact-centre-manager", username="mgr-secrets")
    outbox = Client()
    outbox.force_login(manager)
    return outbox


@pytest.fixture
def investigator(make_user):
    return make_user("resolution-investigator", username="resolver-secrets")


@pytest.fixture
def crime(call_handler):
    return record_crime_from_contact(contact=crime_contact(actor=call_handler), actor=call_handler)


def _sent(directory) -> str:
    return "".join(path.read_text() for path in sorted(directory.iterdir()))


def _stored(message: Message) -> str:
    row = Message.objects.filter(pk=message.pk).values("subject", "body", "personalisation",
                                                        "secret_personalisation").get()
    return str(row)


def _issue(crime, investigator):
    return issue_upload_link(actor=investigator, crime=crime, recipient_name="Corner Shop Ltd", channel="email",
                             recipient_email="manager@cornershop.example", purpose="cctv",
                             base_url="http://testserver/")


def test_an_upload_link_shown_or_kept_by_the_outbox_opens_nothing_and_the_one_sent_works(
        client, staff, crime, investigator, file_sender, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issued = _issue(crime, investigator)
    message = Message.objects.get(template="upload_link")
    assert message.status == Status.DELIVERED
    listing = staff.get("/staff/notifications/").content.decode()
    page = staff.get(f"/staff/notifications/{message.pk}/").content.decode()
    assert secret_mask("link") in page and "works once" in page
    kept = _stored(message)
    for text in (listing, page, kept):
        assert issued.token not in text
    # Whatever the outbox shows or keeps, tried as a token, opens no upload page.
    candidates = set(TOKEN_LIKE.findall(listing + page + kept))
    assert all(client.get(f"/upload/{candidate}/").status_code == 404 for candidate in candidates)
    # The message that went out carries the working link.
    sent_path = re.search(r"http://testserver(/upload/[A-Za-z0-9_-]+/)", _sent(file_sender)).group(1)
    assert sent_path == f"/upload/{issued.token}/"
    assert client.get(sent_path).status_code == 200


def test_a_link_waiting_to_be_sent_is_not_shown_on_the_outbox_page(staff, crime, investigator):
    issued = _issue(crime, investigator)
    message = Message.objects.get(template="upload_link")
    assert message.status == Status.QUEUED
    page = staff.get(f"/staff/notifications/{message.pk}/").content.decode()
    assert issued.token not in page and secret_mask("link") in page
    assert issued.token not in message.body and issued.token not in str(message.personalisation)
    # Held until sent, and only there.
    assert text_as_sent(message)[1].count(issued.url) == 1


def test_a_tracking_code_shown_or_kept_by_the_outbox_does_not_open_the_report(
        client, staff, file_sender, django_capture_on_commit_callbacks):
    reference = send_report(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("public:track"), {"reference": reference, "contact_detail": "priya@example.org"})
    message = Message.objects.get(template="track_code")
    assert message.status == Status.DELIVERED
    code = re.search(r"is (\d{6})\.", _sent(file_sender)).group(1)
    page = staff.get(f"/staff/notifications/{message.pk}/").content.decode()
    body_shown = re.search(r'data-testid="message-body">(.*?)</div>', page, re.S).group(1)
    assert secret_mask("code") in body_shown and not re.search(r"\b\d{6}\b", body_shown)
    assert code not in _stored(message)
    # The code that was sent opens the report.
    status = client.post(reverse("public:track-code"), {"code": code})
    assert status.url == reverse("public:track-status")
    assert reference in client.get(status.url).content.decode()


class RefusingSender:
    name = "refusing"

    def send(self, message):
        raise PermanentFailure("address does not exist")


def test_a_failed_message_keeps_its_link_until_sent_again(
        crime, investigator, make_user, file_sender, django_capture_on_commit_callbacks):
    issued = _issue(crime, investigator)
    message = Message.objects.get(template="upload_link")
    failed = deliver_message(message_id=message.pk, sender=RefusingSender())
    assert failed.status == Status.FAILED and failed.secret_personalisation == {"link": issued.url}
    with django_capture_on_commit_callbacks(execute=True):
        retry_message(message_id=message.pk, actor=make_user("contact-centre-manager", username="mgr-retry"))
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.secret_personalisation == {}
    assert issued.url in _sent(file_sender)
    assert issued.token not in _stored(message)


def test_a_text_message_is_measured_with_its_secret_and_a_name_cannot_be_both(db):
    with transaction.atomic():
        queued = queue_message(channel="sms", to="07700900123", template="test_message",
                               personalisation={}, secret_personalisation={"name": "Sam"}, reference="secret-1")
    assert queued.body.startswith(f"Hello {secret_mask('name')},")
    assert text_as_sent(queued)[1].startswith("Hello Sam,")
    with pytest.raises(ValidationError) as both, transaction.atomic():
        queue_message(channel="sms", to="07700900123", template="test_message", personalisation={"name": "Sam"},
                      secret_personalisation={"name": "Sam"}, reference="secret-2")
    assert "not both" in str(both.value)
    with pytest.raises(ValidationError) as too_long, transaction.atomic():
        queue_message(channel="sms", to="07700900123", template="test_message", personalisation={},
                      secret_personalisation={"name": "x" * 900}, reference="secret-3")
    assert "at most 918 characters" in str(too_long.value)


def test_links_and_codes_stored_before_masking_are_withheld_by_the_migration(db):
    migration = importlib.import_module("notifications.migrations.0002_secret_personalisation")
    now = "2026-11-01T10:00:00Z"
    unsent = Message.objects.create(
        reference="old-1", channel="email", to="a@example.org", template="upload_link", next_attempt_at=now,
        personalisation={"name": "A", "link": "http://testserver/upload/abcdef123/"},
        body="Use http://testserver/upload/abcdef123/ once.",
    )
    sent = Message.objects.create(
        reference="old-2", channel="sms", to="+447700900123", template="track_code", status=Status.DELIVERED,
        next_attempt_at=now, personalisation={"reference": "OR1", "code": "123456"}, body="Your code is 123456.",
    )
    migration.withhold_stored_secrets(apps, None)
    unsent.refresh_from_db()
    sent.refresh_from_db()
    assert unsent.body == f"Use {secret_mask('link')} once." and unsent.personalisation == {"name": "A"}
    assert text_as_sent(unsent)[1] == "Use http://testserver/upload/abcdef123/ once."
    assert sent.body == f"Your code is {secret_mask('code')}." and sent.secret_personalisation == {}
    assert "123456" not in _stored(sent)


def test_erasing_a_failed_message_removes_the_link_it_still_held(crime, investigator, dpo):
    issued = _issue(crime, investigator)
    message = Message.objects.get(template="upload_link")
    deliver_message(message_id=message.pk, sender=RefusingSender())
    erase_message(actor=dpo, message=message, reason="Retention: outbox message")
    message.refresh_from_db()
    assert message.secret_personalisation == {} and issued.token not in _stored(message)
