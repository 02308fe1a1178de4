"""The ways a message leaves the building: GOV.UK Notify, SMTP e-mail, or (in demo) the console or a file.

Each sender takes one rendered message and either returns what the provider said or raises
``TemporaryFailure`` (try again later: the provider is down, slow or throttling) or
``PermanentFailure`` (trying again cannot help: the address is refused, the template is wrong).
The outbox (``services.deliver_message``) decides what to do with each.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone


class TemporaryFailure(Exception):
    """The provider could not take the message now; the outbox tries again after a back-off."""


class PermanentFailure(Exception):
    """The provider refused the message for a reason retrying will not change."""


@dataclass(frozen=True)
class Handover:
    """What a sender learnt when the provider accepted a message."""

    provider_id: str = ""
    # True when the sender's own act is the delivery (the demo console and file), so no receipt will come.
    delivered: bool = False


class Sender(Protocol):
    name: str

    def send(self, message: Any) -> Handover: ...


class ConsoleSender:
    """Demo: prints each message to the server's output."""

    name = "console"

    def send(self, message: Any) -> Handover:
        print(_as_text(message), flush=True)
        return Handover(delivered=True)


class FileSender:
    """Demo: appends each message to a text file a demo user can open to read what "was sent"."""

    name = "file"

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory or settings.NOTIFICATIONS_FILE_DIR)

    def send(self, message: Any) -> Handover:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{timezone.localdate():%Y-%m-%d}.txt"
        try:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(_as_text(message) + "\n")
        except OSError as error:
            raise TemporaryFailure(f"Could not write {path}: {error}") from error
        return Handover(delivered=True)


def _as_text(message: Any) -> str:
    when = timezone.localtime().strftime("%d %b %Y %H:%M:%S")
    lines = [
        "=" * 72,
        f"{message.get_channel_display()} to {message.to} at {when}  (reference {message.reference})",
    ]
    if message.subject:
        lines.append(f"Subject: {message.subject}")
    lines += ["-" * 72, message.body.rstrip()]
    return "\n".join(lines)


class SmtpSender:
    """E-mail through Django's mail settings (EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS, ...). No text messages."""

    name = "smtp"

    def send(self, message: Any) -> Handover:
        if message.channel != "email":
            raise PermanentFailure("The SMTP sender sends e-mail only; text messages need GOV.UK Notify.")
        email = EmailMessage(
            subject=message.subject or settings.NOTIFICATIONS_DEFAULT_SUBJECT,
            body=message.body,
            from_email=settings.NOTIFICATIONS_FROM_EMAIL,
            to=[message.to],
            headers={"X-FirstContact-Reference": message.reference},
        )
        connection = get_connection(backend=settings.NOTIFICATIONS_EMAIL_BACKEND, fail_silently=False)
        try:
            email.connection = connection
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(500 <= code < 600 for code in codes):
                raise PermanentFailure(f"The mail server refused {message.to}: {error.recipients}") from error
            raise TemporaryFailure(f"The mail server deferred {message.to}: {error.recipients}") from error
        except smtplib.SMTPResponseException as error:
            text = f"The mail server answered {error.smtp_code}: {error.smtp_error!r}"
            if 500 <= error.smtp_code < 600:
                raise PermanentFailure(text) from error
            raise TemporaryFailure(text) from error
        except (smtplib.SMTPException, OSError) as error:
            raise TemporaryFailure(f"Could not reach the mail server: {error}") from error
        return Handover()


class NotifySender:
    """GOV.UK Notify through its official Python client.

    The template id comes from ``NOTIFY_TEMPLATE_IDS`` ("name" or "name:channel"); a name not
    listed goes through the generic template for its channel, whose personalisation is
    ``subject`` and ``body`` (Notify's own advice for services that compose their own texts).
    """

    name = "notify"

    def __init__(self, api_key: str | None = None, base_url: str | None = None) -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        key = api_key if api_key is not None else settings.NOTIFY_API_KEY
        if not key:
            raise ImproperlyConfigured("NOTIFY_API_KEY must be set to send through GOV.UK Notify.")
        self.client = NotificationsAPIClient(
            key, base_url=base_url or settings.NOTIFY_BASE_URL, timeout=settings.NOTIFY_TIMEOUT_SECONDS
        )

    def send(self, message: Any) -> Handover:
        from notifications_python_client.errors import APIError

        template_id, personalisation = notify_template(message)
        try:
            if message.channel == "email":
                response = self.client.send_email_notification(
                    email_address=message.to,
                    template_id=template_id,
                    personalisation=personalisation,
                    reference=message.reference,
                    email_reply_to_id=settings.NOTIFY_EMAIL_REPLY_TO_ID or None,
                )
            else:
                response = self.client.send_sms_notification(
                    phone_number=message.to,
                    template_id=template_id,
                    personalisation=personalisation,
                    reference=message.reference,
                    sms_sender_id=settings.NOTIFY_SMS_SENDER_ID or None,
                )
        except APIError as error:
            text = f"GOV.UK Notify answered {error.status_code}: {error.message}"
            # Notify documents 400 (bad request: address, template, personalisation) and 403 (key)
            # as errors to fix, 429 and 5xx as ones to retry; a request that never arrived is 503.
            if error.status_code in (429,) or error.status_code >= 500:
                raise TemporaryFailure(text) from error
            raise PermanentFailure(text) from error
        return Handover(provider_id=str((response or {}).get("id", "")))


def notify_template(message: Any) -> tuple[str, dict[str, str]]:
    """The Notify template id and personalisation for a message (named template, else the generic one)."""
    ids = settings.NOTIFY_TEMPLATE_IDS
    entry = ids.get(f"{message.template}:{message.channel}") or ids.get(message.template)
    if entry:
        from .services import message_defaults

        return str(entry), {**message_defaults(), **(message.personalisation or {})}
    generic = settings.NOTIFY_GENERIC_TEMPLATE_IDS.get(message.channel)
    if not generic:
        raise PermanentFailure(
            f"No GOV.UK Notify template for {message.template!r} ({message.channel}): add it to "
            f"NOTIFY_TEMPLATE_IDS or set NOTIFY_GENERIC_{message.channel.upper()}_TEMPLATE_ID."
        )
    return str(generic), {"subject": message.subject, "body": message.body}


SENDERS = {"console": ConsoleSender, "file": FileSender, "smtp": SmtpSender, "notify": NotifySender}


def configured_sender() -> Sender:
    """The sender named by ``NOTIFICATIONS_SENDER``."""
    name = settings.NOTIFICATIONS_SENDER
    try:
        return SENDERS[name]()
    except KeyError:
        raise ImproperlyConfigured(
            f"NOTIFICATIONS_SENDER must be one of {', '.join(SENDERS)}, not {name!r}."
        ) from None

