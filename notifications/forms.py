"""The outbox page's filter."""

from __future__ import annotations

from django import forms

from firstcontact.forms import GovUKFormMixin

from .models import Channel, Status


class OutboxFilterForm(GovUKFormMixin, forms.Form):
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Status.choices])
    channel = forms.ChoiceField(label="Sent by", required=False, choices=[("", "E-mail or text"), *Channel.choices])
    search = forms.CharField(
        label="Reference or message", required=False, max_length=200,
        help_text="Part of the reference, e.g. a crime number, or the message name, e.g. victim_update.",
    )
