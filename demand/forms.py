"""Forms for the demand pages: the staffing and what-if settings."""

from __future__ import annotations

from django import forms

from firstcontact.forms import GovUKFormMixin

from .models import Queue


class StaffingForm(GovUKFormMixin, forms.Form):
    """Service-level target, handling and shrinkage for a staffing plan, and the what-if drivers."""

    queue = forms.ChoiceField(label="Queue", choices=[(q.value, q.label) for q in Queue][:3])
    interval = forms.TypedChoiceField(label="Interval", coerce=int, initial=60,
                                      choices=[(15, "15 minutes"), (30, "30 minutes"), (60, "60 minutes")])
    target_seconds = forms.IntegerField(label="Answer within (seconds)", min_value=1, max_value=3600, initial=10)
    service_level = forms.IntegerField(label="Share answered within that time (%)", min_value=1, max_value=99,
                                       initial=90)
    aht_seconds = forms.IntegerField(label="Average handling time (seconds)", min_value=1, max_value=7200,
                                     required=False, help_text="Leave blank to use the queue's recorded calls")
    patience_seconds = forms.IntegerField(
        label="Callers' mean patience (seconds)", min_value=1, max_value=3600, required=False,
        help_text="With a value, Erlang A (callers hang up); blank for Erlang C (everyone waits)")
    max_occupancy = forms.IntegerField(label="Occupancy cap (%)", min_value=1, max_value=100, initial=85)
    shrinkage = forms.IntegerField(label="Shrinkage (%)", min_value=0, max_value=90, initial=30,
                                   help_text="Paid time not on calls: breaks, training, briefings, sickness")
    triage_resolved = forms.IntegerField(label="What if triage resolves this % more 101 calls at first contact",
                                         min_value=0, max_value=100, initial=0, required=False)
    chat_share = forms.IntegerField(label="What if live chat takes this % of 101 calls", min_value=0,
                                    max_value=100, initial=0, required=False)
    aht_change = forms.IntegerField(label="What if handling time changes by this % (e.g. -10)", min_value=-90,
                                    max_value=200, initial=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = field.label
            if isinstance(field, forms.IntegerField):
                # These two are %-formatted with the limit, so a "%" in the label is doubled.
                escaped = label.replace("%", "%%")
                field.error_messages.update(
                    invalid=f"{label} must be a whole number",
                    min_value=f"{escaped} must be %(limit_value)s or more",
                    max_value=f"{escaped} must be %(limit_value)s or less",
                )
            field.error_messages["required"] = f"Enter {label.lower()}"
            if name in ("queue", "interval"):
                field.error_messages["invalid_choice"] = f"Choose a {label.lower()} from the list"


class QueueSettingsForm(GovUKFormMixin, forms.Form):
    """One queue's stored service-level target and staffing assumptions."""

    service_level = forms.IntegerField(label="Share answered within the target (%)", min_value=1, max_value=99)
    target_seconds = forms.IntegerField(label="Answer within (seconds)", min_value=1, max_value=86400)
    aht_seconds = forms.IntegerField(label="Average handling time (seconds)", min_value=1, max_value=7200,
                                     required=False, help_text="Leave blank to use the queue's recorded calls")
    shrinkage = forms.IntegerField(label="Shrinkage (%)", min_value=0, max_value=90,
                                   help_text="Paid time not on calls: breaks, training, briefings, sickness")
    max_occupancy = forms.IntegerField(label="Occupancy cap (%)", min_value=1, max_value=100)
    patience_seconds = forms.IntegerField(
        label="Callers' mean patience (seconds)", min_value=1, max_value=3600, required=False,
        help_text="With a value, staffing uses Erlang A (callers hang up); blank for Erlang C (everyone waits)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = field.label
            escaped = label.replace("%", "%%")
            field.error_messages.update(
                required=f"Enter {label[0].lower()}{label[1:]}",
                invalid=f"{label} must be a whole number",
                min_value=f"{escaped} must be %(limit_value)s or more",
                max_value=f"{escaped} must be %(limit_value)s or less",
            )
