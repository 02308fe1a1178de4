"""Business actions on live chats. Each runs in a transaction and writes its audit entry.

Delivery: a message is stored (with its per-chat sequence number) before anyone is
told of it; the news goes to the chat's channel-layer group only after the commit, so a
reader never hears of a message the database does not hold. A client that misses the
news (a dropped connection, a full channel) finds the message again by number.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.models import Action
from audit.services import erase_fields, record_entry

from .models import (
    Chat,
    ChatMessage,
    ChatOutcome,
    ChatStatus,
    ContactMethod,
    SafeToContact,
    Sender,
    TranscriptRequest,
    chat_reference,
)

SUBJECT = "chat.chat"
HANDLE = "accounts.handle_chats"
TAKE_CONTACTS = "accounts.take_contacts"
BODY_MAX = 2000
TOPIC_MAX = 1000
CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
QUEUE_GROUP = "chat.queue"

NO_PERMISSION = "You do not have permission to answer live chats."
NOT_YOURS = "This chat is not yours: only the agent it is with can do that."
CHAT_CLOSED = "This chat has ended; nothing more can be sent."
BODY_REQUIRED = "Enter a message"
BODY_TOO_LONG = f"Message must be {BODY_MAX} characters or fewer"
BAD_CLIENT_ID = "The message id must be 1 to 64 letters, digits or the characters _ . : -"
AT_LIMIT = "You already have {limit} chats open, the most one agent may hold; end one before taking another."
QUEUE_EMPTY = "No one is waiting."


def chat_group(chat_id: int) -> str:
    """The channel-layer group every connection to a chat joins."""
    return f"chat.{chat_id}"


def agent_limit() -> int:
    """How many chats one agent may hold at once (``CHAT_AGENT_LIMIT``, default 3)."""
    return int(getattr(settings, "CHAT_AGENT_LIMIT", 3))


def message_payload(message: ChatMessage, author_label: str = "") -> dict[str, Any]:
    """The message as it travels to a browser, with its sequence number for resuming and de-duplicating."""
    return {
        "type": "message",
        "seq": message.seq,
        "sender": message.sender,
        "author": author_label,
        "body": message.body,
        "sent_at": message.sent_at.isoformat(),
        "client_id": message.client_id or "",
    }


def _author_label(sender: str, author: Any) -> str:
    if sender == Sender.AGENT:
        return getattr(author, "first_name", "") or "Police staff"
    if sender == Sender.SYSTEM:
        return ""
    return "You"


def _publish(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group, event)


def _publish_on_commit(group: str, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: _publish(group, event))


def _audit(*, actor: Any, action: str, chat: Chat, reason: str = "", recipients=(), **detail: Any) -> None:
    record_entry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label="" if getattr(actor, "pk", None) else "public (live chat)",
        action=action, subject_type=SUBJECT, subject_id=chat.pk,
        person_id=chat.person_id or None, reason=reason, recipients=recipients, detail=detail,
    )


def _check_agent(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_perm(HANDLE):
        raise PermissionDenied(NO_PERMISSION)


def _check_holder(actor: Any, chat: Chat) -> None:
    _check_agent(actor)
    if chat.agent_id != actor.pk:
        raise PermissionDenied(NOT_YOURS)


@transaction.atomic
def start_chat(
    *, topic: str, safe_to_contact: str, name: str = "", contact_method: str = "", contact_detail: str = "",
    idempotency_key: str | None = None,
) -> Chat:
    """Put a member of the public in the chat queue with what they told the pre-chat questions.

    Logged as a collection. A repeated submit of the same pre-chat form (same key) joins
    the chat already started rather than queueing twice.
    """
    key = (idempotency_key or "").strip() or None
    if key is not None:
        existing = Chat.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    errors: dict[str, str] = {}
    topic = (topic or "").strip()
    if not topic:
        errors["topic"] = "Enter what you would like to talk to us about"
    elif len(topic) > TOPIC_MAX:
        errors["topic"] = f"What you would like to talk about must be {TOPIC_MAX} characters or fewer"
    if safe_to_contact not in SafeToContact.values:
        errors["safe_to_contact"] = "Select whether it is safe for us to contact you"
    if contact_method not in ContactMethod.values:
        errors["contact_method"] = "Select phone, e-mail or no other way"
    detail = (contact_detail or "").strip()
    if safe_to_contact == SafeToContact.YES and contact_method and not detail:
        errors["contact_detail"] = "Enter the phone number or e-mail address we may use"
    if contact_method == ContactMethod.EMAIL and detail:
        try:
            validate_email(detail)
        except ValidationError:
            errors["contact_detail"] = "Enter an e-mail address in the correct format, like name@example.com"
    if len(key or "") > 64:
        errors["idempotency_key"] = "The form key must be 64 characters or fewer"
    if errors:
        raise ValidationError(errors)
    if safe_to_contact != SafeToContact.YES:
        # Someone who says contact is not safe must not have a number kept that staff might ring.
        contact_method, detail = "", ""
    try:
        with transaction.atomic():
            chat = Chat.objects.create(
                public_key=secrets.token_urlsafe(32), topic=topic, name=(name or "").strip()[:120],
                safe_to_contact=safe_to_contact, contact_method=contact_method, contact_detail=detail[:254],
                idempotency_key=key,
            )
    except IntegrityError:
        if key is None:
            raise
        return Chat.objects.get(idempotency_key=key)
    chat.reference = chat_reference(chat.pk)
    chat.save(update_fields=["reference"])
    _audit(actor=None, action=Action.COLLECTION, chat=chat, channel="chat", step="pre-chat")
    _system_message(chat, "You are in the queue. The next available member of staff will answer.")
    _publish_on_commit(QUEUE_GROUP, {"type": "queue.changed"})
    return chat


def _next_seq(chat_id: int) -> tuple[str, int | None, int]:
    """Take the chat's next sequence number: (status, agent id, number), in one statement.

    The UPDATE locks the row until the transaction ends, so two sends at once cannot take
    the same number (and the unique constraint would catch it if they did). One round trip
    rather than a locking SELECT and an UPDATE: this is on every message's path.
    """
    table = Chat._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + 1 WHERE id = %s RETURNING status, agent_id, last_seq",  # noqa: S608 - our own table name
            [chat_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Chat.DoesNotExist(f"No chat {chat_id}")
    return row[0], row[1], row[2]


def _system_message(chat: Chat, body: str) -> ChatMessage:
    _, _, seq = _next_seq(chat.pk)
    message = ChatMessage.objects.create(chat_id=chat.pk, seq=seq, sender=Sender.SYSTEM, body=body)
    _publish_on_commit(chat_group(chat.pk), {**message_payload(message), "type": "chat.message"})
    return message


@dataclass(frozen=True)
class Posted:
    message: ChatMessage
    created: bool


def post_message(*, chat_id: int, sender: str, body: str, client_id: str | None = None, author: Any = None) -> Posted:
    """Store a message in a chat with the next sequence number, then (after commit) deliver it.

    A message with a ``client_id`` already stored in this chat is the same message sent
    again after a dropped connection: it is returned, not stored twice.
    """
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": BODY_REQUIRED})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": BODY_TOO_LONG})
    client_id = (client_id or "").strip() or None
    if client_id is not None and not CLIENT_ID.match(client_id):
        raise ValidationError({"client_id": BAD_CLIENT_ID})
    if sender not in (Sender.PUBLIC, Sender.AGENT):
        raise ValidationError({"sender": "Sender must be public or agent"})
    # No look-up of the client id first: the unique constraint answers "sent before?" in the
    # same round trip as the insert, and a resend is rare.
    try:
        with transaction.atomic():
            status, agent_id, seq = _next_seq(chat_id)
            if status == ChatStatus.CLOSED:
                raise ValidationError({"body": CHAT_CLOSED})
            if sender == Sender.AGENT:
                _check_agent(author)
                if agent_id != author.pk:
                    raise PermissionDenied(NOT_YOURS)
            message = ChatMessage.objects.create(
                chat_id=chat_id, seq=seq, sender=sender, author=author if sender == Sender.AGENT else None,
                body=body, client_id=client_id,
            )
            _publish_on_commit(
                chat_group(chat_id), {**message_payload(message, _author_label(sender, author)), "type": "chat.message"}
            )
    except IntegrityError:
        # The same client id won a race with this one: the first copy is the message.
        existing = ChatMessage.objects.filter(chat_id=chat_id, client_id=client_id).first() if client_id else None
        if existing is None:
            raise
        return Posted(existing, False)
    return Posted(message, True)


def messages_after(chat_id: int, after: int, *, upto: int | None = None) -> list[dict[str, Any]]:
    """Stored messages with a sequence number above ``after`` (and at most ``upto``), as payloads."""
    rows = ChatMessage.objects.filter(chat_id=chat_id, seq__gt=after).select_related("author").order_by("seq")
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    return [message_payload(m, _author_label(m.sender, m.author)) for m in rows]


def _open_count(agent: Any) -> int:
    return Chat.objects.filter(agent=agent, status=ChatStatus.ACTIVE).count()


@transaction.atomic
def accept_next_chat(*, agent: Any) -> Chat:
    """Give the agent the chat that has waited longest, within their limit of open chats (CHAT_AGENT_LIMIT)."""
    _check_agent(agent)
    limit = agent_limit()
    if _open_count(agent) >= limit:
        raise ValidationError({"chat": AT_LIMIT.format(limit=limit)})
    # skip_locked: two agents pressing "Answer next" at once get two different chats, not one each.
    chat = (
        Chat.objects.select_for_update(skip_locked=True).filter(status=ChatStatus.WAITING)
        .order_by("created_at", "pk").first()
    )
    if chat is None:
        raise ValidationError({"chat": QUEUE_EMPTY})
    return _give_to(chat, agent, accepted=True)


def _give_to(chat: Chat, agent: Any, *, accepted: bool) -> Chat:
    chat.agent = agent
    chat.status = ChatStatus.ACTIVE
    if accepted:
        chat.accepted_at = timezone.now()
    chat.save(update_fields=["agent", "status", "accepted_at"])
    _audit(actor=agent, action=Action.ALTERATION, chat=chat, step="accepted" if accepted else "transferred")
    who = getattr(agent, "first_name", "") or "A member of staff"
    _system_message(chat, f"{who} has joined the chat.")
    _publish_on_commit(chat_group(chat.pk), {"type": "chat.status", "status": chat.status, "agent": agent.pk})
    _publish_on_commit(QUEUE_GROUP, {"type": "queue.changed"})
    return chat


@transaction.atomic
def transfer_chat(*, actor: Any, chat_id: int, to_agent: Any, reason: str) -> Chat:
    """Hand a chat to another agent or a supervisor, who must be able to answer chats; the reason is logged."""
    chat = Chat.objects.select_for_update().get(pk=chat_id)
    _check_holder(actor, chat)
    if chat.status != ChatStatus.ACTIVE:
        raise ValidationError({"to_agent": CHAT_CLOSED})
    errors = {}
    if to_agent is None or not to_agent.is_active or not to_agent.has_perm(HANDLE):
        errors["to_agent"] = "Select a member of staff who answers live chats"
    elif to_agent.pk == actor.pk:
        errors["to_agent"] = "Select someone other than yourself"
    elif _open_count(to_agent) >= agent_limit():
        errors["to_agent"] = f"{to_agent.get_full_name() or to_agent.username} already holds as many chats as allowed"
    if not (reason or "").strip():
        errors["reason"] = "Enter why you are transferring the chat"
    if errors:
        raise ValidationError(errors)
    record_entry(
        actor=actor, action=Action.DISCLOSURE, subject_type=SUBJECT, subject_id=chat.pk,
        person_id=chat.person_id or None, reason=reason.strip(), recipients=[to_agent.username],
        detail={"step": "transfer"},
    )
    return _give_to(chat, to_agent, accepted=False)


@transaction.atomic
def end_chat(*, actor: Any, chat_id: int, outcome: str) -> Chat:
    """End a chat with its outcome; the public side is told and can ask for the transcript."""
    chat = Chat.objects.select_for_update().get(pk=chat_id)
    _check_holder(actor, chat)
    if outcome not in ChatOutcome.values:
        raise ValidationError({"outcome": "Select how the chat ended"})
    if outcome == ChatOutcome.CONTACT and chat.contact_id is None:
        raise ValidationError({"outcome": "Record the chat as a contact first, then end it"})
    if chat.status == ChatStatus.CLOSED:
        return chat
    return _close(chat, actor=actor, outcome=outcome)


def _close(chat: Chat, *, actor: Any, outcome: str) -> Chat:
    chat.status = ChatStatus.CLOSED
    chat.outcome = outcome
    chat.closed_at = timezone.now()
    chat.save(update_fields=["status", "outcome", "closed_at"])
    _audit(actor=actor, action=Action.ALTERATION, chat=chat, step="ended", outcome=outcome)
    _system_message(chat, "The chat has ended. Thank you for contacting us.")
    _publish_on_commit(chat_group(chat.pk), {"type": "chat.status", "status": chat.status})
    _publish_on_commit(QUEUE_GROUP, {"type": "queue.changed"})
    return chat


@transaction.atomic
def leave_chat(*, public_key: str) -> Chat:
    """The member of the public leaves: a waiting chat leaves the queue; an agent is told if one is there."""
    chat = Chat.objects.select_for_update().get(public_key=public_key)
    if chat.status == ChatStatus.WAITING:
        return _close(chat, actor=None, outcome=ChatOutcome.CALLER_LEFT)
    if chat.status == ChatStatus.ACTIVE:
        _system_message(chat, "The person has left the chat.")
    return chat


@transaction.atomic
def link_person(*, actor: Any, chat_id: int, person: Any, reason: str) -> Chat:
    """Match the chat to a person in the index, so the history panel shows theirs and their household's."""
    chat = Chat.objects.select_for_update().get(pk=chat_id)
    _check_holder(actor, chat)
    chat.person = person
    chat.save(update_fields=["person"])
    _audit(actor=actor, action=Action.COMBINATION, chat=chat, reason=reason or f"Chat {chat.reference}",
           step="matched to person")
    return chat


