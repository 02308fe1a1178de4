"""Forms for the crime admin bureau's pages."""

from __future__ import annotations

from django import forms

from firstcontact.forms import GovUKFormMixin

from .models import CancellationCode, HomeOfficeClassification, OutcomeType, VictimDecision


class ClassificationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: HomeOfficeClassification) -> str:
        return f"{obj.code} {obj.name} ({obj.police_uk_category})"


def _classification_field(label: str) -> ClassificationChoice:
    return ClassificationChoice(
        label=label, queryset=HomeOfficeClassification.objects.filter(active=True).order_by("name"),
        empty_label="Choose a classification",
        error_messages={"invalid_choice": "Choose a Home Office classification from the list"},
    )


class ClassifyForm(GovUKFormMixin, forms.Form):
    """Check a crime's classification: confirm the one given, or choose the right one."""

    classification = _classification_field("Home Office classification")


class ReclassifyForm(GovUKFormMixin, forms.Form):
    """Change a checked classification, saying why."""

    classification = _classification_field("New Home Office classification")
    reclassify_reason = forms.CharField(
        label="Reason for reclassifying", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelForm(GovUKFormMixin, forms.Form):
    """Ask for a crime to be cancelled on a Section C ground."""

    cancellation_code = forms.ModelChoiceField(
        label="Cancellation code", queryset=CancellationCode.objects.all(), widget=forms.RadioSelect,
        empty_label=None, error_messages={"invalid_choice": "Select a cancellation code: C1, C2, C3 or C4"},
    )
    cancellation_reason = forms.CharField(
        label="Additional verifiable information", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What shows the ground applies: who said or found what, and when.",
    )


class RejectCancellationForm(GovUKFormMixin, forms.Form):
    """Turn down a cancellation request, saying why."""

    rejection_reason = forms.CharField(
        label="Reason for keeping the crime", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OutcomeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: OutcomeType) -> str:
        return f"{obj.number}. {obj.name}"


class CloseForm(GovUKFormMixin, forms.Form):
    """Close a crime with its Home Office outcome; 15 and 16 need the victim's decision."""

    outcome = OutcomeChoice(
        label="Outcome", queryset=OutcomeType.objects.all(), empty_label="Choose an outcome",
        error_messages={"invalid_choice": "Choose a Home Office outcome type from the list"},
    )
    victim_decision = forms.ChoiceField(
        label="Victim's decision (needed for outcomes 15 and 16)", required=False,
        choices=VictimDecision.choices, widget=forms.RadioSelect,
    )
