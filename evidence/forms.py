"""Evidence forms: a file with its description, a written statement, an upload link, an evidential package,
and the public's upload form with its CCTV questions."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms

from firstcontact.forms import GovUKDateInput, GovUKFormMixin

from . import content
from .models import UploadLink

LONDON = ZoneInfo("Europe/London")
TIME_PATTERN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")
FILE_HINT = f"Choose {content.ACCEPTED_DESCRIPTION}."


class _TokenForm(GovUKFormMixin, forms.Form):
    """A one-off token in every form that creates something: a repeated submit creates nothing twice."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4().hex)

    def clean_form_token(self) -> str:
        value = self.cleaned_data.get("form_token") or ""
        return value if re.fullmatch(r"[0-9a-f]{32}", value) else uuid.uuid4().hex


class ExhibitForm(_TokenForm):
    """A member of staff adds a file: a single request without JavaScript, or the resumable uploader's finished upload."""

    file = forms.FileField(label="File", required=False, help_text=FILE_HINT)
    description = forms.CharField(
        label="Description of the item", max_length=500, error_messages={"required": "Enter a description of the item"},
        help_text="What it is and where it came from, e.g. CCTV from the shop's till camera."
    )
    produced_by = forms.CharField(
        label="Produced by", max_length=120, help_text="The person who produced the item; their initials start the exhibit reference."
    )


class StatementForm(_TokenForm):
    maker_name = forms.CharField(label="Full name of the person making the statement", max_length=120)
    maker_age = forms.IntegerField(
        label="Age, if under 18", required=False, min_value=1, max_value=17,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
        help_text="Leave blank if the person is 18 or over.",
        error_messages={"min_value": "Age, if under 18, must be between 1 and 17", "max_value": "Age, if under 18, must be between 1 and 17; leave it blank for an adult", "invalid": "Age, if under 18, must be a whole number"},
    )
    maker_occupation = forms.CharField(label="Occupation", max_length=120, required=False)
    body = forms.CharField(label="Statement", widget=forms.Textarea(attrs={"rows": 14}), help_text="In the maker's own words, in the first person.")
    declaration = forms.BooleanField(
        label="The maker has read the declaration and accepts it", required=True,
        error_messages={"required": "Confirm the maker has read and accepts the declaration"},
    )
    signature = forms.CharField(
        label="Signature", max_length=120, help_text="The maker types their full name, exactly as above, to sign."
    )


