"""Background work for the person index, run by django-tasks off the request path."""

from __future__ import annotations

from django_tasks import task


@task()
def find_duplicate_persons_task() -> int:
    """Search the whole index for probable duplicates (scheduled nightly); returns how many pairs were queued."""
    from .duplicates import find_duplicate_persons

    return find_duplicate_persons().queued
