"""Panels other apps add to a crime's pages, included only when the app that provides them is installed."""

from __future__ import annotations

from django import template
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import get_template

register = template.Library()


@register.simple_tag(takes_context=True)
def optional_panel(context: template.Context, name: str, **values) -> str:
    """Render ``name`` with ``values`` (and the request), or nothing when no app provides that template yet.

    Lets the investigation page carry the evidence app's panel without depending on that app.
    """
    try:
        panel = get_template(name)
    except TemplateDoesNotExist:
        return ""
    return panel.render({**context.flatten(), **values}, context.get("request"))
