"""The staff forms of the person index: call-time search, the reason for opening a record, and changes to it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from firstcontact.forms import GovUKDateInput, GovUKFormMixin

from .matching import PartialDate
from .models import Gender, IdentifierKind, LinkRole, NameKind, PhoneKind, VulnerabilityKind
from .selectors import parse_partial_dob
from .services import NEW_ADDRESS, checked_postcode

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


# --- changes to a person's record -------------------------------------------------------------------
# Field names are the service's argument names, so a service's ValidationError lands on its field.

class ChangeForm(GovUKFormMixin, forms.Form):
    """What every change carries: why it is made (kept in the audit log) and a one-time token."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The reason comes last, after the fields it explains.
        self.fields["reason"] = forms.CharField(
            label="Reason for this change", max_length=200,
            help_text="Recorded in the audit log with your name and the time, for example the contact reference",
            error_messages={"required": "Enter the reason for this change",
                            "max_length": "Reason must be 200 characters or fewer"},
        )

    def clean_reason(self) -> str:
        return " ".join(self.cleaned_data["reason"].split())


def _date_field(label: str, *, required: bool, help_text: str = "For example, 27 3 2025",
                missing: str = "") -> forms.DateField:
    field = forms.DateField(label=label, required=required, widget=GovUKDateInput, help_text=help_text,
                            input_formats=["%Y-%m-%d"])
    if missing:
        field.error_messages["required"] = missing
    return field


class VulnerabilityForm(ChangeForm):
    kind = forms.ChoiceField(label="Vulnerability", choices=VulnerabilityKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select the vulnerability"})
    from_date = _date_field("Applies from", required=True, missing="Enter the date it applies from")
    to_date = _date_field("Applies until (optional)", required=False,
                          help_text="Leave empty if it still applies. For example, 27 3 2026")
    source = forms.CharField(label="Source", max_length=120,
                             help_text="Where this comes from, for example a contact reference or a partner agency",
                             error_messages={"required": "Enter the source, for example a contact reference",
                                             "max_length": "Source must be 120 characters or fewer"})
    notes = forms.CharField(label="Notes (optional)", required=False, max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}), error_messages={"max_length": "Notes must be 2000 characters or fewer"})


class EndVulnerabilityForm(ChangeForm):
    to_date = _date_field("Stopped applying on", required=True, help_text="For example, 27 3 2026",
                          missing="Enter the date it stopped applying")


class IdentifierForm(ChangeForm):
    kind = forms.ChoiceField(label="Kind of identifier", choices=[("", "Choose"), *IdentifierKind.choices],
                             error_messages={"required": "Select the kind of identifier"})
    value = forms.CharField(label="Identifier", max_length=40,
                            help_text="As written on the document or record, for example 943 476 5919",
                            error_messages={"max_length": "Identifier must be 40 characters or fewer"})
    issuer = forms.CharField(label="Issued by (optional)", required=False, max_length=80,
                             help_text="For a passport or another kind, who issued it",
                             error_messages={"max_length": "Issued by must be 80 characters or fewer"})


