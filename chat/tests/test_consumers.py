"""The WebSocket side over the real Redis channel layer: stored before delivered, resumable, no duplicates."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from chat import services
from chat.consumers import PUBLIC_SESSION_KEY
from chat.models import ChatMessage, Sender
from firstcontact.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 5


def _public_cookie(chat) -> bytes:
    session = SessionStore()
    session[PUBLIC_SESSION_KEY] = chat.public_key
    session.create()
    return f"sessionid={session.session_key}".encode()


def _staff_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def _connect(path: str, cookie: bytes) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=[(b"cookie", cookie), (b"origin", b"http://testserver"),
                                                              (b"host", b"testserver")])


async def _messages(socket: WebsocketCommunicator, count: int) -> list[dict]:
    """The next ``count`` chat messages the socket receives, skipping queue and status news."""
    found = []
    while len(found) < count:
        data = await socket.receive_json_from(timeout=TIMEOUT)
        if data["type"] == "message":
            found.append(data)
    return found


async def _until(socket: WebsocketCommunicator, kind: str) -> dict:
    while True:
        data = await socket.receive_json_from(timeout=TIMEOUT)
        if data["type"] == kind:
            return data


def test_a_message_is_stored_acknowledged_and_delivered_to_the_agent(redis_layer, agent, waiting_chat):
    services.accept_next_chat(agent=agent)
    public_cookie, staff_cookie = _public_cookie(waiting_chat), _staff_cookie(agent)

    async def scenario():
        public = _connect("/ws/chat/?after=0", public_cookie)
        staff = _connect(f"/ws/staff/chat/{waiting_chat.pk}/?after=0", staff_cookie)
        assert (await public.connect(timeout=TIMEOUT))[0] and (await staff.connect(timeout=TIMEOUT))[0]
        # Both first receive what is already stored: the queue notice and the agent joining.
        assert [m["seq"] for m in await _messages(public, 2)] == [1, 2]
        assert [m["seq"] for m in await _messages(staff, 2)] == [1, 2]
        await public.send_json_to({"type": "send", "client_id": "p-1", "body": "My car was scratched"})
        ack = await _until(public, "ack")
        heard = (await _messages(staff, 1))[0]
        await public.disconnect(timeout=TIMEOUT)
        await staff.disconnect(timeout=TIMEOUT)
        return ack, heard

    ack, heard = async_to_sync(scenario)()
    assert ack == {"type": "ack", "client_id": "p-1", "seq": 3}
    assert heard["seq"] == 3 and heard["body"] == "My car was scratched" and heard["sender"] == "public"
    assert ChatMessage.objects.get(chat=waiting_chat, seq=3).body == "My car was scratched"


def test_a_resend_after_a_dropped_connection_is_stored_once(redis_layer, waiting_chat):
    cookie = _public_cookie(waiting_chat)

    async def scenario():
        acks = []
        for _ in range(2):  # the same message sent on two connections, as after a drop before the ack
            socket = _connect("/ws/chat/?after=0", cookie)
            await socket.connect(timeout=TIMEOUT)
            await socket.send_json_to({"type": "send", "client_id": "same-id", "body": "Hello?"})
            acks.append(await _until(socket, "ack"))
            await socket.disconnect(timeout=TIMEOUT)
        return acks

    first, second = async_to_sync(scenario)()
    assert first["seq"] == second["seq"]
    assert ChatMessage.objects.filter(chat=waiting_chat, body="Hello?").count() == 1


def test_reconnecting_resumes_after_the_last_number_seen_without_loss_or_duplicates(redis_layer, agent, waiting_chat):
    services.accept_next_chat(agent=agent)
    cookie = _public_cookie(waiting_chat)

    async def scenario():
        socket = _connect("/ws/chat/?after=0", cookie)
        await socket.connect(timeout=TIMEOUT)
        seen = [m["seq"] for m in await _messages(socket, 2)]
        await socket.disconnect(timeout=TIMEOUT)
        # While the person is away (a tunnel, a dropped signal) the agent writes three messages.
        for n in range(3):
            await database_sync_to_async(services.post_message)(
                chat_id=waiting_chat.pk, sender=Sender.AGENT, body=f"Are you still there? {n}", author=agent)
        socket = _connect(f"/ws/chat/?after={seen[-1]}", cookie)
        await socket.connect(timeout=TIMEOUT)
        replayed = await _messages(socket, 3)
        # A live message after the replay arrives once, in order.
        await database_sync_to_async(services.post_message)(
            chat_id=waiting_chat.pk, sender=Sender.AGENT, body="Live again", author=agent)
        live = await _messages(socket, 1)
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect(timeout=TIMEOUT)
        return seen, replayed, live

    seen, replayed, live = async_to_sync(scenario)()
    assert seen == [1, 2]
    assert [m["seq"] for m in replayed] == [3, 4, 5]
    assert [m["body"] for m in replayed] == ["Are you still there? 0", "Are you still there? 1", "Are you still there? 2"]
    assert [m["seq"] for m in live] == [6]


def test_a_message_the_layer_dropped_is_filled_in_from_the_database(redis_layer, waiting_chat):
    """The channel layer may drop a message (a full channel); the next one's number shows the gap."""
    cookie = _public_cookie(waiting_chat)

    async def scenario():
        socket = _connect("/ws/chat/?after=0", cookie)
        await socket.connect(timeout=TIMEOUT)
        await _messages(socket, 1)

        def store_without_telling_anyone():
            for seq, body in ((2, "lost in transit"), (3, "also lost")):
                ChatMessage.objects.create(chat=waiting_chat, seq=seq, sender=Sender.SYSTEM, body=body)
            waiting_chat.__class__.objects.filter(pk=waiting_chat.pk).update(last_seq=3)

        await database_sync_to_async(store_without_telling_anyone)()
        posted = await database_sync_to_async(services.post_message)(
            chat_id=waiting_chat.pk, sender=Sender.PUBLIC, body="arrives", client_id="x-1")
        assert posted.message.seq == 4
        got = await _messages(socket, 3)
        await socket.disconnect(timeout=TIMEOUT)
        return got

    got = async_to_sync(scenario)()
    assert [(m["seq"], m["body"]) for m in got] == [(2, "lost in transit"), (3, "also lost"), (4, "arrives")]


