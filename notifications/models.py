"""The outbox: every message to a victim, a member of the public or staff, and what became of it.

A message is written in the same transaction as the business change that causes it (the outbox
pattern), so a rolled-back change leaves no message behind and a committed one is never forgotten.
Delivery happens afterwards, by a task queued on commit and by ``send_due_messages``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message"


class Status(models.TextChoices):
    """Where a message is in its life. Only ``queued`` and ``sending`` (after its lease) are picked up."""

    QUEUED = "queued", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent, waiting for the delivery receipt"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class Message(models.Model):
    """One message in the outbox, rendered when it was queued so that what is sent is what was approved."""

    reference = models.CharField(
        max_length=200, unique=True, help_text="The caller's idempotency key: one message per reference, ever."
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    to = models.CharField(max_length=320, help_text="E-mail address, or phone number in E.164.")
    template = models.CharField(max_length=100)
    personalisation = models.JSONField(default=dict, blank=True)
    secret_personalisation = models.JSONField(
        default=dict, blank=True,
        help_text="Values that open something (upload links, codes): held only until the message is sent, "
                  "then emptied. The stored subject and body carry a mask in their place.",
    )
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(help_text="When a worker may next try to send it.")
    last_error = models.TextField(blank=True)
    sender = models.CharField(max_length=20, blank=True, help_text="Which sender handed it over.")
    provider_id = models.CharField(max_length=100, blank=True, help_text="The provider's id, e.g. Notify's.")
    provider_status = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_due_idx"),
            models.Index(fields=["provider_id"], name="notif_provider_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(channel__in=["email", "sms"]), name="notif_channel_known"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_channel_display()}, {self.status})"
