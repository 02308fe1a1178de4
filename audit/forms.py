"""The data protection officer's filters for searching the audit log."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone

from firstcontact.forms import GovUKDateInput, GovUKFormMixin

from .models import Action
from .selectors import LogFilters
from .services import LOG_PURPOSES

RECORD_TYPE = re.compile(r"[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*")
RECORD_TYPE_INVALID = "Record type must be an app and a record joined by a full stop, for example people.person"
DATE_ORDER = "'To' date must be the same as or after the 'From' date"
DATE_INVALID = "'{label}' date must be a real date, for example 27 3 2026"
DATE_FUTURE = "'{label}' date must be today or in the past"
DEFAULT_PURPOSE = "lawfulness"


class LogSearchForm(GovUKFormMixin, forms.Form):
    """Filters on person, user, action, record type and dates; every filter may be left empty."""

    person_id = forms.CharField(
        label="Person ID",
        required=False,
        max_length=64,
        help_text="The number of the person's record, as shown on it",
        error_messages={"max_length": "Person ID must be 64 characters or fewer"},
    )
    username = forms.CharField(
        label="User",
        required=False,
        max_length=150,
        help_text="The username of the member of staff",
        error_messages={"max_length": "User must be a username of 150 characters or fewer"},
    )
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any action"), *Action.choices],
        widget=forms.Select(attrs={"class": "govuk-!-width-full"}),
        error_messages={"invalid_choice": "Action must be one of the actions listed"},
    )
    subject_type = forms.CharField(
        label="Record type",
        required=False,
        max_length=60,
        help_text="For example, people.person",
        error_messages={"max_length": "Record type must be 60 characters or fewer"},
    )
    date_from = forms.DateField(label="From", required=False, widget=GovUKDateInput, help_text="For example, 27 3 2026")
    date_to = forms.DateField(label="To", required=False, widget=GovUKDateInput, help_text="For example, 27 3 2026")
    purpose = forms.ChoiceField(
        label="Purpose of this search",
        required=False,
        choices=list(LOG_PURPOSES.items()),
        widget=forms.Select(attrs={"class": "govuk-!-width-full"}),
        help_text="Recorded with your search: the log may be used only for these purposes",
        error_messages={"invalid_choice": "Purpose must be one of the purposes listed"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set after the mixin, which would otherwise give both dates the same unquoted wording.
        for name in ("date_from", "date_to"):
            label = self.fields[name].label
            self.fields[name].error_messages["invalid"] = DATE_INVALID.format(label=label)

    def clean_subject_type(self) -> str:
        value = self.cleaned_data["subject_type"].strip().lower()
        if value and not RECORD_TYPE.fullmatch(value):
            raise forms.ValidationError(RECORD_TYPE_INVALID)
        return value

    def clean_person_id(self) -> str:
        return self.cleaned_data["person_id"].strip()

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()

    def clean_purpose(self) -> str:
        return self.cleaned_data["purpose"] or DEFAULT_PURPOSE

    def _clean_date(self, name: str):
        value = self.cleaned_data[name]
        if value and value > timezone.localdate():
            raise forms.ValidationError(DATE_FUTURE.format(label=self.fields[name].label))
        return value

    def clean_date_from(self):
        return self._clean_date("date_from")

    def clean_date_to(self):
        return self._clean_date("date_to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", DATE_ORDER)
        return cleaned

    def filters(self) -> LogFilters:
        """The validated filters (call only when the form is valid)."""
        data = self.cleaned_data
        return LogFilters(
            person_id=data["person_id"],
            username=data["username"],
            action=data["action"],
            subject_type=data["subject_type"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )

    def filters_for_log(self) -> dict[str, str]:
        """The filters used, as text, to record with the search (empty ones left out)."""
        return {
            name: value.isoformat() if hasattr(value, "isoformat") else str(value)
            for name, value in self.cleaned_data.items()
            if value and name != "purpose"
        }
