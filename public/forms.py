"""The questions of the online and business reports, one form per page (GOV.UK question pages)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from firstcontact.forms import GovUKDateInput, GovUKFormMixin
from people.services import normalise_phone

from . import vrm
from .models import PUBLIC_KINDS, ReportKind

HONEYPOT = "fc_website"
OLDEST_DAYS = 365
TIME_FORMAT = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
YES_NO = [("yes", "Yes"), ("no", "No")]
FRAUD = "fraud"


class QuestionForm(GovUKFormMixin, forms.Form):
    """A question page's form. ``heading`` is the page's question; a single field's label is the heading."""

    heading = ""
    hint = ""


def _when_checks(form: forms.Form, cleaned: dict) -> None:
    day = cleaned.get("date")
    if day is None:
        return
    today = timezone.localdate()
    if day > today:
        form.add_error("date", "The date it happened must be today or in the past")
    elif day < today - timedelta(days=OLDEST_DAYS):
        form.add_error("date", "The date it happened must be within the last year; for anything older, call 101")


def clean_time(value: str) -> str:
    """A time typed as 14:30 or 2.30 (24-hour) as "HH:MM"; blank stays blank."""
    value = (value or "").strip()
    if not value:
        return ""
    match = TIME_FORMAT.match(value)
    if not match:
        raise ValidationError("Enter the time in 24-hour format, like 14:30")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def money(value: str, *, label: str) -> Decimal | None:
    """An amount in pounds typed as 12, 12.50 or £1,200; None when blank."""
    text = (value or "").strip().replace(",", "").removeprefix("£").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,7}(\.\d{1,2})?", text):
        raise ValidationError(f"{label} must be an amount in pounds, like 12.50")
    return Decimal(text)


class WhatForm(QuestionForm):
    heading = "What do you want to report?"
    kind = forms.ChoiceField(
        label=heading, widget=forms.RadioSelect,
        choices=[(k.value, k.label) for k in PUBLIC_KINDS] + [(FRAUD, "Fraud, a scam or a hacked account")],
        error_messages={"required": "Select what you want to report"},
    )


class InjuryForm(QuestionForm):
    heading = "Was anyone injured?"
    injured = forms.ChoiceField(label=heading, widget=forms.RadioSelect, choices=YES_NO,
                                error_messages={"required": "Select yes if anyone was injured"})


def _time_checks(form: forms.Form, cleaned: dict) -> None:
    day, time = cleaned.get("date"), cleaned.get("time")
    if day is not None and time and day == timezone.localdate() and time > f"{timezone.localtime():%H:%M}":
        form.add_error("time", "The time it happened must be in the past")


class WhenForm(QuestionForm):
    heading = "When did it happen?"
    date = forms.DateField(label="Date", widget=GovUKDateInput, help_text="For example, 27 3 2026")
    time = forms.CharField(label="Time (if you know it)", required=False, max_length=5,
                           help_text="Use the 24-hour clock, for example 14:30")

    def clean_time(self):
        return clean_time(self.cleaned_data.get("time", ""))

    def clean(self):
        cleaned = super().clean()
        _when_checks(self, cleaned)
        _time_checks(self, cleaned)
        return cleaned


class WhereForm(QuestionForm):
    heading = "Where did it happen?"
    location = forms.CharField(label="Address or description of the place", max_length=200,
                               help_text="For example, 12 High Street, Stafford, or the car park behind the library",
                               error_messages={"required": "Enter where it happened"})
    postcode = forms.CharField(label="Postcode (if you know it)", required=False, max_length=10)

    def clean_postcode(self):
        value = " ".join((self.cleaned_data.get("postcode") or "").upper().split())
        if value and not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", value):
            raise ValidationError("Enter a real postcode, like ST16 2DH")
        return value


class OnlineWhereForm(QuestionForm):
    heading = "Which website, app or service was used?"
    location = forms.CharField(label=heading, max_length=200, help_text="For example, the name of the app or the web address",
                               error_messages={"required": "Enter which website, app or service was used"})


class TheftForm(QuestionForm):
    heading = "What was stolen?"
    items = forms.CharField(label="What was stolen", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                            help_text="Include make, model, colour and any serial numbers",
                            error_messages={"required": "Enter what was stolen"})
    value = forms.CharField(label="Total value in pounds (if you know it)", required=False, max_length=12)

    def clean_value(self):
        amount = money(self.cleaned_data.get("value", ""), label="Total value")
        return "" if amount is None else f"{amount:.2f}"


