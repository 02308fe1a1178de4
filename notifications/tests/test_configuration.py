"""Configuration: production starts without Notify's key, but the deployment check and the outbox say so."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.db import transaction

from firstcontact.tests.subprocess_env import PRODUCTION_KEY, run_django
from notifications.models import Status
from notifications.services import queue_message, send_due_messages


def _production(tmp_path, **env):
    return {
        "FIRSTCONTACT_MODE": "production", "SECRET_KEY": PRODUCTION_KEY, "ALLOWED_HOSTS": "contact.example.police.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", **env,
    }


def test_production_defaults_to_notify_and_the_deploy_check_names_the_missing_key(tmp_path):
    code = (
        "from django.conf import settings\n"
        "from django.core.checks import run_checks\n"
        "print(settings.NOTIFICATIONS_SENDER, ' '.join(sorted(m.id for m in run_checks(include_deployment_checks=True)"
        " if m.id.startswith('notifications'))))\n"
    )
    result = run_django(code, tmp_path, **_production(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "notify notifications.E001 notifications.W001"
    result = run_django(code, tmp_path, **_production(
        tmp_path, NOTIFY_API_KEY="k-" + "1" * 36 + "-" + "2" * 36, NOTIFY_CALLBACK_TOKEN="a-long-receipt-token"))
    assert result.stdout.strip().splitlines()[-1] == "notify"


def test_a_bad_sender_name_stops_start_up_naming_the_variable(tmp_path):
    result = run_django("", tmp_path, NOTIFICATIONS_SENDER="pigeon")
    assert result.returncode != 0 and "NOTIFICATIONS_SENDER" in result.stderr.strip().splitlines()[-1]


def test_the_demo_passes_the_deploy_checks_for_the_outbox(settings):
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id.startswith("notifications")]


@pytest.mark.django_db
def test_without_a_key_messages_wait_saying_why(settings):
    settings.NOTIFICATIONS_SENDER = "notify"
    settings.NOTIFY_API_KEY = ""
    with transaction.atomic():
        message = queue_message(
            channel="email", to="a@example.org", template="test_message",
            personalisation={"name": "A"}, reference="no-key-1",
        )
    send_due_messages()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and "NOTIFY_API_KEY must be set" in message.last_error
