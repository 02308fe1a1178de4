"""Background work for the outbox: each message is sent by a task queued when its transaction commits."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_message_task(message_id: int) -> str:
    """Send one message if it is still due; returns its status afterwards ("" if it was not due)."""
    from .services import deliver_message

    message = deliver_message(message_id=message_id)
    return message.status if message else ""


@task()
def send_due_messages_task() -> dict[str, int]:
    """Send every message that is due (new, due a retry, or abandoned mid-send); schedule it every minute."""
    from .services import send_due_messages

    return send_due_messages()
