"""Pieces the investigation page's sections share (see cases/_record_table.html and cases/_action_form.html)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def split_by(text: str, separator: str) -> list[str]:
    """``"When|How|Result"`` split into its parts: a table's column headings given as one include parameter."""
    return str(text).split(separator)
