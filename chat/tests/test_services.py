"""Chat services: the pre-chat, numbering, resends stored once, limits, transfer, ending, recording a contact."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import Action, AuditEntry
from chat import selectors, services
from chat.models import Chat, ChatMessage, ChatOutcome, ChatStatus, Sender
from contacts.models import Contact, IncidentType


def test_pre_chat_puts_the_person_in_the_queue_and_logs_the_collection(waiting_chat):
    assert waiting_chat.status == ChatStatus.WAITING
    assert waiting_chat.reference.startswith("L")
    entry = AuditEntry.objects.get(subject_type="chat.chat", subject_id=str(waiting_chat.pk))
    assert entry.action == Action.COLLECTION
    assert entry.actor_label == "public (live chat)"
    # The queue message is the first in the transcript.
    assert list(waiting_chat.messages.values_list("seq", "sender")) == [(1, Sender.SYSTEM)]


def test_the_same_pre_chat_submitted_twice_queues_once(db):
    first = services.start_chat(topic="Lost bike", safe_to_contact="chat_only", idempotency_key="form-1")
    second = services.start_chat(topic="Lost bike", safe_to_contact="chat_only", idempotency_key="form-1")
    assert first.pk == second.pk
    assert Chat.objects.count() == 1


def test_pre_chat_errors_name_the_field(db):
    with pytest.raises(ValidationError) as caught:
        services.start_chat(topic="  ", safe_to_contact="maybe", contact_method="email", contact_detail="not-an-address")
    errors = caught.value.message_dict
    assert errors["topic"] == ["Enter what you would like to talk to us about"]
    assert errors["safe_to_contact"] == ["Select whether it is safe for us to contact you"]
    assert "e-mail address in the correct format" in errors["contact_detail"][0]


def test_no_contact_detail_is_kept_when_contact_is_not_safe(db):
    chat = services.start_chat(topic="Stalking", safe_to_contact="no", contact_method="phone",
                               contact_detail="07700 900123")
    assert chat.contact_method == "" and chat.contact_detail == ""


def test_messages_are_numbered_in_order_and_a_resend_is_stored_once(waiting_chat):
    first = services.post_message(chat_id=waiting_chat.pk, sender=Sender.PUBLIC, body="Hello", client_id="c-1")
    again = services.post_message(chat_id=waiting_chat.pk, sender=Sender.PUBLIC, body="Hello", client_id="c-1")
    second = services.post_message(chat_id=waiting_chat.pk, sender=Sender.PUBLIC, body="Anyone?", client_id="c-2")
    assert (first.created, again.created) == (True, False)
    assert first.message.pk == again.message.pk
    assert [first.message.seq, second.message.seq] == [2, 3]
    assert ChatMessage.objects.filter(chat=waiting_chat, client_id="c-1").count() == 1
    assert [m["seq"] for m in services.messages_after(waiting_chat.pk, 1)] == [2, 3]


def test_an_empty_or_overlong_message_is_refused_with_the_field_named(waiting_chat):
    with pytest.raises(ValidationError) as caught:
        services.post_message(chat_id=waiting_chat.pk, sender=Sender.PUBLIC, body="   ")
    assert caught.value.message_dict == {"body": ["Enter a message"]}
    with pytest.raises(ValidationError) as caught:
        services.post_message(chat_id=waiting_chat.pk, sender=Sender.PUBLIC, body="x" * 2001)
    assert caught.value.message_dict == {"body": ["Message must be 2000 characters or fewer"]}


def test_an_agent_takes_the_longest_waiting_chat_within_their_limit(agent, settings):
    settings.CHAT_AGENT_LIMIT = 2
    chats = [services.start_chat(topic=f"Topic {n}", safe_to_contact="chat_only") for n in range(3)]
    assert services.accept_next_chat(agent=agent).pk == chats[0].pk
    assert services.accept_next_chat(agent=agent).pk == chats[1].pk
    with pytest.raises(ValidationError) as caught:
        services.accept_next_chat(agent=agent)
    assert "2 chats open" in caught.value.message_dict["chat"][0]
    assert Chat.objects.get(pk=chats[2].pk).status == ChatStatus.WAITING


def test_someone_without_the_permission_cannot_answer_chats(make_user, waiting_chat):
    with pytest.raises(PermissionDenied):
        services.accept_next_chat(agent=make_user("analyst"))


def test_only_the_agent_holding_a_chat_may_write_in_it(agent, second_agent, waiting_chat):
    services.accept_next_chat(agent=agent)
    with pytest.raises(PermissionDenied):
        services.post_message(chat_id=waiting_chat.pk, sender=Sender.AGENT, body="Hi", author=second_agent)
    posted = services.post_message(chat_id=waiting_chat.pk, sender=Sender.AGENT, body="Hi", author=agent)
    assert posted.message.author == agent


def test_transfer_hands_the_chat_over_and_logs_why(agent, make_user, waiting_chat):
    supervisor = make_user("supervisor", username="chatsup")
    services.accept_next_chat(agent=agent)
    with pytest.raises(ValidationError) as caught:
        services.transfer_chat(actor=agent, chat_id=waiting_chat.pk, to_agent=supervisor, reason=" ")
    assert caught.value.message_dict == {"reason": ["Enter why you are transferring the chat"]}
    services.transfer_chat(actor=agent, chat_id=waiting_chat.pk, to_agent=supervisor, reason="Needs a supervisor")
    chat = Chat.objects.get(pk=waiting_chat.pk)
    assert chat.agent == supervisor
    entry = AuditEntry.objects.filter(subject_id=str(chat.pk), action=Action.DISCLOSURE).get()
    assert entry.recipients == ["chatsup"] and entry.reason == "Needs a supervisor"
    assert "has joined the chat" in chat.messages.order_by("-seq").first().body


def test_a_transfer_to_someone_who_does_not_answer_chats_is_refused(agent, make_user, waiting_chat):
    services.accept_next_chat(agent=agent)
    with pytest.raises(ValidationError) as caught:
        services.transfer_chat(actor=agent, chat_id=waiting_chat.pk, to_agent=make_user("analyst"), reason="x")
    assert "answers live chats" in caught.value.message_dict["to_agent"][0]


def test_recording_a_chat_as_a_contact_carries_the_transcript_and_is_idempotent(agent, waiting_chat):
    services.accept_next_chat(agent=agent)
    services.post_message(chat_id=waiting_chat.pk, sender=Sender.PUBLIC, body="They scratched the door again")
    kind = IncidentType.objects.get(code="criminal-damage")
    contact = services.record_contact_from_chat(actor=agent, chat_id=waiting_chat.pk, incident_type=kind,
                                                location_text="Outside 4 Mill Lane")
    again = services.record_contact_from_chat(actor=agent, chat_id=waiting_chat.pk, incident_type=kind)
    assert contact.pk == again.pk
    assert Contact.objects.filter(channel="chat").count() == 1
    assert contact.channel == "chat"
    assert "Someone keeps damaging my car at night" in contact.summary
    assert "They scratched the door again" in contact.summary
    assert contact.answered_at is not None
    assert Chat.objects.get(pk=waiting_chat.pk).contact == contact


def test_ending_needs_an_outcome_and_a_recorded_contact_for_that_outcome(agent, waiting_chat):
    services.accept_next_chat(agent=agent)
    with pytest.raises(ValidationError) as caught:
        services.end_chat(actor=agent, chat_id=waiting_chat.pk, outcome=ChatOutcome.CONTACT)
    assert caught.value.message_dict["outcome"] == ["Record the chat as a contact first, then end it"]
    chat = services.end_chat(actor=agent, chat_id=waiting_chat.pk, outcome=ChatOutcome.ADVICE)
    assert chat.status == ChatStatus.CLOSED and chat.closed_at is not None
    with pytest.raises(ValidationError) as caught:
        services.post_message(chat_id=chat.pk, sender=Sender.PUBLIC, body="one more thing")
    assert caught.value.message_dict["body"] == [services.CHAT_CLOSED]


def test_leaving_while_waiting_takes_the_chat_out_of_the_queue(waiting_chat):
    services.leave_chat(public_key=waiting_chat.public_key)
    chat = Chat.objects.get(pk=waiting_chat.pk)
    assert chat.status == ChatStatus.CLOSED and chat.outcome == ChatOutcome.CALLER_LEFT


def test_reading_a_chat_is_logged_and_refused_the_same_way_when_absent_or_not_yours(agent, second_agent, waiting_chat):
    services.accept_next_chat(agent=agent)
    selectors.chat_for_agent(actor=agent, chat_id=waiting_chat.pk, reason="Chat in hand")
    assert AuditEntry.objects.filter(subject_id=str(waiting_chat.pk), action=Action.CONSULTATION,
                                     reason="Chat in hand").exists()
    with pytest.raises(PermissionDenied) as theirs:
        selectors.chat_for_agent(actor=second_agent, chat_id=waiting_chat.pk, reason="x")
    with pytest.raises(PermissionDenied) as absent:
        selectors.chat_for_agent(actor=second_agent, chat_id=999999, reason="x")
    assert str(theirs.value) == str(absent.value)


def test_queue_position_and_estimate(agent, settings):
    settings.CHAT_AGENT_LIMIT = 1
    chats = [services.start_chat(topic=f"Topic {n}", safe_to_contact="chat_only") for n in range(3)]
    assert selectors.queue_estimate(chats[2]).position == 3
    services.accept_next_chat(agent=agent)
    estimate = selectors.queue_estimate(Chat.objects.get(pk=chats[2].pk))
    assert estimate.position == 2
    # One agent on duty with no free place: two rounds of the default eight-minute handling time.
    assert estimate.minutes == 16
    assert selectors.queue_estimate(Chat.objects.get(pk=chats[0].pk)) is None
