"""Live chat: a chat with a member of the public, its messages in order, and transcript requests.

Messages are stored before they are delivered and numbered per chat (``seq``), so a
client that reconnects asks for what came after the last number it saw, and a resend
of the same client message id is stored once (a unique constraint, not a hope).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

CHAT_REFERENCE_PREFIX = "L"


def chat_reference(pk: int) -> str:
    """The reference of a chat shown to staff and the public, e.g. L00000042."""
    return f"{CHAT_REFERENCE_PREFIX}{pk:08d}"


class ChatStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for an agent"
    ACTIVE = "active", "With an agent"
    CLOSED = "closed", "Ended"


class SafeToContact(models.TextChoices):
    """The pre-chat question a force asks before calling or writing back to someone."""

    YES = "yes", "Yes, it is safe to contact me"
    CHAT_ONLY = "chat_only", "Only through this chat"
    NO = "no", "No, do not contact me"


class ContactMethod(models.TextChoices):
    NONE = "", "No other way"
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"


class ChatOutcome(models.TextChoices):
    """How a chat ended; the contact it became (if any) carries THRIVE, grade and route."""

    ADVICE = "advice", "Advice given"
    SIGNPOSTED = "signposted", "Signposted to a partner agency"
    CONTACT = "contact", "Recorded as a contact"
    ONLINE_REPORT = "online_report", "Asked to report online"
    CALLER_LEFT = "caller_left", "The person left the chat"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class Chat(models.Model):
    """One live chat with a member of the public, from the pre-chat questions to its outcome."""

    reference = models.CharField(max_length=12, unique=True, blank=True)
    # The public side's key: held in their browser session, never in a URL (a shared computer's history).
    public_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=ChatStatus.choices, default=ChatStatus.WAITING)
    topic = models.TextField(help_text="What the person wants to talk about, in their words.")
    name = models.CharField(max_length=120, blank=True)
    safe_to_contact = models.CharField(max_length=10, choices=SafeToContact.choices)
    contact_method = models.CharField(max_length=10, choices=ContactMethod.choices, blank=True)
    contact_detail = models.CharField(max_length=254, blank=True, help_text="The phone number or e-mail given.")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="chats"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="chats",
        help_text="The person in the index the agent matched the chat to, for the history panel.",
    )
    contact = models.OneToOneField(
        "contacts.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="chat"
    )
    outcome = models.CharField(max_length=20, choices=ChatOutcome.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The last sequence number given to a message; read and bumped under a row lock.
    last_seq = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="chat_status_created"),
            models.Index(fields=["agent", "status"], name="chat_agent_status"),
        ]

    def __str__(self) -> str:
        return self.reference or f"chat {self.pk}"


class Sender(models.TextChoices):
    PUBLIC = "public", "Member of the public"
    AGENT = "agent", "Agent"
    SYSTEM = "system", "System"


class ChatMessage(models.Model):
    """One message in a chat, numbered in the order it was stored."""

    chat = models.ForeignKey(Chat, on_delete=models.PROTECT, related_name="messages")
    seq = models.PositiveIntegerField()
    sender = models.CharField(max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="chat_messages"
    )
    body = models.TextField()
    # NULL, not "", for messages without one: the (chat, client_id) constraint ignores NULLs.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["chat", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chat", "seq"], name="chat_message_seq_once"),
            models.UniqueConstraint(fields=["chat", "client_id"], name="chat_message_client_id_once"),
        ]

    def __str__(self) -> str:
        return f"{self.chat_id}#{self.seq}"


class TranscriptRequest(models.Model):
    """A member of the public asked for a copy of the transcript by e-mail; one per chat and address."""

    chat = models.ForeignKey(Chat, on_delete=models.PROTECT, related_name="transcript_requests")
    email = models.EmailField()
    requested_at = models.DateTimeField(default=timezone.now)
    message_reference = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chat", "email"], name="chat_transcript_once_per_address")]

    def __str__(self) -> str:
        return f"transcript of {self.chat_id} to {self.email}"
