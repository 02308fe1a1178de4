"""Template filters that give Django's form widgets the markup GOV.UK Frontend expects.

Django's own widget templates are left alone, because the admin site renders
widgets through the same renderer and must keep its own look.
"""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField

from firstcontact.forms import GovUKDateInput

register = template.Library()

# Widget class -> (kind of GOV.UK component, the class its input takes)
_TEXTUAL = (
    forms.TextInput,
    forms.EmailInput,
    forms.URLInput,
    forms.NumberInput,
    forms.PasswordInput,
    forms.DateInput,
    forms.TimeInput,
    forms.DateTimeInput,
)


@register.filter
def govuk_kind(field: BoundField) -> str:
    """Which GOV.UK component a field becomes: input, textarea, select, radios, checkboxes, checkbox, date, file."""
    widget = field.field.widget
    if isinstance(widget, GovUKDateInput):
        return "date"
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it is asked about first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):  # also SelectMultiple
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


def _described_by(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.filter
def govuk_described_by(field: BoundField) -> str:
    """The ids of the field's hint and error message, for aria-describedby (WCAG 1.3.1, 3.3.1)."""
    return _described_by(field)


@register.filter
def govuk_widget(field: BoundField) -> str:
    """Render a single-control widget (input, textarea, select, file) with GOV.UK classes and error state."""
    kind = govuk_kind(field)
    base = {"input": "govuk-input", "textarea": "govuk-textarea", "select": "govuk-select", "file": "govuk-file-upload"}[
        kind
    ]
    classes = [base]
    if field.errors:
        classes.append(f"{base}--error")
    existing = field.field.widget.attrs.get("class")
    if existing:
        classes.append(existing)
    attrs = {"class": " ".join(classes)}
    described_by = _described_by(field)
    if described_by:
        attrs["aria-describedby"] = described_by
    if isinstance(field.field.widget, forms.Textarea):
        attrs.setdefault("rows", field.field.widget.attrs.get("rows", 5))
    return field.as_widget(attrs=attrs)


@register.filter
def govuk_error_target(field: BoundField) -> str:
    """The id the error summary links to: the first control of a group (radios, checkboxes, date)."""
    if govuk_kind(field) in {"radios", "checkboxes", "date"}:
        return f"{field.auto_id}_0"
    return field.auto_id


@register.filter
def govuk_date_parts(field: BoundField) -> list[dict]:
    """Day, month and year boxes of a GOV.UK date input, each with its id, name, value and width."""
    widget: GovUKDateInput = field.field.widget
    values = widget.decompress(field.value())
    parts = []
    for index, (label, suffix, width) in enumerate(GovUKDateInput.parts):
        parts.append(
            {
                "id": f"{field.auto_id}_{index}",
                "name": f"{field.html_name}_{suffix}",
                "label": label,
                "value": values[index] if values and values[index] is not None else "",
                "width": width,
            }
        )
    return parts
