#!/usr/bin/env python
"""Live chat under load: delivery latency and no loss at N public connections and M agents.

Usage (PostgreSQL and Redis, each its own database):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_chat_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        bench/chat.py --public 500 --agents 20 --messages 3 --workers 2

Migrates the database, puts ``--public`` chats in the queue and has ``--agents`` agents take
them all (the agent limit raised to fit), then starts uvicorn (``--workers`` processes sharing
the Redis channel layer) and opens one WebSocket per member of the public and one per chat per
agent, with sessions made directly. Each side then sends ``--messages`` messages per chat,
spread over ``--spread`` seconds. Latency is from the send at one client to the receipt at the
other, both in this process, over loopback: it includes the database write, the channel layer
and the server's queues. After the run: messages received by the other side, messages
acknowledged, and messages stored must all equal messages sent.

Anchor, in the same run: a raw Redis pub/sub round trip at the same message rate and fan-out
(one subscriber connection per chat side), i.e. the transport with no storage and no Django.
The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstcontact.settings")


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _summary(values_ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(_percentile(values_ms, 0.50), 2), "p95_ms": round(_percentile(values_ms, 0.95), 2),
            "p99_ms": round(_percentile(values_ms, 0.99), 2), "count": len(values_ms)}


def _prepare(public: int, agents: int, run: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Chats in the queue, agents who took them, and a session cookie for each side."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.tests.factories import UserFactory
    from chat import services
    from chat.consumers import PUBLIC_SESSION_KEY

    settings.CHAT_AGENT_LIMIT = -(-public // agents)
    staff = [UserFactory(role="call-handler", username=f"bench-{run}-agent{n}") for n in range(agents)]
    public_sessions, agent_sessions = [], []
    for n in range(public):
        chat = services.start_chat(topic=f"Bench chat {n}", safe_to_contact="chat_only", idempotency_key=f"{run}-{n}")
        session = SessionStore()
        session[PUBLIC_SESSION_KEY] = chat.public_key
        session.create()
        public_sessions.append((chat.pk, session.session_key))
    for n in range(public):
        agent = staff[n % agents]
        chat = services.accept_next_chat(agent=agent)
        session = SessionStore()
        session[SESSION_KEY] = str(agent.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
        session.create()
        agent_sessions.append((chat.pk, session.session_key))
    return public_sessions, agent_sessions


class Side:
    """One WebSocket: a member of the public or an agent, in one chat."""

    def __init__(self, chat_id: int, cookie: str, path: str, role: str):
        self.chat_id, self.cookie, self.path, self.role = chat_id, cookie, path, role
        self.seen: set[int] = set()
        self.duplicates = 0
        self.acked: set[str] = set()
        self.socket = None

    async def open(self, base: str, connect_sem: asyncio.Semaphore) -> None:
        import websockets

        async with connect_sem:
            self.socket = await websockets.connect(
                f"ws://{base}{self.path}?after=0", additional_headers={"Cookie": f"sessionid={self.cookie}",
                                                                       "Origin": f"http://{base}"},
                open_timeout=60, max_queue=None,
            )

    async def listen(self, sent_at: dict[str, float], latencies: list[float], received: dict) -> None:
        async for raw in self.socket:
            data = json.loads(raw)
            if data["type"] == "ack":
                self.acked.add(data["client_id"])
            elif data["type"] == "message":
                if data["seq"] in self.seen:
                    self.duplicates += 1
                    continue
                self.seen.add(data["seq"])
                client_id = data.get("client_id") or ""
                if client_id.startswith("bench-") and data["sender"] != self.role:
                    latencies.append((time.perf_counter() - sent_at[client_id]) * 1000)
                    received[client_id] = received.get(client_id, 0) + 1

    async def send(self, n: int, sent_at: dict[str, float], spread: float, messages: int) -> None:
        for k in range(messages):
            await asyncio.sleep(random.uniform(0, spread / messages))  # noqa: S311 - load shape, not security
            client_id = f"bench-{self.role}-{self.chat_id}-{k}-{uuid.uuid4().hex[:6]}"
            sent_at[client_id] = time.perf_counter()
            await self.socket.send(json.dumps({"type": "send", "client_id": client_id, "body": f"{self.role} {k}"}))


async def _chat_run(base: str, public_sessions, agent_sessions, messages: int, spread: float) -> dict:
    sides = [Side(chat, cookie, "/ws/chat/", "public") for chat, cookie in public_sessions]
    sides += [Side(chat, cookie, f"/ws/staff/chat/{chat}/", "agent") for chat, cookie in agent_sessions]
    sem = asyncio.Semaphore(50)
    started = time.perf_counter()
    await asyncio.gather(*(side.open(base, sem) for side in sides))
    connect_seconds = time.perf_counter() - started
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    received: dict[str, int] = {}
    listeners = [asyncio.create_task(side.listen(sent_at, latencies, received)) for side in sides]
    await asyncio.sleep(2)  # the replay of what each chat already holds
    started = time.perf_counter()
    await asyncio.gather(*(side.send(n, sent_at, spread, messages) for n, side in enumerate(sides)))
    expected = len(sent_at)
    deadline = time.monotonic() + 60
    next_sync = time.monotonic() + 15
    while time.monotonic() < deadline and (len(received) < expected or sum(len(s.acked) for s in sides) < expected):
        await asyncio.sleep(0.2)
        if time.monotonic() >= next_sync:  # what the page does every 15 s
            next_sync += 15
            await asyncio.gather(*(side.socket.send(json.dumps({"type": "sync"})) for side in sides),
                                 return_exceptions=True)
    elapsed = time.perf_counter() - started
    await asyncio.sleep(1)  # anything arriving twice would arrive now
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(side.socket.close() for side in sides), return_exceptions=True)
    return {
        "connections": len(sides), "connect_seconds": round(connect_seconds, 1), "sent": expected,
        "received": len(received), "received_twice": sum(1 for v in received.values() if v > 1),
        "duplicate_seqs": sum(s.duplicates for s in sides), "acked": sum(len(s.acked) for s in sides),
        "seconds": round(elapsed, 1), "rate_per_s": round(expected / elapsed, 1), "latency": _summary(latencies),
        "client_ids": list(sent_at),
    }


async def _redis_anchor(url: str, channels: int, messages: int, spread: float) -> dict:
    """Raw Redis pub/sub: one subscriber per channel, the same number of messages over the same time."""
    import redis.asyncio as redis

    prefix = f"fc-chat-bench-anchor-{uuid.uuid4().hex[:6]}"
    latencies: list[float] = []
    sent_at: dict[str, float] = {}
    subscribers = []
    for n in range(channels):
        client = redis.from_url(url, socket_timeout=30)
        pubsub = client.pubsub()
        await pubsub.subscribe(f"{prefix}:{n}")
        subscribers.append((client, pubsub))
    # A bounded pool: a thousand publishes at once wait for one of 50 connections, as a server's would.
    publisher = redis.Redis(connection_pool=redis.BlockingConnectionPool.from_url(url, max_connections=50))
    done = asyncio.Event()
    total = channels * messages

    async def listen(pubsub):
        async for item in pubsub.listen():
            if item["type"] == "message":
                latencies.append((time.perf_counter() - sent_at[item["data"].decode()]) * 1000)
                if len(latencies) >= total:
                    done.set()

    tasks = [asyncio.create_task(listen(p)) for _, p in subscribers]

    async def send(n: int):
        for k in range(messages):
            await asyncio.sleep(random.uniform(0, spread / messages))  # noqa: S311
            key = f"{n}-{k}"
            sent_at[key] = time.perf_counter()
            await publisher.publish(f"{prefix}:{n}", key)

    await asyncio.gather(*(send(n) for n in range(channels)))
    try:
        await asyncio.wait_for(done.wait(), timeout=30)
    except TimeoutError:
        pass
    for task in tasks:
        task.cancel()
    for client, pubsub in subscribers:
        await pubsub.aclose()
        await client.aclose()
    await publisher.aclose()
    return {"sent": total, "received": len(latencies), "latency": _summary(latencies)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--public", type=int, default=500)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--messages", type=int, default=3, help="messages each side sends in each chat")
    parser.add_argument("--spread", type=float, default=20.0, help="seconds over which each side sends them")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        parser.error("set DATABASE_URL=postgres://... and REDIS_URL=redis://... (the production set-up)")
    run = uuid.uuid4().hex[:6]
    env = os.environ | {"CHAT_AGENT_LIMIT": str(min(100, -(-args.public // args.agents))),
                        "CHAT_CHANNEL_PREFIX": f"fc-chat-bench-{run}", "DB_POOL_SIZE": os.environ.get("DB_POOL_SIZE", "8")}
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    public_sessions, agent_sessions = _prepare(args.public, args.agents, run)
    setup_seconds = time.perf_counter() - started
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "firstcontact.asgi:application", "--host", "127.0.0.1", "--port",
         str(args.port), "--workers", str(args.workers), "--ws", "websockets-sansio", "--log-level", "warning",
         "--timeout-graceful-shutdown", "5"],
        cwd=ROOT, env=env,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        anchor = asyncio.run(_redis_anchor(redis_url, len(public_sessions) + len(agent_sessions), args.messages,
                                           args.spread))
        print(json.dumps({"anchor_redis_pubsub": anchor}), flush=True)
        chat = asyncio.run(_chat_run(f"127.0.0.1:{args.port}", public_sessions, agent_sessions,
                                     args.messages, args.spread))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    from chat.models import ChatMessage

    client_ids = chat.pop("client_ids")
    stored = sum(ChatMessage.objects.filter(client_id__in=client_ids[i:i + 1000]).count()
                 for i in range(0, len(client_ids), 1000))
    print(json.dumps({"chat": chat}), flush=True)
    result = {
        "bench": "chat", "public": args.public, "agents": args.agents, "workers": args.workers,
        "setup_seconds": round(setup_seconds, 1), **chat, "stored": stored,
        "no_loss": chat["received"] == chat["sent"] == stored == chat["acked"] and chat["duplicate_seqs"] == 0,
        "anchor_redis_pubsub": anchor,
        "p50_ratio_to_anchor": round(chat["latency"]["p50_ms"] / anchor["latency"]["p50_ms"], 1),
        "p95_ratio_to_anchor": round(chat["latency"]["p95_ms"] / anchor["latency"]["p95_ms"], 1),
    }
    print(json.dumps(result))
    return 0 if result["no_loss"] else 1


if __name__ == "__main__":
    sys.exit(main())
