"""The demo's live chats: transcripts on chat contacts and a queue, added once however often it runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from chat.models import Chat, ChatStatus
from contacts.models import IncidentType
from contacts.services import record_contact


@pytest.fixture
def chat_contacts(call_handler):
    kind = IncidentType.objects.get(code="criminal-damage")
    return [
        record_contact(actor=call_handler, channel="chat", incident_type=kind, location_text="Mill Lane",
                       received_at=timezone.now() - timedelta(hours=n + 1), answered_at=timezone.now() - timedelta(hours=n + 1))
        for n in range(3)
    ]


def test_seed_chats_gives_chat_contacts_transcripts_and_fills_the_queue_once(chat_contacts, call_handler, settings):
    settings.DEMO = True
    call_command("seed_chats", "--demo", verbosity=0)
    call_command("seed_chats", "--demo", verbosity=0)
    ended = Chat.objects.filter(status=ChatStatus.CLOSED)
    assert ended.count() == 3
    assert Chat.objects.filter(status=ChatStatus.WAITING).count() == 3
    chat = ended.get(contact=chat_contacts[0])
    seqs = list(chat.messages.values_list("seq", flat=True))
    assert seqs == list(range(1, chat.last_seq + 1))
    times = list(chat.messages.values_list("sent_at", flat=True))
    assert times == sorted(times) and times[0] == chat_contacts[0].received_at
    assert chat_contacts[0].reference in chat.messages.get(seq=chat.last_seq - 1).body


def test_seed_chats_needs_demo(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_chats", verbosity=0)
