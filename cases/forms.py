"""Forms for the crime admin bureau's pages."""

from __future__ import annotations

import uuid

from django import forms

from firstcontact.forms import GovUKDateInput, GovUKFormMixin

from .models import (
    BureauTaskKind,
    CancellationCode,
    ContactMethod,
    ContactResult,
    DecisionKind,
    EnquiryStatus,
    HomeOfficeClassification,
    OutcomeType,
    ReviewQuality,
    ReviewRequestChannel,
    ReviewResult,
    SolvabilityFactor,
    UpdateChannel,
    VictimDecision,
)


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


# --- Investigation (issue 6) -------------------------------------------------------------------------


def new_form_token() -> str:
    """A fresh token for a form that creates something: a second submission of it creates nothing more."""
    return uuid.uuid4().hex


class TokenForm(GovUKFormMixin, forms.Form):
    """A form that creates a record: carries its form token so a double submit records nothing twice."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("form_token", new_form_token())
        super().__init__(*args, **kwargs)


class InvestigatorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        teams = ", ".join(team.name for team in obj.teams.all())
        return f"{obj.get_full_name() or obj.username}" + (f" ({teams})" if teams else "")


class AllocateForm(GovUKFormMixin, forms.Form):
    """A supervisor allocates the crime to an investigator."""

    investigator = InvestigatorChoice(
        label="Investigator", queryset=None, empty_label="Choose an investigator",
        error_messages={"invalid_choice": "Choose an investigator from the list"},
    )

    def __init__(self, *args, investigators=(), **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["investigator"].queryset = User.objects.filter(pk__in=[u.pk for u in investigators]).prefetch_related("teams")


class ContactAttemptForm(TokenForm):
    """One attempt to reach the victim and how it went."""

    method = forms.ChoiceField(label="How did you try to reach the victim?", choices=ContactMethod.choices,
                               widget=forms.RadioSelect)
    result = forms.ChoiceField(label="Result", choices=ContactResult.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label="Notes (optional)", required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))


class EnquiryForm(TokenForm):
    """A new line of enquiry."""

    title = forms.CharField(label="Line of enquiry", max_length=200,
                            help_text="What is to be done, for example: Get the CCTV from the shop.")
    objective = forms.CharField(label="Objective (optional)", required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}), help_text="What it should establish.")
    owner = InvestigatorChoice(label="Owner", queryset=None, required=False, empty_label="The investigator")
    due_on = forms.DateField(label="Due by", widget=GovUKDateInput, help_text="For example, 27 3 2027")

    def __init__(self, *args, investigators=(), **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["owner"].queryset = User.objects.filter(pk__in=[u.pk for u in investigators]).prefetch_related("teams")


class EnquiryStatusForm(GovUKFormMixin, forms.Form):
    """Move a line of enquiry on."""

    status = forms.ChoiceField(label="Status", choices=EnquiryStatus.choices)
    result = forms.CharField(label="What it found, or why it was not pursued", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class SolvabilityForm(GovUKFormMixin, forms.Form):
    factors = forms.MultipleChoiceField(
        label="Solvability factors present", choices=SolvabilityFactor.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text="Select all that apply.",
    )


class SuspectForm(GovUKFormMixin, forms.Form):
    person_reference = forms.CharField(label="Person reference", max_length=20,
                                       help_text="From the person index, for example P00000042.")
    reason = forms.CharField(label="Why this person is a suspect", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(TokenForm):
    kind = forms.ChoiceField(label="Kind of decision", choices=DecisionKind.choices, widget=forms.RadioSelect,
                             help_text="All but the first are key decisions the victim must be told of.")
    decision = forms.CharField(label="Decision", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    rationale = forms.CharField(label="Rationale", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(TokenForm):
    risk = forms.CharField(label="Risk", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="The risk to the victim and others as it stands.")
    outstanding_actions = forms.CharField(label="Outstanding actions (optional)", required=False, max_length=4000,
                                          widget=forms.Textarea(attrs={"rows": 2}))
    quality = forms.ChoiceField(label="Quality of the investigation", choices=ReviewQuality.choices,
                                widget=forms.RadioSelect)
    new_actions = forms.CharField(label="New actions (optional)", required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    next_review_on = forms.DateField(label="Next review (optional)", required=False, widget=GovUKDateInput,
                                     help_text="Leave blank for the force's interval: 7 days after the first "
                                               "review, then every 28 days.")


class UpdatePlanForm(GovUKFormMixin, forms.Form):
    every_days = forms.IntegerField(label="How often, in days", min_value=1, max_value=90,
                                    widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                                    error_messages={"invalid": "Enter how often as a whole number of days",
                                                    "min_value": "Enter a number of days from 1 to 90",
                                                    "max_value": "Enter a number of days from 1 to 90"})
    channel = forms.ChoiceField(label="How", choices=UpdateChannel.choices, widget=forms.RadioSelect)


class EnhancedRightsForm(GovUKFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Victim's rights", widget=forms.RadioSelect,
        choices=[("derived", "As derived from the offence and the victim"), ("enhanced", "Enhanced rights"),
                 ("standard", "Standard rights")],
    )
    enhanced_reason = forms.CharField(label="Reason (needed when you decide yourself)", required=False,
                                      max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class VictimUpdateForm(TokenForm):
    channel = forms.ChoiceField(label="How the update is given", choices=UpdateChannel.choices,
                                widget=forms.RadioSelect,
                                help_text="Email and text messages are sent for you; a letter goes to the bureau.")
    message = forms.CharField(label="Update for the victim", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class BureauTaskForm(TokenForm):
    kind = forms.ChoiceField(label="Task", choices=BureauTaskKind.choices, widget=forms.RadioSelect)
    instructions = forms.CharField(label="What the bureau should do", max_length=4000,
                                   widget=forms.Textarea(attrs={"rows": 3}))


class CompleteTaskForm(GovUKFormMixin, forms.Form):
    result = forms.CharField(label="What was done", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class VictimDecisionForm(GovUKFormMixin, forms.Form):
    victim_decision = forms.ChoiceField(label="The victim's decision", choices=VictimDecision.choices,
                                        widget=forms.RadioSelect)


class ReopenForm(GovUKFormMixin, forms.Form):
    reopen_reason = forms.CharField(label="Reason for reopening", max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}))


# --- Victims' Right to Review ---


class ReviewRequestForm(TokenForm):
    requested_on = forms.DateField(label="Date the victim asked for the review", widget=GovUKDateInput,
                                   help_text="For example, 27 3 2026.",
                                   error_messages={"required": "Enter the date the victim asked for the review",
                                                   "invalid": "Enter the date the victim asked as a real date, "
                                                              "for example 27 3 2026"})
    channel = forms.ChoiceField(label="How the victim asked", choices=ReviewRequestChannel.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Choose how the victim asked for the review"})
    victim_reasons = forms.CharField(label="The victim's reasons", max_length=4000,
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     error_messages={"required": "Enter the victim's reasons for asking"})


class AcknowledgeReviewForm(GovUKFormMixin, forms.Form):
    """No fields: pressing the button acknowledges the request."""


class ReviewDecisionForm(GovUKFormMixin, forms.Form):
    result = forms.ChoiceField(label="Result of the review", choices=ReviewResult.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Choose the result of the review: upheld or overturned"})
    decision_reasons = forms.CharField(label="Reasons for the result", max_length=4000,
                                       widget=forms.Textarea(attrs={"rows": 3}),
                                       help_text="The victim is sent these reasons, and what happens next, "
                                                 "in plain words.",
                                       error_messages={"required": "Enter the reasons for the review's result"})
    next_steps = forms.CharField(label="What happens next (needed when overturned)", required=False,
                                 max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class RefuseReviewForm(GovUKFormMixin, forms.Form):
    refusal_reason = forms.CharField(label="Why the request is not eligible", max_length=4000,
                                     widget=forms.Textarea(attrs={"rows": 2}),
                                     help_text="The victim is sent this reason in plain words.",
                                     error_messages={"required": "Enter why the request is not eligible"})