def transcript_text(chat: Chat) -> str:
    """The transcript as plain text, each message with its time (Europe/London) and who sent it."""
    lines = []
    for message in chat.messages.select_related("author").order_by("seq"):
        when = timezone.localtime(message.sent_at).strftime("%d %b %Y %H:%M:%S")
        who = {"public": chat.name or "Member of the public", "system": "System"}.get(
            message.sender, (message.author.get_full_name() or message.author.username) if message.author else "Staff"
        )
        lines.append(f"[{when}] {who}: {message.body}")
    return "\n".join(lines)


@transaction.atomic
def record_contact_from_chat(
    *, actor: Any, chat_id: int, incident_type: Any, location_text: str = "", address: Any = None,
) -> Any:
    """Record the chat as a contact (channel chat) with no re-keying: caller, topic and transcript carried over.

    Idempotent: the chat's own form token means a second press finds the same contact.
    THRIVE, grade and route are then done on the contact's page like any other contact.
    """
    from contacts import services as contact_services

    chat = Chat.objects.select_for_update().get(pk=chat_id)
    _check_holder(actor, chat)
    if not actor.has_perm(TAKE_CONTACTS):
        raise PermissionDenied("You do not have permission to record contacts.")
    if chat.contact_id is not None:
        return chat.contact
    summary = (
        f"Live chat {chat.reference}. What the person wanted to talk about: {chat.topic}\n"
        f"Safe to contact: {chat.get_safe_to_contact_display()}"
        + (f" ({chat.get_contact_method_display()}: {chat.contact_detail})" if chat.contact_method else "")
        + f"\n\nTranscript:\n{transcript_text(chat)}"
    )
    contact = contact_services.take_contact(
        actor=actor, reason=f"Chat {chat.reference}", channel="chat", incident_type=incident_type,
        received_at=chat.created_at, answered_at=chat.accepted_at or timezone.now(),
        caller=chat.person, address=address, location_text=location_text or "Not given (live chat)",
        summary=summary, form_token=f"chat-{chat.pk}",
    )
    chat.contact = contact
    chat.save(update_fields=["contact"])
    _audit(actor=actor, action=Action.COMBINATION, chat=chat, reason=f"Chat {chat.reference}",
           step="recorded as contact", contact=contact.reference)
    return contact


