"""Business actions on the outbox: queue a message, deliver it, retry it, record its receipt.

The outbox pattern: ``queue_message`` writes the message in the caller's transaction, so it is
committed with the business change that caused it or not at all. Delivery starts only after the
commit (``transaction.on_commit``), and ``send_due_messages`` picks up anything a crash or an
outage left behind. A message is handed to a provider at least once; the reference travels with it
(Notify's ``reference``, an e-mail header) so a rare repeat after a crash can be recognised.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.models import Action
from audit.services import record_entry, subject_of

from . import senders
from .models import Channel, Message, Status

logger = logging.getLogger(__name__)

NOT_IN_TRANSACTION = (
    "queue_message must be called inside the transaction that makes the business change "
    "(use transaction.atomic), so the message commits with it or not at all."
)
TEMPLATE_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,99}$")
REFERENCE_MAX = Message._meta.get_field("reference").max_length
SUBJECT_MAX = Message._meta.get_field("subject").max_length
# GOV.UK Notify refuses a text message longer than this (six fragments of 153 characters).
SMS_MAX_CHARACTERS = 918
# What a missing personalisation field renders as, so it can be caught before a victim reads "Dear ,".
_MISSING = "\x00missing:%s\x00"
_MISSING_PATTERN = re.compile("\x00missing:(.*?)\x00")

# Notify's delivery-receipt statuses (docs: "Delivery receipts") and what each means for the outbox.
NOTIFY_RECEIPT_STATUSES = {
    "delivered": Status.DELIVERED,
    "permanent-failure": Status.FAILED,
    "temporary-failure": Status.FAILED,
    "technical-failure": Status.FAILED,
}
NOTIFY_RECEIPT_WORDS = {
    "permanent-failure": "the provider says the address or number does not exist",
    "temporary-failure": "the provider could not deliver it (inbox full or phone off) and stopped trying",
    "technical-failure": "the provider had a technical failure",
}


def _message_engine() -> Engine:
    """A template engine for message texts: found in any app's templates dir, and never HTML-escaped.

    Django's default engine escapes ``&`` and quotes for HTML, which would reach a text message as
    ``&amp;``; and it renders an unknown variable as nothing, which would hide a missing field.
    """
    global _engine
    if _engine is None:
        _engine = Engine(app_dirs=True, autoescape=False, string_if_invalid=_MISSING)
    return _engine


_engine: Engine | None = None


def message_defaults() -> dict[str, str]:
    """Names every message template may use without the caller passing them (personalisation wins)."""
    return {"force_name": settings.FORCE_NAME, "service_name": settings.SERVICE_NAME}


def render_message(*, channel: str, template: str, personalisation: dict[str, str]) -> tuple[str, str]:
    """The (subject, body) of a message from ``notifications/messages/<template>.txt``.

    A first line ``Subject: ...`` gives the e-mail subject (and is dropped from a text message).
    Every variable the template uses must be in ``personalisation`` (or ``message_defaults()``).
    """
    name = f"notifications/messages/{template}.txt"
    try:
        context = {**message_defaults(), **personalisation}
        text = _message_engine().get_template(name).render(Context(context, autoescape=False))
    except TemplateDoesNotExist:
        raise ValidationError(
            {"template": f"There is no message template {template!r}: add {name} to an app's templates."}
        ) from None
    except TemplateSyntaxError as error:
        raise ValidationError({"template": f"The message template {template!r} has an error: {error}"}) from None
    missing = sorted(set(_MISSING_PATTERN.findall(text)))
    if missing:
        raise ValidationError(
            {"personalisation": f"The {template!r} message needs {', '.join(missing)} in its personalisation."}
        )
    subject = ""
    first, _, rest = text.lstrip("\n").partition("\n")
    if first.lower().startswith("subject:"):
        subject, text = first[len("subject:"):].strip(), rest
    body = text.strip()
    if not body:
        raise ValidationError({"template": f"The message template {template!r} renders an empty message."})
    if channel == Channel.SMS and len(body) > SMS_MAX_CHARACTERS:
        raise ValidationError({"personalisation": (
            f"A text message can be at most {SMS_MAX_CHARACTERS} characters; this {template!r} message "
            f"would be {len(body)}. Shorten what it says, or send it by e-mail."
        )})
    if channel == Channel.EMAIL and not subject:
        subject = settings.NOTIFICATIONS_DEFAULT_SUBJECT
    return subject[:SUBJECT_MAX], body


def secret_mask(name: str) -> str:
    """What the outbox keeps and shows in place of a secret value: "[link withheld: sent only to the recipient]"."""
    return f"[{name.replace('_', ' ')} withheld: sent only to the recipient]"


def _unmask(text: str, secrets: dict[str, str]) -> str:
    for name, value in secrets.items():
        text = text.replace(secret_mask(name), value)
    return text


def text_as_sent(message: Message) -> tuple[str, str]:
    """The (subject, body) the recipient gets: the stored text with each secret put back while it is held.

    Once the message has been sent its secrets are gone, and the masks stay: nothing kept in
    the outbox opens the link or passes the code check.
    """
    secrets = message.secret_personalisation or {}
    return _unmask(message.subject, secrets), _unmask(message.body, secrets)


def _outgoing(message: Message) -> Message:
    """An unsaved copy of ``message`` as the sender must hand it over: secrets in text and personalisation."""
    subject, body = text_as_sent(message)
    outgoing = Message(**{field.attname: getattr(message, field.attname) for field in Message._meta.concrete_fields})
    outgoing.subject, outgoing.body = subject, body
    outgoing.personalisation = {**(message.personalisation or {}), **(message.secret_personalisation or {})}
    return outgoing


def normalise_recipient(*, channel: str, to: str) -> str:
    """The address in the one form the outbox stores: an e-mail address, or a phone number in E.164."""
    text = (to or "").strip()
    if channel == Channel.EMAIL:
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError({"to": f"Enter an e-mail address, like name@example.com (not {text!r})."}) from None
        local, _, domain = text.rpartition("@")
        return f"{local}@{domain.lower()}"
    if channel == Channel.SMS:
        from people.services import normalise_phone

        number = normalise_phone(text, field="to")
        if not number:
            raise ValidationError({"to": "Enter a phone number to send a text message to."})
        return number
    raise ValidationError({"channel": f"Channel must be email or sms (not {channel!r})."})


def _clean_personalisation(personalisation: Any) -> dict[str, str]:
    if not isinstance(personalisation, dict):
        raise ValidationError({"personalisation": "Personalisation must be a dictionary of names to text."})
    cleaned = {}
    for key, value in personalisation.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise ValidationError({"personalisation": f"Personalisation names must be plain words (not {key!r})."})
        if value is None or isinstance(value, dict | list | tuple | set):
            raise ValidationError({"personalisation": f"Personalisation {key!r} must be text (not {value!r})."})
        cleaned[key] = str(value)
    return cleaned


def queue_message(
    *,
    channel: str,
    to: str,
    template: str,
    personalisation: dict[str, str],
    reference: str,
    person_id: int | None = None,
    actor: Any = None,
    reason: str = "",
    secret_personalisation: dict[str, str] | None = None,
) -> Message:
    """Put a message in the outbox, to be sent once the caller's transaction commits.

    Idempotent by ``reference``: a second call with the same reference returns the first message
    and sends nothing again. Must run inside the caller's ``transaction.atomic`` (the outbox
    pattern). A message to a person is a disclosure of their contact details (DPA 2018 Part 3
    s.62): it is logged with the address as the recipient. ``secret_personalisation`` holds
    values that open something (an upload link, a code): the stored and shown text carries a
    mask instead, and the values themselves are kept only until the message is sent.
    """
    if not connection.in_atomic_block:
        raise RuntimeError(NOT_IN_TRANSACTION)
    reference = (reference or "").strip()
    if not reference or len(reference) > REFERENCE_MAX:
        raise ValidationError({"reference": f"A reference of 1 to {REFERENCE_MAX} characters is required."})
    existing = Message.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    if channel not in Channel.values:
        raise ValidationError({"channel": f"Channel must be email or sms (not {channel!r})."})
    if not isinstance(template, str) or not TEMPLATE_NAME.match(template):
        raise ValidationError(
            {"template": f"A template name is lower-case letters, digits and underscores (not {template!r})."}
        )
    if person_id is not None:
        from people.models import Person

        if not Person.objects.filter(pk=person_id).exists():
            raise ValidationError({"person_id": f"There is no person {person_id!r} to send this message to."})
    address = normalise_recipient(channel=channel, to=to)
    values = _clean_personalisation(personalisation)
    secrets = _clean_personalisation(secret_personalisation or {})
    if set(secrets) & set(values):
        raise ValidationError({"secret_personalisation": (
            f"{', '.join(sorted(set(secrets) & set(values)))} must be in personalisation or in "
            f"secret_personalisation, not both."
        )})
    # Rendered with the real values first, so the length of a text message and any missing
    # name are checked on what the recipient will get; what is stored carries the masks.
    sent = render_message(channel=channel, template=template, personalisation={**values, **secrets})
    subject, body = render_message(channel=channel, template=template,
                                   personalisation={**values, **{name: secret_mask(name) for name in secrets}})
    if (_unmask(subject, secrets), _unmask(body, secrets)) != sent:
        raise ValidationError({"personalisation": "A personalisation value contains the text of a secret's mask."})
    now = timezone.now()
    try:
        # A savepoint: if a concurrent transaction committed the same reference first, the
        # unique constraint stops this insert and the caller's transaction carries on.
        with transaction.atomic():
            message = Message.objects.create(
                reference=reference, channel=channel, to=address, template=template,
                personalisation=values, secret_personalisation=secrets, subject=subject, body=body,
                person_id=person_id,
                status=Status.QUEUED, next_attempt_at=now,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        existing = Message.objects.filter(reference=reference).first()
        if existing is None:
            raise
        return existing
    if person_id is not None:
        subject_type, subject_id = subject_of(message)
        record_entry(
            actor=actor, action=Action.DISCLOSURE, subject_type=subject_type, subject_id=subject_id,
            person_id=person_id,
            reason=reason.strip() or f"{template.replace('_', ' ').capitalize()} message to the person",
            recipients=[address],
            detail={"channel": channel, "template": template, "reference": reference},
        )
    _deliver_after_commit(message.pk)
    return message


def _deliver_after_commit(message_id: int) -> None:
    if settings.NOTIFICATIONS_DELIVERY == "inline":
        transaction.on_commit(lambda: _deliver_quietly(message_id))
    else:
        from .tasks import deliver_message_task

        transaction.on_commit(lambda: deliver_message_task.enqueue(message_id))


def _deliver_quietly(message_id: int) -> None:
    # Inline delivery runs in the request that queued the message: a sender's failure is the
    # outbox's to retry, never the caller's page to break.
    try:
        deliver_message(message_id=message_id)
    except Exception:
        logger.exception("Delivering message %s failed; send_due_messages will try again.", message_id)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: doubling from the base, up to the cap."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    cap = settings.NOTIFICATIONS_RETRY_MAX_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _lease_until(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.NOTIFICATIONS_SEND_LEASE_SECONDS)


def _due(now: datetime) -> Q:
    """New, due a retry, or claimed by a sender whose lease has run out."""
    return Q(status__in=[Status.QUEUED, Status.SENDING], next_attempt_at__lte=now)


def _claim(message_id: int, now: datetime) -> bool:
    """Take one due message for sending. One conditional UPDATE, so two workers never both win.

    A claim is a lease: if the worker dies mid-send, the message is due again when it ends.
    """
    return bool(
        Message.objects.filter(_due(now), pk=message_id).update(
            status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=_lease_until(now)
        )
    )


def claim_due_messages(*, size: int, now: datetime | None = None) -> list[Message]:
    """Take up to ``size`` due messages for this sender, oldest due first, each leased to it.

    One short transaction: on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` passes over the rows
    another sender is claiming at that moment instead of waiting for it, then one UPDATE marks the
    batch ``sending`` with a lease (``NOTIFICATIONS_SEND_LEASE_SECONDS``), counting the try. After
    the commit the leased rows are not due, so other senders take the next ones; a sender that dies
    mid-batch leaves the rest due again when the lease ends. SQLite has no row locks: its
    transactions take the write lock when they begin (``transaction_mode`` IMMEDIATE), so there
    claims simply take turns.

    The lease's end and the try count returned with each message are its claim: recording the
    outcome, and sending at all, only happen while the row still carries them (``_hold``, ``_apply``).
    """
    now = now or timezone.now()
    lease_until = _lease_until(now)
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=skip_locked)
            .filter(_due(now))
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:size]
        )
        if not ids:
            return []
        Message.objects.filter(_due(now), pk__in=ids).update(
            status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease_until
        )
        claimed = {m.pk: m for m in Message.objects.filter(pk__in=ids, status=Status.SENDING, next_attempt_at=lease_until)}
    return [claimed[pk] for pk in ids if pk in claimed]


def _ours(message: Message) -> Q:
    """The row as this sender's claim left it: still sending, same try, same lease."""
    return Q(pk=message.pk, status=Status.SENDING, attempts=message.attempts, next_attempt_at=message.next_attempt_at)


def _hold(message: Message) -> bool:
    """Whether this sender may send ``message`` now: its claim still stands, with time left.

    A message waiting late in a batch may see its lease run low; it is renewed while the claim is
    still ours. If another sender has reclaimed it (the lease ran out first), it is left to them.
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.NOTIFICATIONS_SEND_LEASE_SECONDS)
    if message.next_attempt_at - now > lease / 2:
        return True
    renewed = _lease_until(now)
    if Message.objects.filter(_ours(message)).update(next_attempt_at=renewed):
        message.next_attempt_at = renewed
        return True
    return False


def deliver_message(*, message_id: int, sender: senders.Sender | None = None) -> Message | None:
    """Try to send one due message now; returns it, or None if it was not due (sent, failed, leased).

    A temporary failure is retried after a doubling back-off until ``NOTIFICATIONS_MAX_ATTEMPTS``
    tries; a permanent one, or the last try, marks the message failed for staff to look at.
    """
    now = timezone.now()
    if not _claim(message_id, now):
        return None
    return _send_claimed(Message.objects.get(pk=message_id), sender)


def _send_claimed(message: Message, sender: senders.Sender | None) -> Message:
    """Hand a message this worker has claimed to the sender and record what happened."""
    try:
        sender = sender or senders.configured_sender()
    except ImproperlyConfigured as error:
        # Settings can be put right without losing the message: it waits, saying what is wrong.
        return _record_failure(message, settings.NOTIFICATIONS_SENDER, str(error), permanent=False)
    try:
        handover = sender.send(_outgoing(message))
    except senders.PermanentFailure as error:
        return _record_failure(message, sender.name, str(error), permanent=True)
    except senders.TemporaryFailure as error:
        return _record_failure(message, sender.name, str(error), permanent=False)
    except Exception as error:  # a bug or an unforeseen outage: retry, and say what it was
        logger.exception("Sender %s raised on message %s", sender.name, message.reference)
        return _record_failure(message, sender.name, f"{type(error).__name__}: {error}", permanent=False)
    sent_at = timezone.now()
    changes: dict[str, Any] = {
        "sender": sender.name, "provider_id": handover.provider_id, "last_error": "", "sent_at": sent_at,
        "status": Status.DELIVERED if handover.delivered else Status.SENT,
    }
    if handover.delivered:
        changes["delivered_at"] = sent_at
    # The recipient has the secrets now; the outbox keeps none, whatever a receipt has said since.
    # (A failed message keeps them, so that "Send again" sends a working link.)
    if message.secret_personalisation:
        Message.objects.filter(pk=message.pk).update(secret_personalisation={})
        message.secret_personalisation = {}
    # Only while still ours: a delivery receipt may already have arrived and said more.
    return _apply(message, changes)


def _apply(message: Message, changes: dict[str, Any]) -> Message:
    """Save ``changes`` if the message is still held by this worker's claim; the message as it now stands.

    Not ours any more when a delivery receipt has already said more, or when the lease ran out and
    another worker reclaimed the message: its record is then theirs to write.
    """
    if Message.objects.filter(_ours(message)).update(**changes):
        for name, value in changes.items():
            setattr(message, name, value)
    else:
        message.refresh_from_db()
    return message


def _record_failure(message: Message, sender_name: str, error: str, *, permanent: bool) -> Message:
    now = timezone.now()
    final = permanent or message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
    changes: dict[str, Any] = {"sender": sender_name, "last_error": error[:2000]}
    if final:
        changes.update(status=Status.FAILED, failed_at=now)
    else:
        changes.update(status=Status.QUEUED, next_attempt_at=now + retry_delay(message.attempts))
    logger.warning("Message %s %s: %s", message.reference, "failed" if final else "will be retried", error)
    return _apply(message, changes)


def _empty_counts() -> dict[str, int]:
    return {"sent": 0, "delivered": 0, "retrying": 0, "failed": 0, "skipped": 0}


def send_claimed_messages(messages: list[Message], *, sender: senders.Sender | None = None) -> dict[str, int]:
    """Send a batch from ``claim_due_messages``, each once; counts by outcome.

    A message whose claim no longer stands (its lease ran out and another worker took it) is
    skipped, not sent a second time.
    """
    counts = _empty_counts()
    if sender is None and messages:
        try:
            sender = senders.configured_sender()
        except ImproperlyConfigured:
            sender = None  # each message records the reason as it is tried
    for message in messages:
        if not _hold(message):
            counts["skipped"] += 1
            continue
        message = _send_claimed(message, sender)
        if message.status == Status.QUEUED:
            counts["retrying"] += 1
        elif message.status == Status.SENDING:
            counts["skipped"] += 1  # reclaimed by another worker while this one was sending
        else:
            counts[message.status] = counts.get(message.status, 0) + 1
    return counts


def send_due_messages(
    *, limit: int = 500, sender: senders.Sender | None = None, batch_size: int | None = None
) -> dict[str, int]:
    """Send every message that is due (new, due a retry, or abandoned mid-send); counts by outcome.

    Claims ``batch_size`` messages at a time (``NOTIFICATIONS_SEND_BATCH``) until none is due or
    ``limit`` have been taken. Any number of workers can run this at once: each claims its own
    batches (``claim_due_messages``), so none waits for another and each message is sent once.
    """
    batch_size = batch_size or settings.NOTIFICATIONS_SEND_BATCH
    counts = _empty_counts()
    taken = 0
    while taken < limit:
        batch = claim_due_messages(size=min(batch_size, limit - taken))
        if not batch:
            break
        taken += len(batch)
        if sender is None:
            try:
                sender = senders.configured_sender()  # one for the run, as a worker keeps its connection
            except ImproperlyConfigured:
                pass  # each message records the reason as it is tried
        for name, count in send_claimed_messages(batch, sender=sender).items():
            counts[name] = counts.get(name, 0) + count
    return counts


@transaction.atomic
def retry_message(*, message_id: int, actor: Any) -> Message:
    """Send a failed message again (a member of staff with ``manage_notifications`` asked to).

    The tries start again from one. Sending again discloses the address again, so it is logged.
    """
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.status != Status.FAILED:
        raise ValidationError({"message": "Only a message that failed can be sent again."})
    message.status = Status.QUEUED
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.failed_at = None
    message.save(update_fields=["status", "attempts", "next_attempt_at", "failed_at"])
    if message.person_id is not None:
        subject_type, subject_id = subject_of(message)
        record_entry(
            actor=actor, action=Action.DISCLOSURE, subject_type=subject_type, subject_id=subject_id,
            person_id=message.person_id, reason=f"Sending again a message that failed ({message.template})",
            recipients=[message.to],
            detail={"channel": message.channel, "template": message.template, "reference": message.reference},
        )
    _deliver_after_commit(message.pk)
    return message


@transaction.atomic
def record_delivery_receipt(*, payload: dict[str, Any]) -> Message | None:
    """Apply a GOV.UK Notify delivery receipt (id, reference, status, completed_at); None if unknown.

    Found by Notify's id, else by our reference (a receipt can beat the sender's own record of
    the id). A failure receipt marks the message failed so staff can see it and send it again.
    """
    provider_id = str(payload.get("id") or "")
    reference = str(payload.get("reference") or "")
    status = str(payload.get("status") or "")
    if status not in NOTIFY_RECEIPT_STATUSES and status not in ("created", "sending", "pending", "sent"):
        raise ValidationError({"status": f"Unknown delivery status {status!r}."})
    query = Q(provider_id=provider_id) if provider_id else Q(pk__in=[])
    if reference:
        query |= Q(reference=reference)
    message = Message.objects.select_for_update().filter(query).order_by("id").first()
    if message is None:
        return None
    message.provider_status = status[:40]
    if provider_id and not message.provider_id:
        message.provider_id = provider_id[:100]
    fields = ["provider_status", "provider_id"]
    outcome = NOTIFY_RECEIPT_STATUSES.get(status)
    when = parse_datetime(str(payload.get("completed_at") or "")) or timezone.now()
    if timezone.is_naive(when):
        when = timezone.make_aware(when, UTC)
    if outcome == Status.DELIVERED:
        message.status, message.delivered_at = Status.DELIVERED, when
        fields += ["status", "delivered_at"]
    elif outcome == Status.FAILED:
        message.status, message.failed_at = Status.FAILED, when
        message.last_error = f"GOV.UK Notify: {status} ({NOTIFY_RECEIPT_WORDS[status]})."
        fields += ["status", "failed_at", "last_error"]
    message.save(update_fields=fields)
    return message


ERASABLE_STATUSES = (Status.SENT, Status.DELIVERED, Status.FAILED)


@transaction.atomic
def erase_message(*, actor: Any, message: Message, reason: str, detail: dict[str, Any] | None = None) -> dict[str, int]:
    """Erase what a message in the outbox said and to whom, at the end of its retention.

    APP "Review, retention and disposal" / DPA 2018 s.62: the recipient, personalisation, subject,
    body and last error are removed and the person unlinked; the reference (the idempotency key, so
    the same message is never sent twice), template, channel, status and times stay. Only a message
    that has left the outbox (sent, delivered or failed) can be erased. One ``erasure`` entry holds
    the fields cleared, never their values; a second call does nothing.
    """
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if locked.status not in ERASABLE_STATUSES:
        raise ValidationError({"message": "Only a message that was sent, delivered or failed can be erased"})
    blank = {"to": "", "personalisation": {}, "secret_personalisation": {}, "subject": "", "body": "", "last_error": "",
             "person_id": None}
    fields = sorted(name for name, value in blank.items() if getattr(locked, name) != value)
    if not fields:
        return {}
    person_id = locked.person_id
    for name in fields:
        setattr(locked, name, blank[name])
    locked.save(update_fields=[name.removesuffix("_id") for name in fields])
    subject_type, subject_id = subject_of(locked)
    record_entry(
        actor=actor, action=Action.ERASURE, subject_type=subject_type, subject_id=subject_id, person_id=person_id,
        reason=reason, detail={**(detail or {}), "fields": [name.removesuffix("_id") for name in fields]},
    )
    return {"fields": len(fields)}