class DamageForm(QuestionForm):
    heading = "What was damaged?"
    items = forms.CharField(label="What was damaged", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                            error_messages={"required": "Enter what was damaged"})
    value = forms.CharField(label="Cost of the damage in pounds (if you know it)", required=False, max_length=12)

    def clean_value(self):
        amount = money(self.cleaned_data.get("value", ""), label="Cost of the damage")
        return "" if amount is None else f"{amount:.2f}"


class CollisionForm(QuestionForm):
    heading = "The other vehicle"
    registration = forms.CharField(label="Registration of the other vehicle (if you know it)", required=False,
                                   max_length=12, help_text="For example, AB12 CDE")
    stopped = forms.ChoiceField(label="Did the other driver stop and give their details?", widget=forms.RadioSelect,
                                choices=YES_NO, error_messages={"required": "Select yes if the other driver stopped"})

    def clean_registration(self):
        raw = self.cleaned_data.get("registration", "")
        if not raw.strip():
            return ""
        parsed = vrm.parse(raw)
        if parsed is None:
            raise ValidationError(vrm.INVALID)
        return parsed.display


class AsbForm(QuestionForm):
    heading = "Who or what is affected?"
    asb_category = forms.ChoiceField(
        label=heading, widget=forms.RadioSelect,
        choices=[("personal", "Me or my family, on purpose (targeted)"),
                 ("nuisance", "The neighbourhood or community (noise, rowdy behaviour)"),
                 ("environmental", "The place (graffiti, fly-tipping, abandoned vehicles)")],
        error_messages={"required": "Select who or what is affected"},
    )


class DescriptionForm(QuestionForm):
    heading = "Tell us what happened"
    description = forms.CharField(
        label=heading, widget=forms.Textarea(attrs={"rows": 8}), max_length=5000,
        help_text="Include what you saw and heard, and anything that could help us find who did it",
        error_messages={"required": "Enter what happened"},
    )


class SuspectForm(QuestionForm):
    heading = "Can you describe the person responsible?"
    suspect = forms.CharField(
        label=heading, widget=forms.Textarea(attrs={"rows": 5}), max_length=2000, required=False,
        help_text="Leave this empty if you do not know. Include their name if you know it, age, build, clothing",
    )


class NameForm(QuestionForm):
    heading = "What is your name?"
    given_name = forms.CharField(label="First name", max_length=100, error_messages={"required": "Enter your first name"})
    family_name = forms.CharField(label="Last name", max_length=100, error_messages={"required": "Enter your last name"})


