"""Erasing an ended chat: its transcript and the contact details given are gone; an open chat is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from audit.models import Action, AuditEntry
from chat import services
from chat.models import Chat, ChatMessage, ChatStatus


def test_erasing_an_ended_chat_removes_the_transcript(waiting_chat, agent, dpo):
    services.post_message(chat_id=waiting_chat.pk, sender="public", body="My neighbour's van blocks my drive")
    with pytest.raises(ValidationError):
        services.erase_chat(actor=dpo, chat=waiting_chat, reason="Retention")
    Chat.objects.filter(pk=waiting_chat.pk).update(status=ChatStatus.CLOSED)

    counts = services.erase_chat(actor=dpo, chat=waiting_chat, reason="Retention: chat transcript")

    chat = Chat.objects.get(pk=waiting_chat.pk)
    assert (chat.topic, chat.name, chat.contact_detail) == ("", "", "")
    assert not ChatMessage.objects.filter(chat=chat).exists()
    assert counts["messages"] >= 1
    entry = AuditEntry.objects.get(action=Action.ERASURE)
    assert (entry.subject_type, entry.subject_id) == ("chat.chat", str(chat.pk))
    assert "alex@example.org" not in str(entry.detail) and "van" not in str(entry.detail)
    assert services.erase_chat(actor=dpo, chat=chat, reason="again") == {}
    assert AuditEntry.objects.filter(action=Action.ERASURE).count() == 1
