"""Live chat in a real browser against real uvicorn servers sharing Redis: a whole chat, a dropped connection.

The chat needs WebSockets, which the test suite's live server (WSGI) does not speak, so
these tests start uvicorn in subprocesses. Two servers share the database and the Redis
channel layer (database 3, a prefix of their own), as two workers would in production:
the member of the public talks to one, the agent to the other.
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

# reference_data (conftest.py): an earlier transactional test's flush emptied the seeded tables.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

ROOT = Path(__file__).resolve().parents[2]
WAIT = 15_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One uvicorn process on the project's ASGI application."""

    def __init__(self, env: dict[str, str], port: int):
        self.env, self.port = env, port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "firstcontact.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--ws", "websockets-sansio", "--log-level", "warning"],
            cwd=ROOT, env=self.env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):  # noqa: S310 - loopback only
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"uvicorn did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def servers(tmp_path):
    """A factory: call it once the test's data exists; returns two servers on the same data."""
    started: list[Server] = []

    def start() -> tuple[Server, Server]:
        settings_db = connection.settings_dict
        if connection.vendor == "sqlite":
            # The test database lives in this process's memory; the servers get a copy on disk.
            path = tmp_path / "chat.sqlite3"
            target = sqlite3.connect(path)
            connection.ensure_connection()
            connection.connection.backup(target)
            target.close()
            database_url = f"sqlite:///{path}"
        else:
            database_url = (f"postgres://{settings_db['USER']}@{settings_db['HOST'] or '127.0.0.1'}:"
                            f"{settings_db['PORT'] or 5432}/{settings_db['NAME']}")
        env = os.environ | {
            "DATABASE_URL": database_url, "REDIS_URL": "redis://127.0.0.1:6379/3",
            "CHAT_CHANNEL_PREFIX": f"fc-chat-browser-{secrets.token_hex(4)}", "FIRSTCONTACT_MODE": "demo",
            "FIRSTCONTACT_TESTING": "1", "FIRSTCONTACT_VAR_DIR": str(tmp_path), "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
            "NOTIFICATIONS_DELIVERY": "inline", "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        env.pop("TEST_DATABASE_NAME", None)
        pair = (Server(env, _free_port()), Server(env, _free_port()))
        for server in pair:
            server.start()
            started.append(server)
        return pair

    yield start
    for server in started:
        server.stop()


def _conversation(page) -> list[str]:
    return page.locator("#conversation .fc-chat__body").all_inner_texts()


def test_a_chat_from_pre_chat_to_contact_survives_a_dropped_connection(browser, page, make_user, password, servers):
    """A member of the public chats on a phone; the agent answers, the public's server drops and comes back
    while the agent writes; nothing is lost or shown twice; the chat becomes a contact; the transcript is sent."""
    agent = make_user("call-handler", username="chatagent", first_name="Sam")
    public_server, staff_server = servers()

    public_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    public = public_context.new_page()
    problems: list[str] = []
    public.on("pageerror", lambda error: problems.append(str(error)))

    # The public: pre-chat questions, then the queue.
    public.goto(f"{public_server.url}/chat/")
    public.get_by_label("What would you like to talk to us about?").fill("My bike was stolen from the station")
    public.get_by_label("Only through this chat").check()
    assert_accessible(public)
    public.get_by_role("button", name="Start chat").click()
    status = public.get_by_test_id("chat-status")
    expect(status).to_contain_text("You are number 1 in the queue", timeout=WAIT)
    assert public.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(public)

    # The agent, on the other server: answer the next chat.
    sign_in(page, staff_server.url, agent.username, password)
    page.get_by_role("link", name="Live chat").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Answer the next chat").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chat L", timeout=WAIT)
    expect(page.locator("#chat-room")).to_have_attribute("data-connected", "true", timeout=WAIT)
    assert_accessible(page)
    expect(status).to_contain_text("You are chatting with a member of our staff", timeout=WAIT)

    page.get_by_label("Message").fill("Hello, I'm Sam. When did it happen?")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(public.locator("#conversation")).to_contain_text("When did it happen?", timeout=WAIT)
    public.get_by_label("Your message").fill("This morning, about 8")
    public.get_by_role("button", name="Send").click()
    expect(page.locator("#conversation")).to_contain_text("This morning, about 8", timeout=WAIT)

    # The public's server goes down: their page loses its connection.
    public_server.stop()
    expect(status).to_contain_text("Reconnecting", timeout=WAIT)
    page.get_by_label("Message").fill("Was it locked?")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_label("Message").fill("And what colour is it?")
    page.get_by_role("button", name="Send", exact=True).click()
    # Typed while disconnected: kept in the page's outbox and sent on reconnecting.
    public.get_by_label("Your message").fill("Sorry, my signal dropped")
    public.get_by_role("button", name="Send").click()
    public_server.start()

    expect(public.locator("#conversation")).to_contain_text("And what colour is it?", timeout=WAIT)
    expect(page.locator("#conversation")).to_contain_text("Sorry, my signal dropped", timeout=WAIT)
    page.wait_for_timeout(1000)  # let any duplicate arrive, if one were coming
    public_seqs = public.locator("#conversation [data-seq]").evaluate_all("items => items.map(i => i.dataset.seq)")
    assert public_seqs == sorted(public_seqs, key=int) and len(public_seqs) == len(set(public_seqs))
    assert _conversation(public).count("Was it locked?") == 1
    assert _conversation(page).count("Sorry, my signal dropped") == 1
    # What both pages show is what was stored.
    page.reload()
    assert _conversation(page) == _conversation(public)

    # Record it as a contact, without re-keying, and open the contact.
    page.get_by_label("What is it about?").select_option(label="Bicycle theft")
    page.get_by_label("Where did it happen?").fill("Stafford railway station cycle racks")
    page.get_by_role("button", name="Record as a contact").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Contact C", timeout=WAIT)
    summary = page.get_by_test_id("contact-summary")
    expect(summary).to_contain_text("My bike was stolen from the station")
    expect(summary).to_contain_text("Sorry, my signal dropped")
    page.go_back()
    page.reload()
    page.get_by_label("Advice given").check()
    page.get_by_role("button", name="End the chat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Live chat", timeout=WAIT)

    # The public is told, and asks for the transcript.
    expect(public.get_by_role("heading", name="Get a copy of this chat")).to_be_visible(timeout=WAIT)
    public.get_by_label("E-mail address").fill("not an address")
    public.get_by_role("button", name="Send me the transcript").click()
    expect(public.locator(".govuk-error-summary")).to_contain_text("Enter an e-mail address in the correct format")
    public.get_by_label("E-mail address").fill("rider@example.org")
    public.get_by_role("button", name="Send me the transcript").click()
    expect(public.get_by_test_id("transcript-sent")).to_contain_text("rider@example.org")
    assert_accessible(public)
    public_context.close()
    assert not problems, problems