class ContactDetailsForm(QuestionForm):
    heading = "How can we contact you?"
    hint = "Give an e-mail address, a mobile number, or both. We send your reference and tracking codes here."
    email = forms.EmailField(label="E-mail address", required=False, max_length=254,
                             error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.com"})
    phone = forms.CharField(label="UK mobile number", required=False, max_length=20,
                            help_text="For example, 07700 900 982")

    def clean_phone(self):
        raw = (self.cleaned_data.get("phone") or "").strip()
        if not raw:
            return ""
        try:
            normalise_phone(raw, field="phone")
        except ValidationError:
            raise ValidationError("Enter a UK mobile number, like 07700 900 982") from None
        return raw

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("email") and not cleaned.get("phone"):
            self.add_error("email", "Enter an e-mail address or a mobile number so we can contact you")
        return cleaned


# (step name, form, which kinds ask it; empty = every kind)
STEPS: list[tuple[str, type[QuestionForm], tuple[str, ...]]] = [
    ("what", WhatForm, ()),
    ("injured", InjuryForm, (ReportKind.ROAD_COLLISION,)),
    ("when", WhenForm, ()),
    ("where", WhereForm, (ReportKind.THEFT, ReportKind.CRIMINAL_DAMAGE, ReportKind.ROAD_COLLISION, ReportKind.ASB)),
    ("website", OnlineWhereForm, (ReportKind.ONLINE_CRIME,)),
    ("stolen", TheftForm, (ReportKind.THEFT,)),
    ("damaged", DamageForm, (ReportKind.CRIMINAL_DAMAGE,)),
    ("vehicle", CollisionForm, (ReportKind.ROAD_COLLISION,)),
    ("affected", AsbForm, (ReportKind.ASB,)),
    ("description", DescriptionForm, ()),
    ("suspect", SuspectForm, (ReportKind.THEFT, ReportKind.CRIMINAL_DAMAGE, ReportKind.ONLINE_CRIME, ReportKind.ASB)),
    ("name", NameForm, ()),
    ("contact", ContactDetailsForm, ()),
]
FORMS = {name: form for name, form, _ in STEPS}


def steps_for(kind: str) -> list[str]:
    """The question pages a report of this kind asks, in order (only the first until the kind is chosen)."""
    if kind not in ReportKind.values:
        return ["what"]
    return [name for name, _, kinds in STEPS if not kinds or kind in kinds]


class SaveForm(GovUKFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254,
                             help_text="We will send you a link to continue your report",
                             error_messages={"required": "Enter your e-mail address",
                                             "invalid": "Enter an e-mail address in the correct format, like name@example.com"})


class TrackForm(GovUKFormMixin, forms.Form):
    reference = forms.CharField(label="Report reference", max_length=12, help_text="For example, C000001234",
                                error_messages={"required": "Enter your report reference"})
    contact_detail = forms.CharField(label="E-mail address or mobile number you gave in the report", max_length=254,
                                     error_messages={"required": "Enter the e-mail address or mobile number you gave"})

    def clean_reference(self):
        value = "".join(self.cleaned_data["reference"].split()).upper()
        if not re.fullmatch(r"C\d{9}", value):
            raise ValidationError("Enter the reference as it is in your message: C then 9 numbers, like C000001234")
        return value


class CodeForm(GovUKFormMixin, forms.Form):
    code = forms.CharField(label="Code", max_length=10, help_text="The 6 numbers in the message we sent you",
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
                           error_messages={"required": "Enter the code we sent you"})


class AskForReviewForm(GovUKFormMixin, forms.Form):
    """The victim's "Ask for a review of this decision" on Track my report.

    No ``max_length`` on the field: a browser would cut off what was typed beyond it without a
    word. The length is checked here instead, with a message, and what was typed is shown again.
    """

    reasons = forms.CharField(
        label="Why do you disagree with the decision?", widget=forms.Textarea(attrs={"rows": 6}), strip=True,
        help_text="Tell us what you think we got wrong or did not look at, for example a witness or CCTV.",
        error_messages={"required": "Enter why you disagree with the decision"},
    )

    def clean_reasons(self):
        from .services import REVIEW_REASONS_MAX

        value = self.cleaned_data["reasons"]
        if len(value) > REVIEW_REASONS_MAX:
            raise ValidationError(f"Why you disagree must be {REVIEW_REASONS_MAX:,} characters or fewer; "
                                  f"you have entered {len(value):,}")
        return value


# --- business ------------------------------------------------------------------------------------

class BusinessSignInForm(GovUKFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254,
                             error_messages={"required": "Enter your e-mail address",
                                             "invalid": "Enter an e-mail address in the correct format, like name@example.com"})
    password = forms.CharField(label="Password", widget=forms.PasswordInput, max_length=200,
                               error_messages={"required": "Enter your password"})


class SetPasswordForm(GovUKFormMixin, forms.Form):
    password = forms.CharField(label="New password", widget=forms.PasswordInput, max_length=200,
                               help_text="At least 12 characters; not a common password",
                               error_messages={"required": "Enter a new password"})
    confirm = forms.CharField(label="Type the new password again", widget=forms.PasswordInput, max_length=200,
                              error_messages={"required": "Type the new password again"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("confirm") and cleaned["password"] != cleaned["confirm"]:
            self.add_error("confirm", "The two passwords must be the same")
        return cleaned


ITEM_LINE = re.compile(r"^(?P<item>.+?)[\s,;:-]+£?\s*(?P<value>\d{1,6}(?:\.\d{1,2})?)$")


def parse_items(text: str) -> list[tuple[str, Decimal]]:
    """Items typed one a line, each ending in its value ("Razor blades 4-pack, £12.99"); errors name the line."""
    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = ITEM_LINE.match(line.replace(",", ", ").replace("£ ", "£"))
        if not match:
            raise ValidationError(
                f"Line {number} must be an item then its value in pounds, like: Razor blades 4-pack, £12.99"
            )
        items.append((match["item"].strip(" ,;:-"), Decimal(match["value"])))
    if not items:
        raise ValidationError("List the items taken, one a line, each with its value")
    return items


class _IncidentBase(GovUKFormMixin, forms.Form):
    site = forms.ChoiceField(label="Which site?", widget=forms.RadioSelect, error_messages={"required": "Select the site"})
    date = forms.DateField(label="Date", widget=GovUKDateInput, help_text="For example, 27 3 2026")
    time = forms.CharField(label="Time", max_length=5, help_text="Use the 24-hour clock, for example 14:30",
                           error_messages={"required": "Enter the time it happened"})

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(str(site.pk), str(site)) for site in sites]

    def clean_time(self):
        return clean_time(self.cleaned_data.get("time", ""))

    def clean(self):
        cleaned = super().clean()
        _when_checks(self, cleaned)
        _time_checks(self, cleaned)
        return cleaned


class ShopliftingForm(_IncidentBase):
    items = forms.CharField(
        label="Items taken and their values", widget=forms.Textarea(attrs={"rows": 5}), max_length=4000,
        help_text="One item a line, each ending in its value, like: Razor blades 4-pack, £12.99",
        error_messages={"required": "List the items taken, one a line, each with its value"},
    )
    offender = forms.CharField(label="Describe the offender", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                               help_text="Sex, age, build, height, clothing, anything distinctive",
                               error_messages={"required": "Describe the offender"})
    cctv = forms.ChoiceField(label="Do you hold CCTV of the incident?", widget=forms.RadioSelect, choices=YES_NO,
                             error_messages={"required": "Select yes if you hold CCTV of the incident"})

    def clean_items(self):
        items = parse_items(self.cleaned_data.get("items", ""))
        return "\n".join(f"{item}, £{value:.2f}" for item, value in items)


class FuelDriveOffForm(_IncidentBase):
    registration = forms.CharField(label="Vehicle registration", max_length=12, help_text="For example, AB12 CDE",
                                   error_messages={"required": "Enter the vehicle registration"})
    pump = forms.IntegerField(label="Pump number", min_value=1, max_value=99,
                              error_messages={"required": "Enter the pump number",
                                              "invalid": "Pump number must be a number, like 4",
                                              "min_value": "Pump number must be between 1 and 99",
                                              "max_value": "Pump number must be between 1 and 99"})
    litres = forms.DecimalField(label="Litres", min_value=Decimal("0.01"), max_value=Decimal("2000"), decimal_places=2,
                                error_messages={"required": "Enter how many litres were taken",
                                                "invalid": "Litres must be a number, like 45.20",
                                                "min_value": "Litres must be more than 0",
                                                "max_value": "Litres must be 2000 or fewer",
                                                "max_decimal_places": "Litres can have at most 2 decimal places"})
    value = forms.CharField(label="Value in pounds", max_length=12, error_messages={"required": "Enter the value of the fuel"})
    cctv = forms.ChoiceField(label="Do you hold CCTV of the incident?", widget=forms.RadioSelect, choices=YES_NO,
                             error_messages={"required": "Select yes if you hold CCTV of the incident"})

    def clean_registration(self):
        parsed = vrm.parse(self.cleaned_data.get("registration", ""))
        if parsed is None:
            raise ValidationError(vrm.INVALID)
        return parsed.display

    def clean_value(self):
        amount = money(self.cleaned_data.get("value", ""), label="Value")
        if amount is None or amount <= 0:
            raise ValidationError("Value must be an amount in pounds, like 85.40")
        return f"{amount:.2f}"


# --- staff pages ---------------------------------------------------------------------------------

class RegisterBusinessForm(GovUKFormMixin, forms.Form):
    name = forms.CharField(label="Business name", max_length=160)
    site_name = forms.CharField(label="First site's name", max_length=160, help_text="For example, Stafford town centre store")
    site_address = forms.CharField(label="First site's address", max_length=200)
    site_postcode = forms.CharField(label="First site's postcode", max_length=10, required=False)


class SiteForm(GovUKFormMixin, forms.Form):
    site_name = forms.CharField(label="Site name", max_length=160)
    site_address = forms.CharField(label="Address", max_length=200)
    site_postcode = forms.CharField(label="Postcode", max_length=10, required=False)


class InviteForm(GovUKFormMixin, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=160)
    email = forms.EmailField(label="E-mail address", max_length=254,
                             error_messages={"invalid": "Enter an e-mail address in the correct format, like name@example.com"})
