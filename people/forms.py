"""The staff forms of the person index: call-time search and the reason for opening a record."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from firstcontact.forms import GovUKDateInput, GovUKFormMixin

from .matching import PartialDate
from .selectors import parse_partial_dob

DEFAULT_SEARCH_REASON = "Identifying a caller or person involved in a contact"


class PersonSearchForm(GovUKFormMixin, forms.Form):
    """Any of name, date of birth (all or part), phone, postcode or address, and why the search is made."""

    name = forms.CharField(
        label="Name", required=False, max_length=200,
        help_text="Any order, any spelling: for example Bob Smith or SMITH, Robert",
        error_messages={"max_length": "Name must be 200 characters or fewer"},
    )
    dob = forms.CharField(
        label="Date of birth", required=False, widget=GovUKDateInput,
        help_text="For example, 27 3 1985. A month and year, or a year alone, will do",
    )
    phone = forms.CharField(
        label="Phone number", required=False, max_length=30,
        help_text="Typed any way: 07700 900123, +44 7700 900123",
        error_messages={"max_length": "Phone number must be 30 characters or fewer"},
    )
    postcode = forms.CharField(
        label="Postcode", required=False, max_length=10,
        error_messages={"max_length": "Postcode must be 10 characters or fewer"},
    )
    address = forms.CharField(
        label="Address", required=False, max_length=120, help_text="House number or name and street",
        error_messages={"max_length": "Address must be 120 characters or fewer"},
    )
    reason = forms.CharField(
        label="Reason for searching", max_length=200, initial=DEFAULT_SEARCH_REASON,
        help_text="Recorded with your search in the audit log",
        error_messages={"required": "Enter the reason for searching", "max_length": "Reason must be 200 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["phone"].widget.attrs.update({"type": "tel", "autocomplete": "off"})
        self.fields["postcode"].widget.attrs.update({"autocomplete": "off", "class": "govuk-input--width-10"})

    def clean_dob(self) -> PartialDate | None:
        # The widget joins the boxes as "year-month-day"; parts left empty stay empty.
        text = self.cleaned_data.get("dob") or ""
        if not text:
            return None
        year, _, rest = text.partition("-")
        month, _, day = rest.partition("-")
        try:
            return parse_partial_dob(day, month, year)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["dob"][0]) from None

    def clean_reason(self) -> str:
        return " ".join(self.cleaned_data["reason"].split())


class OpenPersonForm(GovUKFormMixin, forms.Form):
    """Why a person's record is being opened: recorded in the audit log with the opening."""

    reason = forms.CharField(
        label="Reason for opening this record", max_length=200,
        help_text="Recorded in the audit log with your name and the time",
        error_messages={"required": "Enter the reason for opening this record",
                        "max_length": "Reason must be 200 characters or fewer"},
    )

    def clean_reason(self) -> str:
        return " ".join(self.cleaned_data["reason"].split())
