"""Forms of the duplicate review pages: why a pair is opened, which record survives, why undone."""

from __future__ import annotations

from django import forms

from firstcontact.forms import GovUKFormMixin

REASON_HELP = "Recorded in the audit log with your name, for example the contact reference that raised it."


class OpenPairForm(GovUKFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you looking at these records?", max_length=500, help_text=REASON_HELP,
        error_messages={"required": "Enter why you are looking at these records"},
    )


class MergeForm(GovUKFormMixin, forms.Form):
    survivor = forms.ChoiceField(
        label="Which record should be kept?", widget=forms.RadioSelect,
        error_messages={"required": "Select which record should be kept"},
    )
    reason = forms.CharField(
        label="What confirms they are the same person?", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what confirms they are the same person"},
    )

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = choices


class RejectForm(GovUKFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why are they different people?", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why they are different people"},
    )


class UndoForm(GovUKFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why should this merge be undone?", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why this merge should be undone"},
    )
