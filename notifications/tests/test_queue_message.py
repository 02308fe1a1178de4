"""queue_message: the outbox's promise to every other app."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import Action, AuditEntry
from notifications.models import Message, Status
from notifications.services import queue_message
from people.services import record_person

pytestmark = pytest.mark.django_db


class CountingSender:
    """A sender of our own that only counts: the outbox logic is under test, not a provider."""

    name = "counting"

    def __init__(self):
        self.sent = []

    def send(self, message):
        from notifications.senders import Handover

        self.sent.append(message.reference)
        return Handover(provider_id=f"p-{len(self.sent)}")


@pytest.fixture
def counting_sender(monkeypatch):
    sender = CountingSender()
    monkeypatch.setattr("notifications.senders.configured_sender", lambda: sender)
    return sender


def _queue(**overrides):
    values = {
        "channel": "email", "to": "Victim@Example.ORG", "template": "test_message",
        "personalisation": {"name": "Sam", "force_name": "Demo Constabulary"}, "reference": "crime-1:update-1",
    }
    values.update(overrides)
    return queue_message(**values)


def test_a_message_is_rendered_from_its_template_and_sent_after_commit(counting_sender, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = _queue()
            assert counting_sender.sent == [], "nothing may leave before the business change commits"
    message.refresh_from_db()
    assert counting_sender.sent == ["crime-1:update-1"]
    assert message.status == Status.SENT and message.provider_id == "p-1" and message.attempts == 1
    assert message.to == "Victim@example.org"
    assert message.subject == "A message from Demo Constabulary"
    assert message.body.startswith("Hello Sam,")


def test_the_same_reference_twice_makes_one_message_and_one_send(counting_sender, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first = _queue()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            second = _queue(personalisation={"name": "Someone else", "force_name": "Demo"})
    assert second.pk == first.pk
    assert Message.objects.count() == 1
    assert counting_sender.sent == ["crime-1:update-1"]


def test_a_rollback_leaves_no_message_and_sends_nothing(counting_sender, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _queue()
                raise RuntimeError("the business change failed")
    assert Message.objects.count() == 0
    assert counting_sender.sent == []


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_outside_the_callers_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        _queue()


def test_phone_numbers_are_stored_in_e164_and_the_subject_line_is_not_texted(counting_sender):
    with transaction.atomic():
        message = _queue(channel="sms", to="07700 900 982")
    assert message.to == "+447700900982"
    assert not message.body.lower().startswith("subject")


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"to": "not an address"}, "to", "e-mail address"),
        ({"channel": "sms", "to": "12"}, "to", "phone number"),
        ({"channel": "fax"}, "channel", "email or sms"),
        ({"template": "no_such_message"}, "template", "no_such_message"),
        ({"template": "../secrets"}, "template", "lower-case"),
        ({"personalisation": {"force_name": "Demo"}}, "personalisation", "needs name"),
        ({"reference": " "}, "reference", "reference"),
        ({"person_id": 987654}, "person_id", "no person"),
        ({"channel": "sms", "to": "07700900982", "personalisation": {"name": "x" * 900}}, "personalisation", "at most 918"),
    ],
)
def test_bad_input_names_the_field_and_what_is_accepted(overrides, field, words):
    with transaction.atomic():
        with pytest.raises(ValidationError) as caught:
            _queue(**overrides)
    assert field in caught.value.message_dict
    assert words in " ".join(caught.value.message_dict[field])
    assert Message.objects.count() == 0


def test_personalisation_is_not_html_escaped(counting_sender):
    with transaction.atomic():
        message = _queue(personalisation={"name": "O'Brien & Sons <Ltd>", "force_name": "Demo"})
    assert "Hello O'Brien & Sons <Ltd>," in message.body


def test_a_message_to_a_person_is_logged_as_a_disclosure_to_the_address(make_user, counting_sender):
    handler = make_user("investigator", username="inv1")
    with transaction.atomic():
        person = record_person(actor=handler, given_name="Sam", family_name="Jones", email="sam@example.org")
        message = _queue(to="sam@example.org", person_id=person.pk, actor=handler, reason="Victim update on crime 1")
    entry = AuditEntry.objects.filter(action=Action.DISCLOSURE, person_id=str(person.pk)).get()
    assert entry.recipients == ["sam@example.org"]
    assert entry.reason == "Victim update on crime 1"
    assert entry.subject_id == str(message.pk)
    assert entry.actor_label == "inv1"


def test_the_force_name_is_there_for_every_template_unless_the_caller_gives_one(settings):
    settings.FORCE_NAME = "Staffordshire Police"
    with transaction.atomic():
        message = _queue(personalisation={"name": "Sam"})
    assert message.subject == "A message from Staffordshire Police"
