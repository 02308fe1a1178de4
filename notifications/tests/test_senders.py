"""The real senders against real servers started by the tests: SMTP (aiosmtpd) and a local
HTTP server implementing GOV.UK Notify's documented endpoints, reached by Notify's own client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.models import Message, Status
from notifications.services import queue_message, send_due_messages

from .servers import LocalNotify, SmtpServer, free_port

pytestmark = pytest.mark.django_db


def _queue(channel="email", to="victim@example.org", template="test_message", reference="crime-5:update-1"):
    with transaction.atomic():
        return queue_message(
            channel=channel, to=to, template=template, reference=reference,
            personalisation={"name": "Sam", "force_name": "Demo Constabulary"},
        )


def _make_due(message):
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


# --- SMTP ---------------------------------------------------------------------------------------

@pytest.fixture
def smtp(settings, tmp_path):
    server = SmtpServer(tmp_path)
    settings.NOTIFICATIONS_SENDER = "smtp"
    settings.NOTIFICATIONS_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.NOTIFICATIONS_FROM_EMAIL = "Demo Constabulary <no-reply@police.example>"
    yield server
    server.stop()


def test_an_email_reaches_the_smtp_server_with_its_subject_body_and_reference(smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue()
    [mail] = smtp.received
    assert mail["rcpt_tos"] == ["victim@example.org"]
    assert mail["mail_from"] == "no-reply@police.example"
    assert mail["message"]["Subject"] == "A message from Demo Constabulary"
    assert mail["message"]["X-FirstContact-Reference"] == "crime-5:update-1"
    assert "Hello Sam," in mail["message"].get_content()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.sender == "smtp"


def test_a_server_that_says_try_later_gets_the_message_again_later(smtp):
    message = _queue()
    smtp.defer_data("451 4.3.0 Mail server temporarily rejected message")
    send_due_messages()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and "451" in message.last_error and not smtp.received
    smtp.defer_data(None)
    _make_due(message)
    send_due_messages()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2 and len(smtp.received) == 1


def test_a_refused_mailbox_fails_at_once(smtp):
    message = _queue()
    smtp.refuse_recipients("550 5.1.1 No such user")
    send_due_messages()
    message.refresh_from_db()
    assert message.status == Status.FAILED and "No such user" in message.last_error


def test_an_unreachable_server_is_retried(settings):
    settings.NOTIFICATIONS_SENDER = "smtp"
    settings.NOTIFICATIONS_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    message = _queue()
    send_due_messages()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and "Could not reach the mail server" in message.last_error


def test_smtp_cannot_send_a_text_message(smtp):
    message = _queue(channel="sms", to="07700900982")
    send_due_messages()
    message.refresh_from_db()
    assert message.status == Status.FAILED and "text messages need GOV.UK Notify" in message.last_error


# --- GOV.UK Notify --------------------------------------------------------------------------------

@pytest.fixture
def notify(settings):
    local = LocalNotify()
    server = local.serve()
    settings.NOTIFICATIONS_SENDER = "notify"
    settings.NOTIFY_API_KEY = local.api_key
    settings.NOTIFY_BASE_URL = local.base_url
    settings.NOTIFY_TEMPLATE_IDS = {"test_message": "f33517ff-2a88-4f6e-b855-c550268ce08a"}
    settings.NOTIFY_GENERIC_TEMPLATE_IDS = {
        "email": "3c1f7b0e-5b64-4f3a-9f0e-5c2d8f1a0e11", "sms": "8d2e4a6b-1c3d-4e5f-a6b7-c8d9e0f1a2b3",
    }
    yield local
    server.shutdown()
    server.server_close()


def test_an_email_through_notify_uses_the_named_template_and_a_valid_token(notify, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue()
    [request] = notify.requests
    assert request.path == "/v2/notifications/email"
    assert request.claims["iss"] == notify.service_id
    assert request.body == {
        "email_address": "victim@example.org", "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "personalisation": {"name": "Sam", "force_name": "Demo Constabulary", "service_name": "FirstContact"},
        "reference": "crime-5:update-1",
    }
    message.refresh_from_db()
    assert message.status == Status.SENT and message.sender == "notify"
    assert len(message.provider_id) == 36


def test_a_text_without_its_own_template_goes_through_the_generic_one(notify, settings):
    settings.NOTIFY_TEMPLATE_IDS = {}
    message = _queue(channel="sms", to="07700 900 982")
    send_due_messages()
    [request] = notify.requests
    assert request.path == "/v2/notifications/sms"
    assert request.body["phone_number"] == "+447700900982"
    assert request.body["template_id"] == "8d2e4a6b-1c3d-4e5f-a6b7-c8d9e0f1a2b3"
    assert request.body["personalisation"]["body"] == message.body
    assert set(request.body["personalisation"]) == {"subject", "body"}


def test_a_wrong_api_key_is_a_permanent_failure(notify, settings):
    settings.NOTIFY_API_KEY = f"wrong-{notify.service_id}-00000000-0000-0000-0000-000000000000"
    message = _queue()
    send_due_messages()
    message.refresh_from_db()
    assert message.status == Status.FAILED and "403" in message.last_error and "Invalid token" in message.last_error


def test_notify_being_down_or_throttling_is_retried_then_succeeds(notify):
    notify.fail_with = [500, 429]
    message = _queue()
    send_due_messages()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and "500" in message.last_error
    _make_due(message)
    send_due_messages()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and "429" in message.last_error and message.attempts == 2
    _make_due(message)
    send_due_messages()
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 3
    assert len(notify.requests) == 3


def test_a_bad_request_is_not_retried(notify):
    notify.fail_with = [400]
    message = _queue()
    send_due_messages()
    message.refresh_from_db()
    assert message.status == Status.FAILED and "400" in message.last_error


def test_the_same_reference_twice_sends_once_through_notify(notify, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            _queue()
    send_due_messages()
    assert len(notify.requests) == 1 and Message.objects.count() == 1
