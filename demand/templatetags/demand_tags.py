from django import template

register = template.Library()


@register.filter
def get_label(labels: dict, key: str) -> str:
    """The display name for a queue code, e.g. "chat" -> "Live chat"."""
    return labels.get(key, key)
