"""Where an operation came from (web request, API, command), carried without passing the request around."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    source: str = "system"
    request_id: str = ""


# AuditContext is a frozen dataclass, so sharing one default instance is safe.
_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "audit_context", default=AuditContext()  # noqa: B039
)


def current() -> AuditContext:
    return _current.get()


@contextmanager
def audit_context(*, source: str, request_id: str | None = None) -> Iterator[AuditContext]:
    """Mark everything logged inside the block as coming from ``source`` (web, api, command, task)."""
    ctx = AuditContext(source=source, request_id=request_id or uuid.uuid4().hex)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
