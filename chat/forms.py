"""Forms for live chat: the public pre-chat questions and transcript request; the agent's actions."""

from __future__ import annotations

from django import forms

from contacts.models import IncidentType
from firstcontact.forms import GovUKFormMixin

from .models import ChatOutcome, ContactMethod, SafeToContact


class PreChatForm(GovUKFormMixin, forms.Form):
    topic = forms.CharField(
        label="What would you like to talk to us about?", max_length=1000,
        help_text="A sentence is enough. Do not use this chat to report an emergency: call 999.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    name = forms.CharField(label="Your name (optional)", max_length=120, required=False)
    safe_to_contact = forms.ChoiceField(
        label="Is it safe for us to contact you after this chat?", choices=SafeToContact.choices,
        widget=forms.RadioSelect,
        help_text="If someone else might see your messages or answer your phone, choose only through this chat.",
    )
    contact_method = forms.ChoiceField(
        label="How may we contact you?", choices=ContactMethod.choices, widget=forms.RadioSelect, required=False,
        help_text="Only if it is safe.",
    )
    contact_detail = forms.CharField(label="Phone number or e-mail address", max_length=254, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class TranscriptForm(GovUKFormMixin, forms.Form):
    email = forms.EmailField(
        label="E-mail address", max_length=254,
        help_text="We will send a copy of this chat with the time of each message. Only give an address that is safe.",
        error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.com"},
    )


class MessageForm(GovUKFormMixin, forms.Form):
    body = forms.CharField(label="Message", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=64)


class TransferForm(GovUKFormMixin, forms.Form):
    to_agent = forms.ChoiceField(label="Transfer to")
    reason = forms.CharField(label="Why are you transferring it?", max_length=300)

    def __init__(self, *args, agents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agent"].choices = [("", "Choose someone")] + [
            (str(a.pk), f"{a.get_full_name() or a.username} ({', '.join(a.role_names) or 'staff'})") for a in agents
        ]


class EndForm(GovUKFormMixin, forms.Form):
    outcome = forms.ChoiceField(label="How did the chat end?", choices=ChatOutcome.choices, widget=forms.RadioSelect)


class ContactFromChatForm(GovUKFormMixin, forms.Form):
    incident_type = forms.ModelChoiceField(
        label="What is it about?", queryset=IncidentType.objects.filter(active=True), empty_label="Choose a type",
    )
    location_text = forms.CharField(
        label="Where did it happen?", max_length=200, required=False,
        help_text="As the person described it. Leave blank if they did not say.",
    )


class FindPersonForm(GovUKFormMixin, forms.Form):
    query = forms.CharField(label="Find the person", max_length=100, help_text="A name, a phone number or a person reference")
