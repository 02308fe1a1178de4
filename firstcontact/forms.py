"""The project form renderer and the form pieces every app shares, GOV.UK-shaped."""

from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting


class GovUKFormRenderer(TemplatesSetting):
    """Renders every form GOV.UK-shaped: error summary first, then each field with its label, hint and error."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"


class GovUKDateInput(forms.MultiWidget):
    """Three boxes, day, month and year, as the GOV.UK date input pattern asks (not a date picker).

    The field receives "YYYY-MM-DD" built from the boxes, so a normal ``forms.DateField``
    validates it; what was typed is shown again unchanged when the date is not valid.
    """

    # (label, name suffix, width class)
    parts = (("Day", "day", 2), ("Month", "month", 2), ("Year", "year", 4))

    def __init__(self, attrs=None):
        widgets = {suffix: forms.TextInput(attrs={"inputmode": "numeric"}) for _, suffix, _ in self.parts}
        super().__init__(widgets, attrs)

    def decompress(self, value):
        """Day, month and year from a date, or from the "year-month-day" text typed last time."""
        if value is None or value == "":
            return [None, None, None]
        if hasattr(value, "year"):
            return [str(value.day), str(value.month), str(value.year)]
        year, _, rest = str(value).partition("-")
        month, _, day = rest.partition("-")
        return [day, month, year]

    def value_from_datadict(self, data, files, name):
        day, month, year = (data.get(f"{name}_{suffix}", "").strip() for _, suffix, _ in self.parts)
        if not (day or month or year):
            return None
        return f"{year}-{month}-{day}"

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}_{suffix}" in data for _, suffix, _ in self.parts)


class GovUKFormMixin:
    """Default error messages that name the field, as the GOV.UK error message pattern asks.

    "This field is required." does not say which field; "Enter your username" does. A message
    set on the field itself is kept.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label or name.replace("_", " ").capitalize())
            lowered = label[0].lower() + label[1:]
            default_required = forms.Field.default_error_messages["required"]
            if field.error_messages.get("required") == default_required:
                choosing = isinstance(field.widget, forms.RadioSelect | forms.Select | forms.CheckboxSelectMultiple | forms.CheckboxInput)
                verb = "Select" if choosing else "Enter"
                field.error_messages["required"] = f"{verb} {lowered}"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"{label} must be a real date, for example 27 3 2025"
