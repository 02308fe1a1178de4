"""Background work for investigations, run by django-tasks off the request path."""

from __future__ import annotations

from django_tasks import task


@task()
def queue_routed_crimes_task(limit: int = 500) -> int:
    """Put crimes routed to a resolution centre into its queue (scheduled every few minutes); returns how many."""
    from .services import queue_routed_crimes

    return queue_routed_crimes(actor=None, limit=limit)