class OtherNameForm(ChangeForm):
    kind = forms.ChoiceField(label="Kind of name", choices=NameKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of name"})
    given_name = forms.CharField(label="Given names (optional)", required=False, max_length=100,
                                 error_messages={"max_length": "Given names must be 100 characters or fewer"})
    family_name = forms.CharField(label="Family name", max_length=100,
                                  error_messages={"required": "Enter the family name (surname)",
                                                  "max_length": "Family name must be 100 characters or fewer"})
    from_date = _date_field("Used from (optional)", required=False)
    to_date = _date_field("Used until (optional)", required=False)


class PhoneForm(ChangeForm):
    number = forms.CharField(label="Phone number", max_length=30,
                             help_text="Typed any way: 01632 960 001, 07700 900 982, +44 808 157 0192",
                             error_messages={"max_length": "Phone number must be 30 characters or fewer"})
    kind = forms.ChoiceField(label="Kind of phone", choices=PhoneKind.choices, widget=forms.RadioSelect,
                             initial=PhoneKind.MOBILE, error_messages={"required": "Select the kind of phone"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["number"].widget.attrs.update({"type": "tel", "autocomplete": "off"})


class EmailForm(ChangeForm):
    address = forms.CharField(label="E-mail address", max_length=254,
                              error_messages={"max_length": "E-mail address must be 254 characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].widget.attrs.update({"type": "email", "autocomplete": "off", "spellcheck": "false"})


class DetailsForm(ChangeForm):
    """The person's own details (names, date of birth, gender); a full date of birth or none."""

    given_name = forms.CharField(label="Given names", required=False, max_length=100,
                                 error_messages={"max_length": "Given names must be 100 characters or fewer"})
    family_name = forms.CharField(label="Family name", max_length=100,
                                  error_messages={"required": "Enter the family name (surname)",
                                                  "max_length": "Family name must be 100 characters or fewer"})
    date_of_birth = _date_field("Date of birth", required=False, help_text="For example, 27 3 1985")
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Select the gender, or Not known"})


# --- linking to crimes, moving house, removing and correcting ----------------------------------------

# The roles a person can be given in a crime from their record ("caller" belongs to a contact).
CRIME_LINK_ROLES = [(role.value, role.label) for role in (LinkRole.VICTIM, LinkRole.WITNESS, LinkRole.SUSPECT,
                                                          LinkRole.OTHER)]


class CrimeLinkForm(ChangeForm):
    crime_reference = forms.CharField(label="Crime reference", max_length=20,
                                      help_text="For example, CR000000042",
                                      error_messages={"required": "Enter the crime reference, like CR000000042",
                                                      "max_length": "Crime reference must be 20 characters or fewer"})
    role = forms.ChoiceField(label="Their part in the crime", choices=CRIME_LINK_ROLES, widget=forms.RadioSelect,
                             error_messages={"required": "Select their part in the crime",
                                             "invalid_choice": "Select victim, witness, suspect or other"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["crime_reference"].widget.attrs.update({
            "autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-20"})


class PhoneKindForm(ChangeForm):
    kind = forms.ChoiceField(label="Kind of phone", choices=PhoneKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select the kind of phone",
                                             "invalid_choice": "Select mobile, home, work or other"})


class RemoveForm(ChangeForm):
    """A confirmation page: the reason for removing something added by mistake is all it asks."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        reason.label = "Reason for removing it"
        reason.help_text = "Recorded in the audit log with your name and the time, for example why it was wrong"
        reason.error_messages["required"] = "Enter the reason for removing it"


class FindAddressForm(GovUKFormMixin, forms.Form):
    """The first step of a move: the postcode of the new address."""

    postcode = forms.CharField(label="Postcode of the new address", max_length=10,
                               help_text="For example, ST16 2DH",
                               error_messages={"required": "Enter the postcode of the new address, like ST16 2DH",
                                               "max_length": "Postcode must be 10 characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postcode"].widget.attrs.update({"autocomplete": "off", "class": "govuk-input--width-10"})

    def clean_postcode(self) -> str:
        try:
            return checked_postcode(self.cleaned_data["postcode"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["postcode"][0]) from None


class MoveForm(ChangeForm):
    """The second step: one of the addresses held at the postcode, or a new one, and the date of the move."""

    postcode = forms.CharField(widget=forms.HiddenInput, max_length=10)
    address = forms.ChoiceField(label="Address", widget=forms.RadioSelect,
                                error_messages={"required": "Select the address, or that it is not listed",
                                                "invalid_choice": "Select one of the addresses at this postcode, "
                                                                  "or that it is not listed"})
    number_or_name = forms.CharField(label="House number or name", required=False, max_length=80,
                                     error_messages={"max_length": "House number or name must be 80 characters or fewer"})
    street = forms.CharField(label="Street", required=False, max_length=120,
                             error_messages={"max_length": "Street must be 120 characters or fewer"})
    town = forms.CharField(label="Town (optional)", required=False, max_length=80,
                           error_messages={"max_length": "Town must be 80 characters or fewer"})
    from_date = _date_field("Date they moved", required=True, help_text="For example, 27 3 2026",
                            missing="Enter the date they moved")

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].choices = [
            *((str(a.pk), str(a)) for a in addresses), (NEW_ADDRESS, "The address is not listed: enter it below"),
        ]
        self.fields["number_or_name"].widget.attrs.update({"class": "govuk-input--width-10"})
