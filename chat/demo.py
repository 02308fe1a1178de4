"""Live chats for the demo force: ended chats with transcripts on its chat contacts, and a few waiting.

Deterministic for a seed; running it again adds nothing (each demo chat has a fixed key).
Messages are written with the times they would have had, which the live services (that
stamp "now") cannot do; the audit log gets the collection each chat would have left.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from audit.models import Action
from audit.services import record_entry
from contacts.models import Channel, Contact

from . import services
from .models import Chat, ChatMessage, ChatOutcome, ChatStatus, SafeToContact, Sender, chat_reference

ENDED = 15
WAITING_TOPICS = (
    "Someone has been trying car door handles on our street tonight",
    "I want to know what is happening with the report I made last week",
    "My neighbour's music is very loud every night and they will not turn it down",
)


@dataclass
class ChatDemo:
    ended: int = 0
    waiting: int = 0


def _agent():
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(username="handler").first() or users.filter(
        groups__permissions__codename="handle_chats").order_by("pk").first()


def _script(contact: Contact, rng: random.Random) -> list[tuple[str, str]]:
    what = contact.incident_type.name.lower()
    where = contact.location_text or (str(contact.address) if contact.address else "near my home")
    opening = rng.choice(("Hi, I need to report something", "Hello, can you help?", "Hi, I'm not sure who to ask"))
    return [
        (Sender.PUBLIC, opening),
        (Sender.AGENT, "Hello, you're through to the contact centre. Are you safe to talk at the moment?"),
        (Sender.PUBLIC, "Yes I'm fine, nobody is hurt"),
        (Sender.AGENT, "Thank you. Can you tell me what happened?"),
        (Sender.PUBLIC, f"It's about {what}. It happened {where}."),
        (Sender.AGENT, "When did it happen, and is anyone still there now?"),
        (Sender.PUBLIC, rng.choice(("Earlier this evening, they've gone now", "Last night, nobody there now",
                                    "This morning, about 8"))),
        (Sender.AGENT, f"Thank you. I've recorded this for you, your reference is {contact.reference}. "
                       "If anything changes or you are in danger, call 999."),
    ]


def _ended_chat(contact: Contact, agent, rng: random.Random) -> Chat:
    start = contact.received_at
    chat = Chat.objects.create(
        public_key=secrets.token_urlsafe(32), topic=f"{contact.incident_type.name}", status=ChatStatus.CLOSED,
        name=contact.caller.given_name if contact.caller_id else "",
        safe_to_contact=rng.choice((SafeToContact.YES, SafeToContact.CHAT_ONLY)), agent=agent,
        person=contact.caller, contact=contact, outcome=ChatOutcome.CONTACT, created_at=start,
        accepted_at=contact.answered_at or start + timedelta(seconds=45),
        idempotency_key=f"demo-contact-{contact.pk}",
    )
    chat.reference = chat_reference(chat.pk)
    at = chat.accepted_at
    rows = [ChatMessage(chat=chat, seq=1, sender=Sender.SYSTEM, sent_at=start,
                        body="You are in the queue. The next available member of staff will answer.")]
    for seq, (sender, body) in enumerate(_script(contact, rng), start=2):
        at += timedelta(seconds=rng.randint(20, 90))
        rows.append(ChatMessage(chat=chat, seq=seq, sender=sender, body=body, sent_at=at,
                                author=agent if sender == Sender.AGENT else None))
    at += timedelta(seconds=10)
    rows.append(ChatMessage(chat=chat, seq=len(rows) + 1, sender=Sender.SYSTEM, sent_at=at,
                            body="The chat has ended. Thank you for contacting us."))
    ChatMessage.objects.bulk_create(rows)
    chat.last_seq = len(rows)
    chat.closed_at = at
    chat.save(update_fields=["reference", "last_seq", "closed_at"])
    record_entry(actor=None, actor_label="public (live chat)", action=Action.COLLECTION, subject_type=services.SUBJECT,
                 subject_id=chat.pk, person_id=chat.person_id, detail={"channel": "chat", "step": "demo transcript",
                                                                       "contact": contact.reference})
    return chat


@transaction.atomic
def seed_chats(*, seed: int = 42) -> ChatDemo:
    """Give the latest demo chat contacts their transcripts, and put a few people in the queue."""
    rng = random.Random(seed)
    result = ChatDemo()
    agent = _agent()
    contacts = (Contact.objects.filter(channel=Channel.CHAT, chat__isnull=True).select_related("incident_type", "caller",
                "address").order_by("-received_at", "-pk")[:ENDED])
    for contact in contacts:
        if not Chat.objects.filter(idempotency_key=f"demo-contact-{contact.pk}").exists():
            _ended_chat(contact, agent, rng)
            result.ended += 1
    for n, topic in enumerate(WAITING_TOPICS):
        key = f"demo-waiting-{n}"
        if not Chat.objects.filter(idempotency_key=key).exists():
            services.start_chat(topic=topic, safe_to_contact=SafeToContact.CHAT_ONLY, idempotency_key=key)
            result.waiting += 1
    return result
