"""Display helpers for the account pages."""

from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def whole_minutes(value: timedelta | None) -> int | None:
    """A period as whole minutes, rounded up, so that "locked for 30 minutes" is never an understatement."""
    if value is None:
        return None
    seconds = int(value.total_seconds())
    return -(-seconds // 60)
