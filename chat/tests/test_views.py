"""Chat pages over HTTP: the public pre-chat and transcript, the agent's console and chat page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import Action, AuditEntry
from chat import services
from chat.consumers import PUBLIC_SESSION_KEY
from chat.models import Chat, ChatMessage, ChatStatus, Sender
from contacts.models import AdviceArticle, IncidentType


def _pre_chat(**overrides):
    data = {"topic": "My shed was broken into", "name": "Alex", "safe_to_contact": "yes", "contact_method": "email",
            "contact_detail": "alex@example.org", "idempotency_key": "key-1"}
    return data | overrides


def test_the_public_page_offers_the_online_report_and_101_without_javascript(client, db):
    page = client.get("/chat/").content.decode()
    assert "<noscript>" in page and 'href="/report/"' in page and "call 101" in page
    # The pre-chat form is hidden until the script shows it.
    assert 'id="chat-start" data-needs-script hidden' in page


def test_starting_a_chat_twice_with_the_same_form_queues_once_and_shows_the_position(client, db):
    client.post("/chat/", _pre_chat())
    response = client.post("/chat/", _pre_chat())
    assert response.status_code == 302
    assert Chat.objects.count() == 1
    page = client.get("/chat/").content.decode()
    assert "You are number 1 in the queue" in page
    assert 'aria-live="polite"' in page


def test_pre_chat_errors_keep_what_was_typed_and_name_the_field(client, db):
    response = client.post("/chat/", _pre_chat(safe_to_contact="", contact_detail="not-an-address"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Select is it safe for us to contact you after this chat?" in page or "Select whether" in page
    assert "My shed was broken into" in page
    assert Chat.objects.count() == 0


def test_the_transcript_can_be_asked_for_once_the_chat_has_ended(client, agent, db, django_capture_on_commit_callbacks):
    client.post("/chat/", _pre_chat())
    chat = Chat.objects.get()
    services.accept_next_chat(agent=agent)
    services.post_message(chat_id=chat.pk, sender=Sender.PUBLIC, body="Thank you")
    services.end_chat(actor=agent, chat_id=chat.pk, outcome="advice")
    bad = client.post("/chat/transcript/", {"email": "nope"})
    assert bad.status_code == 400
    assert "Enter an e-mail address in the correct format" in bad.content.decode()
    client.post("/chat/transcript/", {"email": "alex@example.org"})
    client.post("/chat/transcript/", {"email": "alex@example.org"})
    assert chat.transcript_requests.count() == 1
    from notifications.models import Message

    message = Message.objects.get(template="chat_transcript")
    assert message.to == "alex@example.org" and chat.reference in message.subject
    assert "Thank you" in message.body and "My shed was broken into" not in message.subject
    entry = AuditEntry.objects.get(subject_id=str(chat.pk), action=Action.DISCLOSURE)
    assert entry.recipients == ["alex@example.org"]
    assert "We are sending the transcript to alex@example.org" in client.get("/chat/").content.decode()


def test_leaving_forgets_the_chat_in_this_browser(client, db):
    client.post("/chat/", _pre_chat())
    client.post("/chat/leave/")
    assert PUBLIC_SESSION_KEY not in client.session
    assert Chat.objects.get().status == ChatStatus.CLOSED


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def test_the_console_is_only_for_staff_who_answer_chats(client, make_user):
    client.force_login(make_user("analyst", username="chatanalyst"))
    assert client.get(reverse("chat:console")).status_code == 403


def test_an_agent_answers_the_next_chat_and_works_it_without_javascript(signed_in, agent, waiting_chat):
    response = signed_in.post(reverse("chat:accept"))
    assert response.status_code == 302 and response["Location"] == reverse("chat:chat", args=[waiting_chat.pk])
    page = signed_in.get(response["Location"]).content.decode()
    assert "Someone keeps damaging my car at night" in page
    assert AuditEntry.objects.filter(subject_id=str(waiting_chat.pk), action=Action.CONSULTATION).exists()
    for _ in range(2):  # a double click sends once
        signed_in.post(reverse("chat:send", args=[waiting_chat.pk]), {"body": "Hello Alex", "client_id": "form-1"})
    assert ChatMessage.objects.filter(chat=waiting_chat, body="Hello Alex").count() == 1
    empty = signed_in.post(reverse("chat:send", args=[waiting_chat.pk]), {"body": "", "client_id": "form-2"})
    assert empty.status_code == 400 and "Enter message" in empty.content.decode()


def test_a_canned_response_sends_the_knowledge_base_article(signed_in, agent, waiting_chat):
    services.accept_next_chat(agent=agent)
    article = AdviceArticle.objects.filter(active=True).first()
    word = article.title.split()[0]
    page = signed_in.get(reverse("chat:chat", args=[waiting_chat.pk]), {"advice": word}).content.decode()
    assert article.title in page
    signed_in.post(reverse("chat:advice", args=[waiting_chat.pk]), {"article": article.pk, "client_id": "adv-1"})
    assert ChatMessage.objects.filter(chat=waiting_chat, sender=Sender.AGENT, body__startswith=article.title).exists()


def test_recording_a_contact_opens_it_for_thrive_grade_and_route(signed_in, agent, waiting_chat):
    services.accept_next_chat(agent=agent)
    kind = IncidentType.objects.get(code="criminal-damage")
    missing = signed_in.post(reverse("chat:contact", args=[waiting_chat.pk]), {"location_text": "Mill Lane"})
    assert missing.status_code == 400 and "Select what is it about?" in missing.content.decode()
    response = signed_in.post(reverse("chat:contact", args=[waiting_chat.pk]),
                              {"incident_type": kind.pk, "location_text": "Mill Lane"})
    contact = Chat.objects.get(pk=waiting_chat.pk).contact
    assert response["Location"] == reverse("contacts:detail", args=[contact.reference])
    assert contact.channel == "chat"


def test_the_history_panel_shows_once_the_chat_is_matched_to_a_person(signed_in, agent, waiting_chat):
    from people.services import record_person

    person = record_person(actor=agent, given_name="Alex", family_name="Turner")
    services.accept_next_chat(agent=agent)
    url = reverse("chat:chat", args=[waiting_chat.pk])
    results = signed_in.get(url, {"person_query": person.reference}).content.decode()
    assert "This is the person" in results
    signed_in.post(reverse("chat:person", args=[waiting_chat.pk]), {"person": person.reference})
    page = signed_in.get(url).content.decode()
    assert 'data-testid="history-panel"' in page and "People at the address" in page
    assert AuditEntry.objects.filter(action=Action.COMBINATION, subject_id=str(waiting_chat.pk)).exists()


def test_transfer_and_end_from_the_page(signed_in, agent, second_agent, waiting_chat):
    services.accept_next_chat(agent=agent)
    url = reverse("chat:transfer", args=[waiting_chat.pk])
    refused = signed_in.post(url, {"to_agent": second_agent.pk, "reason": ""})
    assert refused.status_code == 400 and "Enter why are you transferring it?" in refused.content.decode()
    signed_in.post(url, {"to_agent": second_agent.pk, "reason": "Shift ending"})
    assert Chat.objects.get(pk=waiting_chat.pk).agent == second_agent
    signed_in.force_login(second_agent)
    no_outcome = signed_in.post(reverse("chat:end", args=[waiting_chat.pk]), {})
    assert no_outcome.status_code == 400 and "Select how did the chat end?" in no_outcome.content.decode()
    signed_in.post(reverse("chat:end", args=[waiting_chat.pk]), {"outcome": "advice"})
    assert Chat.objects.get(pk=waiting_chat.pk).status == ChatStatus.CLOSED
