"""The data protection officer's forms: a retention decision, finding the data subject, and a new request."""

from __future__ import annotations

import secrets

from django import forms

from firstcontact.forms import GovUKDateInput, GovUKFormMixin

from .models import Decision
from .services import NEXT_REVIEW_REQUIRED

DEFAULT_FIND_REASON = "Identifying the data subject of a subject access request"


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class DecisionForm(GovUKFormMixin, forms.Form):
    """Retain (why, and when to look again) or dispose of (why) a record due for review."""

    decision = forms.ChoiceField(
        label="Decision", choices=Decision.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select whether to retain or dispose of the record"},
    )
    reason = forms.CharField(
        label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The policing purpose that still exists, or why none does. Kept with the decision.",
        error_messages={"required": "Enter the reason for your decision", "max_length": "Reason must be 500 characters or fewer"},
    )
    next_review_on = forms.DateField(
        label="Next review date", required=False, widget=GovUKDateInput,
        help_text="Needed when you retain the record. For example, 27 3 2028",
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def clean(self):
        # Named here as well as in the service, so a retain with nothing filled in lists every gap at once.
        data = super().clean()
        if data.get("decision") == Decision.RETAIN and not data.get("next_review_on") \
                and "next_review_on" not in self.errors:
            self.add_error("next_review_on", NEXT_REVIEW_REQUIRED)
        return data


class FindSubjectForm(GovUKFormMixin, forms.Form):
    """Find the person who asked for their data in the person index; the search is logged with the reason."""

    name = forms.CharField(
        label="Name", max_length=200, help_text="As the requester gave it, for example Ama Owusu",
        error_messages={"required": "Enter the name of the person who made the request",
                        "max_length": "Name must be 200 characters or fewer"},
    )
    dob = forms.DateField(
        label="Date of birth (optional)", required=False, widget=GovUKDateInput,
        help_text="For example, 27 3 1985",
    )
    reason = forms.CharField(
        label="Reason for searching", max_length=200, initial=DEFAULT_FIND_REASON,
        help_text="Recorded with your search in the audit log",
        error_messages={"required": "Enter the reason for searching", "max_length": "Reason must be 200 characters or fewer"},
    )


class NewRequestForm(GovUKFormMixin, forms.Form):
    """The request's dates: when it was received (the month to answer runs from then) and any notes."""

    received_on = forms.DateField(
        label="Date received", widget=GovUKDateInput, help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the request was received"},
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How the request arrived and how the requester's identity was checked. Do not copy the request itself.",
        error_messages={"max_length": "Notes must be 1000 characters or fewer"},
    )
    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
