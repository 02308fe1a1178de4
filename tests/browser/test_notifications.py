"""The outbox in a real browser: a manager finds a failed message, reads it and sends it again."""

from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import expect

from notifications.models import Message, Status
from notifications.services import queue_message
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_finds_a_failed_message_and_sends_it_again(page, mobile_page, live_server, make_user, password,
                                                             settings, tmp_path):
    """I should see which messages failed and why, and be able to send one again."""
    settings.NOTIFICATIONS_SENDER = "file"
    settings.NOTIFICATIONS_DELIVERY = "inline"
    settings.NOTIFICATIONS_FILE_DIR = tmp_path
    manager = make_user("contact-centre-manager", username="mgr-browser")
    with transaction.atomic():
        delivered = queue_message(
            channel="email", to="sam@example.org", template="test_message",
            personalisation={"name": "Sam"}, reference="CR26000001-U1",
        )
        failed = queue_message(
            channel="sms", to="07700 900 123", template="test_message",
            personalisation={"name": "Alex"}, reference="CR26000002-U1",
        )
    Message.objects.filter(pk=failed.pk).update(
        status=Status.FAILED, attempts=6, last_error="GOV.UK Notify: permanent-failure (the number does not exist)."
    )
    assert Message.objects.get(pk=delivered.pk).status == Status.DELIVERED

    sign_in(page, live_server.url, manager.username, password)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Outbox").click()
    expect(page).to_have_title("Outbox – FirstContact")
    outbox = page.get_by_test_id("outbox")
    assert "CR26000001-U1" in outbox.inner_text() and "s***@example.org" in outbox.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Failed (1)").click()
    assert page.get_by_test_id("outbox").locator("tbody tr").count() == 1
    assert_accessible(page)
    page.get_by_label("Reference or message").fill("CR26000002")
    page.get_by_role("button", name="Filter messages").click()
    page.get_by_role("link", name="CR26000002-U1").click()
    expect(page).to_have_title("Message CR26000002-U1 – FirstContact")
    assert "the number does not exist" in page.get_by_test_id("last-error").inner_text()
    assert "+447700900123" in page.content()
    assert_accessible(page)

    page.get_by_role("button", name="Send again").click()
    assert page.get_by_text("Message CR26000002-U1 will be sent again").is_visible()
    assert page.get_by_test_id("status-words").inner_text().startswith("Delivered on")
    assert page.get_by_role("button", name="Send again").count() == 0
    assert_accessible(page)
    assert "+447700900123" in "".join(path.read_text() for path in tmp_path.iterdir())

    sign_in(mobile_page, live_server.url, manager.username, password)
    mobile_page.goto(f"{live_server.url}/staff/notifications/")
    assert mobile_page.get_by_test_id("outbox").is_visible()
    assert_accessible(mobile_page)
