"""A contact recorded from a live chat shows the chat's transcript on its page, each opening logged."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from chat import selectors as chat_selectors
from chat import services as chat_services
from chat.models import Sender
from contacts.models import IncidentType
from contacts.services import record_contact


@pytest.fixture
def agent(make_user):
    return make_user("call-handler", username="chatagent1", first_name="Sam", last_name="Okafor")


@pytest.fixture
def chat_contact(agent):
    chat = chat_services.start_chat(topic="My bike was taken from the station", safe_to_contact="chat_only",
                                    name="Robin", idempotency_key=secrets.token_urlsafe(12))
    chat_services.accept_next_chat(agent=agent)
    chat_services.post_message(chat_id=chat.pk, sender=Sender.PUBLIC, body="Hello, my bike was stolen today")
    chat_services.post_message(chat_id=chat.pk, sender=Sender.AGENT, author=agent,
                               body="I am sorry to hear that. Where was it locked?")
    chat_services.post_message(chat_id=chat.pk, sender=Sender.PUBLIC, body="Outside Stafford station")
    contact = chat_services.record_contact_from_chat(actor=agent, chat_id=chat.pk,
                                                     incident_type=IncidentType.objects.get(code="shoplifting"))
    chat_services.end_chat(actor=agent, chat_id=chat.pk, outcome="contact")
    return contact


def _transcript_reads():
    return AuditEntry.objects.filter(subject_type="chat.chat", action="consultation")


def test_the_transcript_opens_on_request_with_who_said_what_and_when(client, agent, chat_contact):
    """The contact's page names the chat; the transcript shows only when asked for, and that is logged."""
    client.force_login(agent)
    url = reverse("contacts:detail", args=[chat_contact.reference])
    page = client.get(url).content.decode()
    chat = chat_contact.chat
    assert "Live chat transcript" in page and chat.reference in page
    assert 'href="?transcript=1#transcript"' in page
    assert 'data-testid="transcript-messages"' not in page
    assert not _transcript_reads().exists()

    page = client.get(url, {"transcript": "1"}).content.decode()
    listed = page.split('data-testid="transcript-messages"', 1)[1].split("</ol>", 1)[0]
    said = ["Hello, my bike was stolen today", "I am sorry to hear that. Where was it locked?", "Outside Stafford station"]
    assert [listed.index(text) for text in said] == sorted(listed.index(text) for text in said)
    assert "Robin" in listed and "Sam Okafor" in listed
    first = chat.messages.order_by("seq").first()
    assert f'datetime="{timezone.localtime(first.sent_at).isoformat()}"' in listed
    assert f"{chat.messages.count()} messages, oldest first" in page
    entry = _transcript_reads().get()
    assert (entry.subject_id, entry.actor_id, entry.reason) == (str(chat.pk), agent.pk, f"Contact {chat_contact.reference}")
    assert entry.detail["as"] == "chat transcript"


def test_a_handler_who_did_not_hold_the_chat_reads_it_too_and_is_logged(client, chat_contact, make_user):
    other = make_user("triage-officer", username="triage1")
    client.force_login(other)
    page = client.get(reverse("contacts:detail", args=[chat_contact.reference]), {"transcript": "1"}).content.decode()
    assert "Outside Stafford station" in page
    assert _transcript_reads().get().actor_id == other.pk


def test_someone_who_may_not_open_contacts_is_refused_the_transcript(chat_contact, make_user):
    with pytest.raises(PermissionDenied):
        chat_selectors.chat_for_contact(actor=make_user("investigator", username="inv1"), contact=chat_contact,
                                        reason="Curious")
    assert not _transcript_reads().exists()


def test_a_contact_by_phone_has_no_transcript_section(client, call_handler):
    contact = record_contact(actor=call_handler, channel="101", incident_type=IncidentType.objects.get(code="shoplifting"),
                             received_at=timezone.now() - timedelta(minutes=3), location_text="High Street")
    client.force_login(call_handler)
    page = client.get(reverse("contacts:detail", args=[contact.reference]), {"transcript": "1"}).content.decode()
    assert "Live chat transcript" not in page and not _transcript_reads().exists()


def test_a_chat_contact_typed_in_by_hand_says_no_chat_is_linked(client, call_handler):
    contact = record_contact(actor=call_handler, channel="chat", incident_type=IncidentType.objects.get(code="shoplifting"),
                             received_at=timezone.now() - timedelta(minutes=3), location_text="High Street")
    client.force_login(call_handler)
    page = client.get(reverse("contacts:detail", args=[contact.reference]), {"transcript": "1"}).content.decode()
    assert "No chat is linked to this contact" in page and not _transcript_reads().exists()