def test_without_javascript_the_page_offers_the_online_report_and_101(browser, servers):
    public_server, _ = servers()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{public_server.url}/chat/")
    assert not page.get_by_role("button", name="Start chat").is_visible()
    assert page.get_by_role("link", name="report online").is_visible()
    assert "call 101" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Emergency Exit this page").is_visible()
    context.close()


def test_the_contact_page_shows_the_chat_transcript_by_keyboard(page, live_server, make_user, password, settings):
    """I should read, from a chat contact's page, who said what and when in the chat it came from."""
    from chat import services as chat_services
    from chat.models import Sender
    from contacts.models import IncidentType

    # The chat is held here through its services, with no one connected to hear it live: no channel layer,
    # whose synchronous send cannot run beside the browser driver's event loop in this thread.
    settings.CHANNEL_LAYERS = {}

    agent = make_user("call-handler", username="agent-transcript", first_name="Sam", last_name="Okafor")
    chat = chat_services.start_chat(topic="Bike stolen", safe_to_contact="chat_only", name="Robin",
                                    idempotency_key=secrets.token_urlsafe(12))
    chat_services.accept_next_chat(agent=agent)
    chat_services.post_message(chat_id=chat.pk, sender=Sender.PUBLIC, body="My bike went from the station")
    chat_services.post_message(chat_id=chat.pk, sender=Sender.AGENT, author=agent, body="When did you leave it?")
    contact = chat_services.record_contact_from_chat(actor=agent, chat_id=chat.pk,
                                                     incident_type=IncidentType.objects.get(code="shoplifting"))
    chat_services.end_chat(actor=agent, chat_id=chat.pk, outcome="contact")
    handler = make_user("call-handler", username="handler-transcript")

    sign_in(page, live_server.url, handler.username, password)
    page.goto(f"{live_server.url}/staff/contacts/{contact.reference}/")
    section = page.get_by_role("region", name="Live chat transcript")
    expect(section).to_contain_text(chat.reference)
    assert_accessible(page)
    section.get_by_role("link", name=f"Show the transcript of chat {chat.reference}").focus()
    page.keyboard.press("Enter")
    messages = page.get_by_role("list", name="messages, oldest first")
    expect(messages.get_by_role("listitem")).to_have_count(chat.messages.count())
    expect(messages).to_contain_text("Robin")
    expect(messages).to_contain_text("My bike went from the station")
    expect(messages).to_contain_text("Sam Okafor")
    # The list scrolls when long, so it takes the keyboard's focus to be scrolled without a mouse.
    page.get_by_role("link", name="Hide the transcript").focus()
    page.keyboard.press("Shift+Tab")
    expect(messages).to_be_focused()
    assert_accessible(page)
