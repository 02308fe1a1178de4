"""Helpers for the audit tests: entries written through the real service, raw tampering, the command."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from audit.services import record_entry, seal_pending


def write_entries(count: int, *, actor=None, person_id: str = "", **kwargs) -> None:
    """Log ``count`` collections, one transaction each, as a service would."""
    for number in range(count):
        with transaction.atomic():
            record_entry(
                actor=actor,
                action=kwargs.get("action", "collection"),
                subject_type=kwargs.get("subject_type", "people.person"),
                subject_id=kwargs.get("subject_id", str(number + 1)),
                person_id=person_id or str(number + 1),
                reason=kwargs.get("reason", ""),
                recipients=kwargs.get("recipients", ()),
                actor_label=kwargs.get("actor_label", ""),
            )


@contextlib.contextmanager
def tampering() -> Iterator[None]:
    """Raw SQL access to the log, as an attacker with the table owner's rights would have.

    On PostgreSQL the append-only trigger is switched off first (as only the table's owner can)
    and back on afterwards, so the test shows what verification catches once that guard is gone.
    What is staged is chained first, so the tampering reaches entries already in the chain.
    """
    seal_pending()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_auditentry_append_only")
    else:
        yield


def run_sql(sql: str, params: list | tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify() -> tuple[int, str, str]:
    """Run ``verify_audit`` as an operator would; returns (exit code, stdout, error message)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", "--no-progress", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()
