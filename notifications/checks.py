"""Deployment checks (``manage.py check --deploy``): a sender that cannot send is found before a victim waits."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.compatibility, deploy=True)
def sender_is_configured(app_configs, **kwargs):
    """GOV.UK Notify needs its key (and a callback token for receipts); production should not print or file messages."""
    problems = []
    sender = settings.NOTIFICATIONS_SENDER
    if sender == "notify" and not settings.NOTIFY_API_KEY:
        problems.append(Error(
            "NOTIFICATIONS_SENDER is notify but NOTIFY_API_KEY is not set: every message will wait and then fail.",
            hint="Set NOTIFY_API_KEY (or NOTIFY_API_KEY_FILE), or NOTIFICATIONS_SENDER=smtp with EMAIL_HOST.",
            id="notifications.E001",
        ))
    if sender == "notify" and not settings.NOTIFY_CALLBACK_TOKEN:
        problems.append(Warning(
            "NOTIFY_CALLBACK_TOKEN is not set: delivery receipts are refused, so no message is ever shown delivered.",
            hint="Set it, and the same bearer token in GOV.UK Notify's callback settings.",
            id="notifications.W001",
        ))
    if not settings.DEMO and sender in ("console", "file"):
        problems.append(Warning(
            f"NOTIFICATIONS_SENDER is {sender} in production: messages are not sent to anyone.",
            hint="Use notify or smtp.", id="notifications.W002",
        ))
    return problems
