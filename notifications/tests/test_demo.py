"""The demo force's outbox: every state shown, the texts readable in the demo's file, safe to run twice."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from audit.models import Action, AuditEntry
from cases.tests.factories import routed_crime
from notifications.demo import FATES, REFERENCE_PREFIX, seed_demo_messages
from notifications.models import Message, Status
from people.services import record_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def crimes(settings, tmp_path):
    settings.NOTIFICATIONS_FILE_DIR = tmp_path
    handler = UserFactory(role="call-handler", username="handler-demo")
    made = []
    for n in range(40):
        contact = {"email": f"victim{n}@example.org"} if n % 3 else {"phone_e164": f"07700 900{n:03d}"}
        victim = record_person(actor=handler, given_name=f"Victim{n}", family_name="Demo", **contact)
        made.append(routed_crime(actor=handler, victim=victim))
    return made


def test_the_demo_outbox_shows_every_state_and_the_texts_are_in_the_file(crimes, tmp_path):
    result = seed_demo_messages(seed=42)
    assert result.queued == 40
    statuses = set(Message.objects.filter(reference__startswith=REFERENCE_PREFIX).values_list("status", flat=True))
    assert statuses == {Status.DELIVERED, Status.SENT, Status.FAILED, Status.QUEUED}, "every state is shown"
    retrying = Message.objects.filter(status=Status.QUEUED).first()
    assert retrying.attempts == 1 and "did not answer" in retrying.last_error
    written = "".join(path.read_text() for path in tmp_path.iterdir())
    delivered = Message.objects.filter(status=Status.DELIVERED).first()
    assert f"crime reference is {delivered.reference.removeprefix(REFERENCE_PREFIX)}" in written
    assert delivered.created_at < delivered.sent_at <= delivered.delivered_at
    assert AuditEntry.objects.filter(action=Action.DISCLOSURE, detail__template="crime_acknowledgement").count() == 40
    assert len(FATES) == 5


def test_running_it_again_adds_and_sends_nothing(crimes, tmp_path):
    call_command("seed_notifications", "--demo", verbosity=0)
    before = list(Message.objects.order_by("id").values_list("id", "status", "attempts"))
    written = "".join(path.read_text() for path in tmp_path.iterdir())
    result = seed_demo_messages(seed=42)
    assert result.queued == 0 and result.already == 40
    assert list(Message.objects.order_by("id").values_list("id", "status", "attempts")) == before
    assert "".join(path.read_text() for path in tmp_path.iterdir()) == written
