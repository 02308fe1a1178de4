"""Reads for live chat: the queue, an agent's chats, a chat with its transcript (logged), wait estimates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from audit.models import Action
from audit.services import record_entry

from . import queueing
from .models import Chat, ChatMessage, ChatStatus
from .services import HANDLE, NO_PERMISSION, SUBJECT, agent_limit

ON_DUTY_WINDOW = timedelta(hours=2)
HANDLE_TIME_WINDOW = timedelta(days=1)
NOT_FOUND = "No chat with that reference is open to you."
CONTACT_PAGE = "accounts.take_contacts"
NO_CONTACT_PERMISSION = "You do not have permission to read contacts and their chat transcripts."


def chat_for_public(public_key: str | None) -> Chat | None:
    """The chat held in this browser session, if any (the key is never in a URL)."""
    if not public_key:
        return None
    return Chat.objects.filter(public_key=public_key).first()


def queue_estimate(chat: Chat) -> queueing.WaitEstimate | None:
    """Where a waiting chat is in the queue and about how long it will wait; None once answered."""
    if chat.status != ChatStatus.WAITING:
        return None
    position = Chat.objects.filter(status=ChatStatus.WAITING).filter(
        Q(created_at__lt=chat.created_at) | Q(created_at=chat.created_at, pk__lt=chat.pk)
    ).count() + 1
    now = timezone.now()
    # On duty: agents who answered a chat lately or hold one now (there is no clock-in to read).
    on_duty = list(
        Chat.objects.filter(Q(status=ChatStatus.ACTIVE) | Q(accepted_at__gte=now - ON_DUTY_WINDOW))
        .exclude(agent=None).values("agent").annotate(open=Count("pk", filter=Q(status=ChatStatus.ACTIVE)))
    )
    limit = agent_limit()
    free = sum(max(0, limit - row["open"]) for row in on_duty)
    durations = [
        (closed - accepted).total_seconds()
        for accepted, closed in Chat.objects.filter(closed_at__gte=now - HANDLE_TIME_WINDOW)
        .exclude(accepted_at=None).values_list("accepted_at", "closed_at")[:500]
    ]
    return queueing.estimate_wait(
        position=position, free_places=free, agents=len(on_duty),
        handle_minutes=queueing.median_handle_minutes(durations),
    )


def waiting_chats(*, limit: int = 50) -> list[Chat]:
    """Chats waiting for an agent, longest wait first (the pre-chat topic only: no one is identified yet)."""
    return list(Chat.objects.filter(status=ChatStatus.WAITING).order_by("created_at", "pk")[:limit])


def chats_held_by(agent: Any) -> list[Chat]:
    """The agent's open chats, with the number of the last message and whether the public spoke last."""
    chats = list(
        Chat.objects.filter(agent=agent, status=ChatStatus.ACTIVE).order_by("accepted_at", "pk")
    )
    last = {
        row["chat_id"]: row["sender"]
        for row in ChatMessage.objects.filter(chat__in=chats, seq=F("chat__last_seq")).values("chat_id", "sender")
    }
    for chat in chats:
        chat.awaiting_reply = last.get(chat.pk) == "public"
    return chats


@transaction.atomic
def chat_for_agent(*, actor: Any, chat_id: int, reason: str) -> Chat:
    """A chat held by this agent with its messages, logged as a consultation of the transcript.

    The same refusal whether the chat does not exist or is someone else's.
    """
    if actor is None or not actor.is_authenticated or not actor.has_perm(HANDLE):
        raise PermissionDenied(NO_PERMISSION)
    chat = Chat.objects.filter(pk=chat_id).select_related("agent", "person", "contact").first()
    if chat is None or (chat.agent_id != actor.pk and not _may_read_any(actor)):
        raise PermissionDenied(NOT_FOUND)
    _log_transcript_read(actor=actor, chat=chat, reason=reason)
    return chat


def _log_transcript_read(*, actor: Any, chat: Chat, reason: str) -> None:
    """One consultation of a chat's transcript, against the person it was matched to (if any)."""
    record_entry(
        actor=actor, action=Action.CONSULTATION, subject_type=SUBJECT, subject_id=chat.pk,
        person_id=chat.person_id or None, reason=(reason or "").strip() or f"Chat {chat.reference}",
        detail={"as": "chat transcript"},
    )


def chat_of_contact(contact: Any) -> Chat | None:
    """The live chat a contact was recorded from, without its messages (nothing of the transcript is read)."""
    return Chat.objects.filter(contact=contact).select_related("agent").first()


@transaction.atomic
def chat_for_contact(*, actor: Any, contact: Any, reason: str) -> Chat | None:
    """The chat a contact was recorded from, to read its transcript on the contact's page; logged as a consultation.

    Whoever may open the contact may read the chat it came from: the transcript is that
    contact's account of what was said (its summary holds a copy), and the handler who
    assesses THRIVE is often not the agent who held the chat. None when the contact came
    from no chat; the read is logged as ``chat_for_agent`` logs it.
    """
    if actor is None or not actor.is_authenticated or not actor.has_perm(CONTACT_PAGE):
        raise PermissionDenied(NO_CONTACT_PERMISSION)
    chat = Chat.objects.filter(contact=contact).select_related("agent", "person", "contact").first()
    if chat is None:
        return None
    _log_transcript_read(actor=actor, chat=chat, reason=reason)
    return chat


def _may_read_any(actor: Any) -> bool:
    # Supervisors and managers read any chat's transcript (quality, complaints); agents only their own.
    return actor.has_perm("accounts.supervise_investigations") or actor.has_perm("accounts.manage_demand")


def transcript_messages(chat: Chat) -> list[ChatMessage]:
    """The chat's messages in order, with their authors (call after ``chat_for_agent`` logged the read)."""
    return list(chat.messages.select_related("author").order_by("seq"))


def recent_closed(*, limit: int = 20) -> list[Chat]:
    """Chats ended lately, newest first, with the contact each became (for the console's list)."""
    return list(Chat.objects.filter(status=ChatStatus.CLOSED).select_related("contact", "agent")
                .order_by("-closed_at", "-pk")[:limit])


def chat_agents(*, exclude: Any = None) -> list[Any]:
    """Active staff who can answer chats (transfer targets), supervisors included."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(content_type__app_label="accounts", codename="handle_chats")
    users = get_user_model().objects.filter(is_active=True).filter(
        Q(user_permissions=perm) | Q(groups__permissions=perm)
    ).distinct().order_by("username")
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users)