class UploadLinkForm(_TokenForm):
    recipient_name = forms.CharField(label="Name of the person or business", max_length=120)
    channel = forms.ChoiceField(
        label="Send the link by", choices=UploadLink.Channel.choices, widget=forms.RadioSelect,
    )
    recipient_email = forms.EmailField(label="E-mail address", required=False, error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.com"})
    recipient_phone = forms.CharField(label="Mobile number", max_length=20, required=False, help_text="For a text message, e.g. 07700 900 982.")
    purpose = forms.ChoiceField(
        label="What to ask for", choices=UploadLink.Purpose.choices, widget=forms.RadioSelect,
        initial=UploadLink.Purpose.EVIDENCE,
    )
    days = forms.IntegerField(
        label="Days the link lasts", min_value=1, max_value=28, initial=7,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
        error_messages={"min_value": "Days the link lasts must be between 1 and 28", "max_value": "Days the link lasts must be between 1 and 28", "invalid": "Days the link lasts must be a whole number, 1 to 28"},
    )

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("channel")
        if channel == "email" and not cleaned.get("recipient_email") and "recipient_email" not in self.errors:
            self.add_error("recipient_email", "Enter an e-mail address to send the link by e-mail")
        if channel == "sms" and not cleaned.get("recipient_phone"):
            self.add_error("recipient_phone", "Enter a mobile number to send the link by text message")
        return cleaned


class PackageForm(_TokenForm):
    recipient = forms.CharField(label="Who the package is for", max_length=200, help_text="A named recipient, e.g. CPS Direct, or the defence solicitor's firm.")
    reason = forms.CharField(label="Why it is being disclosed", widget=forms.Textarea(attrs={"rows": 3}))


def _combine(day, text: str, field: str, errors: dict) -> datetime | None:
    if day is None and not text:
        return None
    match = TIME_PATTERN.match(text or "")
    if day is None or not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        errors[field] = "Enter a date and a time in 24-hour format, like 27 3 2025 and 14:05"
        return None
    return datetime.combine(day, time(int(match.group(1)), int(match.group(2))), tzinfo=LONDON)


class PublicUploadForm(_TokenForm):
    """What a victim or business sends through an upload link."""

    file = forms.FileField(label="Upload a file", required=False, help_text=FILE_HINT)
    description = forms.CharField(
        label="What is in the file?", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe what is in the file"},
        help_text="For example: video of the man taking the bottles, from my phone.",
    )


class CctvForm(GovUKFormMixin, forms.Form):
    """The questions that make CCTV footage usable: which cameras, what time, how wrong the camera's clock is."""

    cctv_cameras = forms.CharField(label="Which cameras?", max_length=300, required=False, help_text="Their names or numbers, e.g. Cam 2 till, Cam 4 door.")
    cctv_clock_offset_seconds = forms.IntegerField(
        label="How far is the camera's clock from the real time, in seconds?", required=False, min_value=-86400, max_value=86400,
        # A text box: GOV.UK advises against number inputs, and phone keypads for them lack the minus sign.
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        help_text="Positive if the camera is ahead (fast), negative if it is behind (slow), e.g. 90 or -30. Leave blank if you do not know.",
        error_messages={"invalid": "The camera clock difference must be a whole number of seconds, like 90 or -30", "min_value": "The camera clock difference must be within a day (86,400 seconds)", "max_value": "The camera clock difference must be within a day (86,400 seconds)"},
    )
    cctv_from_date = forms.DateField(label="Footage starts: date", required=False, widget=GovUKDateInput)
    cctv_from_time = forms.CharField(label="Footage starts: time", required=False, max_length=5, help_text="24-hour clock, e.g. 14:05")
    cctv_to_date = forms.DateField(label="Footage ends: date", required=False, widget=GovUKDateInput)
    cctv_to_time = forms.CharField(label="Footage ends: time", required=False, max_length=5, help_text="24-hour clock, e.g. 14:20")

    def clean(self):
        cleaned = super().clean()
        errors: dict[str, str] = {}
        starts = _combine(cleaned.get("cctv_from_date"), cleaned.get("cctv_from_time", ""), "cctv_from_time", errors)
        ends = _combine(cleaned.get("cctv_to_date"), cleaned.get("cctv_to_time", ""), "cctv_to_time", errors)
        if starts and ends and ends <= starts:
            errors["cctv_to_time"] = "The footage must end after it starts"
        for field, message in errors.items():
            self.add_error(field, message)
        cleaned["cctv_from"], cleaned["cctv_to"] = starts, ends
        return cleaned


class CctvUploadForm(PublicUploadForm, CctvForm):
    """The upload form with the CCTV questions, as one form so the page has one error summary."""

    field_order = ["file", "description", "cctv_cameras", "cctv_clock_offset_seconds", "cctv_from_date",
                   "cctv_from_time", "cctv_to_date", "cctv_to_time"]


class DestroyExhibitForm(GovUKFormMixin, forms.Form):
    """A supervisor or the data protection officer destroys an exhibit of a closed crime: why, then a confirmation."""

    reason = forms.CharField(
        label="Why the exhibit is being destroyed", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="This goes into the exhibit's chain of custody and the audit log.",
        error_messages={"required": "Enter why the exhibit is being destroyed",
                        "max_length": "Why the exhibit is being destroyed must be 500 characters or fewer"},
    )