@transaction.atomic
def request_transcript(*, public_key: str, email: str) -> TranscriptRequest:
    """Send the member of the public a copy of their transcript by e-mail, through the notifications outbox.

    A disclosure, logged with the address as recipient. Asking twice for the same
    address queues one message.
    """
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter an e-mail address in the correct format, like name@example.com"}) from None
    chat = Chat.objects.select_for_update().get(public_key=public_key)
    existing = TranscriptRequest.objects.filter(chat=chat, email__iexact=email).first()
    if existing is not None:
        return existing
    request = TranscriptRequest.objects.create(chat=chat, email=email)
    from notifications.services import queue_message

    message = queue_message(
        channel="email", to=email, template="chat_transcript", reference=f"chat-transcript-{request.pk}",
        personalisation={"reference": chat.reference, "transcript": transcript_text(chat),
                         "force_name": settings.FORCE_NAME},
    )
    request.message_reference = str(getattr(message, "reference", "") or getattr(message, "pk", ""))
    request.save(update_fields=["message_reference"])
    _audit(actor=None, action=Action.DISCLOSURE, chat=chat, reason="Transcript asked for by the person chatting",
           recipients=[email], step="transcript e-mailed")
    return request



@transaction.atomic
def erase_chat(*, actor: Any, chat: Chat, reason: str, detail: dict[str, Any] | None = None) -> dict[str, int]:
    """Erase an ended chat's transcript and what the person told us about themselves, at the end of its retention.

    APP "Review, retention and disposal" / DPA 2018 s.62: the messages, transcript requests (with the
    e-mail addresses they went to), the topic, name and contact details are removed; the reference,
    times and outcome stay. One ``erasure`` entry holds counts, never content; a second call does nothing.
    """
    locked = Chat.objects.select_for_update().get(pk=chat.pk)
    if locked.status != ChatStatus.CLOSED:
        raise ValidationError({"chat": "Only an ended chat can be erased"})
    blank = {"topic": "", "name": "", "contact_method": "", "contact_detail": "", "person_id": None}
    removed = {
        "messages": ChatMessage.objects.filter(chat=locked).delete()[0],
        "transcript_requests": TranscriptRequest.objects.filter(chat=locked).delete()[0],
    }
    return erase_fields(
        locked, blank=blank, removed=removed, actor=actor, reason=reason, subject_type=SUBJECT,
        person_id=locked.person_id, detail=detail,
    )