def test_an_agent_cannot_connect_to_a_chat_they_do_not_hold(redis_layer, agent, second_agent, waiting_chat):
    services.accept_next_chat(agent=agent)
    cookie = _staff_cookie(second_agent)

    async def scenario():
        socket = _connect(f"/ws/staff/chat/{waiting_chat.pk}/", cookie)
        connected, code = await socket.connect(timeout=TIMEOUT)
        await socket.disconnect(timeout=TIMEOUT)  # end the consumer cleanly rather than by cancelling it
        return connected, code

    connected, code = async_to_sync(scenario)()
    assert not connected and code == 4403


def test_a_browser_without_a_chat_in_its_session_is_refused(redis_layer, db):
    async def scenario():
        socket = _connect("/ws/chat/", b"sessionid=nothing")
        refused = await socket.connect(timeout=TIMEOUT)
        await socket.disconnect(timeout=TIMEOUT)  # end the consumer cleanly rather than by cancelling it
        return refused

    connected, code = async_to_sync(scenario)()
    assert not connected


def test_the_queue_position_is_sent_and_updated_when_someone_ahead_is_answered(redis_layer, agent, settings):
    settings.CHAT_AGENT_LIMIT = 1
    first = services.start_chat(topic="First", safe_to_contact="chat_only")
    second = services.start_chat(topic="Second", safe_to_contact="chat_only")
    cookie = _public_cookie(second)

    async def scenario():
        socket = _connect("/ws/chat/", cookie)
        await socket.connect(timeout=TIMEOUT)
        before = await _until(socket, "queue")
        await database_sync_to_async(services.accept_next_chat)(agent=agent)
        after = await _until(socket, "queue")
        await socket.disconnect(timeout=TIMEOUT)
        return before, after

    before, after = async_to_sync(scenario)()
    assert before["position"] == 2
    assert after["position"] == 1
    assert first.pk != second.pk


def test_a_refused_message_names_the_field(redis_layer, waiting_chat):
    cookie = _public_cookie(waiting_chat)

    async def scenario():
        socket = _connect("/ws/chat/", cookie)
        await socket.connect(timeout=TIMEOUT)
        await socket.send_json_to({"type": "send", "client_id": "e-1", "body": "   "})
        error = await _until(socket, "error")
        await socket.disconnect(timeout=TIMEOUT)
        return error

    error = async_to_sync(scenario)()
    assert error["field"] == "body" and error["message"] == "Enter a message"


def test_the_layer_in_use_is_redis(redis_layer):
    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"


def test_a_sync_brings_a_last_message_whose_news_was_lost(redis_layer, waiting_chat):
    """With no later message to show the gap, the page's periodic sync finds it."""
    cookie = _public_cookie(waiting_chat)

    async def scenario():
        socket = _connect("/ws/chat/?after=0", cookie)
        await socket.connect(timeout=TIMEOUT)
        await _messages(socket, 1)

        def store_without_telling_anyone():
            ChatMessage.objects.create(chat=waiting_chat, seq=2, sender=Sender.SYSTEM, body="news lost")
            waiting_chat.__class__.objects.filter(pk=waiting_chat.pk).update(last_seq=2)

        await _until(socket, "queue")  # the position, sent after the replay on connecting
        await database_sync_to_async(store_without_telling_anyone)()
        assert await socket.receive_nothing(timeout=0.3)
        await socket.send_json_to({"type": "sync"})
        got = await _messages(socket, 1)
        await socket.send_json_to({"type": "sync"})
        assert await socket.receive_nothing(timeout=0.3)  # nothing twice
        await socket.disconnect(timeout=TIMEOUT)
        return got

    got = async_to_sync(scenario)()
    assert [(m["seq"], m["body"]) for m in got] == [(2, "news lost")]
