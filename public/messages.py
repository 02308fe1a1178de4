"""Messages to reporters and business users, through the notifications outbox.

Message texts are ``templates/notifications/messages/<name>.txt`` in this app: first
line ``Subject: ...``, then the body, with ``{{ placeholder }}`` personalisation.
"""

from __future__ import annotations

from typing import Any

from notifications.services import queue_message


def send(*, channel: str, to: str, template: str, personalisation: dict[str, Any], reference: str,
         person_id: int | None = None, actor: Any = None, secret: dict[str, Any] | None = None) -> None:
    """Queue a message in the caller's transaction; ``reference`` is unique, so a retried request sends it once.

    ``secret`` holds what opens something (a link's token, a code): the outbox keeps it only
    until the message is sent, and stores and shows a mask in its place.
    """
    queue_message(channel=channel, to=to, template=template, personalisation={k: str(v) for k, v in personalisation.items()},
                  reference=reference, person_id=person_id, actor=actor,
                  secret_personalisation={k: str(v) for k, v in (secret or {}).items()})
