"""WebSocket side of live chat: one connection per chat per participant, resumable by sequence number.

Protocol (JSON both ways):

* connect to ``/ws/chat/?after=N`` (public; the chat is the one in the browser session) or
  ``/ws/staff/chat/<id>/?after=N`` (agent). ``after`` is the last sequence number the page
  has; the server first sends every stored message after it, then live ones.
* client sends ``{"type": "sync"}`` now and then; the server sends any stored message after the
  last it sent (news of it lost in the channel layer).
* client sends ``{"type": "send", "client_id": "...", "body": "..."}``; the server stores it
  and answers ``{"type": "ack", "client_id": ..., "seq": ...}``. A resend after a dropped
  connection with the same client id is stored once and acknowledged with the same number.
* server sends ``{"type": "message", "seq": ..., ...}`` in sequence order, never the same
  number twice on one connection; ``{"type": "queue", ...}`` while waiting; ``{"type": "status"}``;
  ``{"type": "error", "field": ..., "message": ...}`` for a message refused.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied, ValidationError

from . import selectors, services
from .models import Chat, ChatStatus, Sender

logger = logging.getLogger(__name__)

PUBLIC_SESSION_KEY = "chat_public_key"
REFUSED = 4403


def _after(scope: dict[str, Any]) -> int:
    raw = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("after", ["0"])[0]
    return int(raw) if raw.isdigit() else 0


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """One participant's connection to one chat."""

    sender = Sender.PUBLIC

    async def connect(self) -> None:
        self.chat: Chat | None = await self._find_chat()
        if self.chat is None:
            await self.close(code=REFUSED)
            return
        self.group = services.chat_group(self.chat.pk)
        self.delivered = _after(self.scope)
        self.in_queue = False
        # Join before replaying: a message stored between the replay's read and the join would
        # otherwise be in neither. Anything heard twice is dropped by number below.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._send_stored(upto=None)
        await self._queue_update()

    async def disconnect(self, code: int) -> None:
        if getattr(self, "chat", None) is None:
            return
        groups = [self.group] + ([services.QUEUE_GROUP] if self.in_queue else [])
        for group in groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # noqa: BLE001 - the connection is gone either way
                # A thousand browsers leaving at once can exhaust the layer's Redis pool
                # (bench/chat.py did). A member left behind only costs the layer a send
                # to nowhere until the group entry expires; nothing is lost.
                logger.warning("Could not leave chat group %s on disconnect", group, exc_info=True)

    async def _find_chat(self) -> Chat | None:
        session = self.scope.get("session")
        key = session.get(PUBLIC_SESSION_KEY) if session is not None else None
        return await database_sync_to_async(selectors.chat_for_public)(key)

    async def _send_stored(self, *, upto: int | None) -> None:
        stored = await database_sync_to_async(services.messages_after, thread_sensitive=False)(
            self.chat.pk, self.delivered, upto=upto)
        for payload in stored:
            await self._deliver(payload)

    async def _deliver(self, payload: dict[str, Any]) -> None:
        if payload["seq"] <= self.delivered:
            return
        self.delivered = payload["seq"]
        await self.send_json(payload)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "sync":
            # The page asks now and then: a message whose news the layer dropped (a full
            # channel) is otherwise only noticed when a later one arrives, and the last
            # message of a conversation has no later one.
            await self._send_stored(upto=None)
            return
        if not isinstance(content, dict) or content.get("type") != "send":
            await self.send_json({"type": "error", "field": "type", "message": "Only messages of type send or sync are accepted"})
            return
        body = content.get("body") if isinstance(content.get("body"), str) else ""
        client_id = content.get("client_id") if isinstance(content.get("client_id"), str) else ""
        try:
            # Not thread-sensitive: many chats' messages are stored at once, each on its own
            # connection, rather than queueing behind one thread (the row lock orders each chat).
            posted = await database_sync_to_async(services.post_message, thread_sensitive=False)(
                chat_id=self.chat.pk, sender=self.sender, body=body, client_id=client_id or None,
                author=self._author(),
            )
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            await self.send_json({"type": "error", "field": field, "message": messages[0], "client_id": client_id})
            return
        except PermissionDenied as exc:
            await self.send_json({"type": "error", "field": "chat", "message": str(exc), "client_id": client_id})
            return
        await self.send_json({"type": "ack", "client_id": client_id, "seq": posted.message.seq})

    def _author(self) -> Any:
        return None

    async def chat_message(self, event: dict[str, Any]) -> None:
        """A message stored in this chat; fill any gap from the database first (the layer may drop under load)."""
        payload = {k: v for k, v in event.items() if k != "type"} | {"type": "message"}
        if payload["seq"] > self.delivered + 1:
            await self._send_stored(upto=payload["seq"] - 1)
        await self._deliver(payload)

    async def chat_status(self, event: dict[str, Any]) -> None:
        self.chat = await database_sync_to_async(Chat.objects.get)(pk=self.chat.pk)
        await self.send_json({"type": "status", "status": event["status"]})
        await self._queue_update()

    async def queue_changed(self, event: dict[str, Any]) -> None:
        await self._queue_update()

    async def _queue_update(self) -> None:
        if self.sender != Sender.PUBLIC:
            return
        if self.chat.status != ChatStatus.WAITING:
            if self.in_queue:
                await self.channel_layer.group_discard(services.QUEUE_GROUP, self.channel_name)
                self.in_queue = False
            return
        if not self.in_queue:
            await self.channel_layer.group_add(services.QUEUE_GROUP, self.channel_name)
            self.in_queue = True
        self.chat = await database_sync_to_async(Chat.objects.get)(pk=self.chat.pk)
        estimate = await database_sync_to_async(selectors.queue_estimate)(self.chat)
        if estimate is not None:
            await self.send_json({"type": "queue", "position": estimate.position, "wait_minutes": estimate.minutes,
                                  "wait_text": estimate.text})


class AgentChatConsumer(ChatConsumer):
    """An agent's connection to a chat they hold."""

    sender = Sender.AGENT

    async def _find_chat(self) -> Chat | None:
        user = self.scope.get("user")
        chat_id = self.scope["url_route"]["kwargs"]["chat_id"]
        return await database_sync_to_async(self._held)(user, chat_id)

    @staticmethod
    def _held(user: Any, chat_id: int) -> Chat | None:
        if user is None or not user.is_authenticated or not user.has_perm(services.HANDLE):
            return None
        return Chat.objects.filter(pk=chat_id, agent=user).first()

    def _author(self) -> Any:
        return self.scope["user"]

    async def chat_status(self, event: dict[str, Any]) -> None:
        await super().chat_status(event)
        if self.chat.agent_id != self.scope["user"].pk:
            # Transferred away: this agent hears no more of it.
            await self.close(code=REFUSED)
