"""The call-taking form: channel, caller, place, what happened, people involved and times."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.urls import reverse
from django.utils import timezone

from firstcontact.forms import GovUKDateInput, GovUKFormMixin
from people.models import Address, Person, VulnerabilityKind

from .models import (
    AdviceArticle,
    Channel,
    Engagement,
    Grade,
    IncidentType,
    InvestigationNeed,
    Level,
    NotifyBy,
    OutcomeKind,
    PartnerAgency,
    PersonRole,
    Route,
    VulnerabilityLevel,
)

DATETIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
DISPLAY_FORMAT = "%d/%m/%Y %H:%M"
INVOLVED_ROWS = 3
NEW_CALLER = "new"
INVOLVED_ROLES = [(v, label) for v, label in PersonRole.choices if v != PersonRole.CALLER]


class SearchInput(forms.TextInput):
    """A text box followed by its own search button, so a search keeps everything else typed."""

    template_name = "contacts/widgets/search_input.html"

    def __init__(self, *, action: str, button: str, attrs=None):
        super().__init__(attrs)
        self.action = action
        self.button = button

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The search returns to this box (a fragment), so the keyboard carries on from the results.
        context["widget"].update(action=self.action, button=self.button, formaction=reverse("contacts:new"))
        return context


def format_local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime(DISPLAY_FORMAT) if value else ""


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed as 23/11/2026 21:05, read as London time."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=DATETIME_FORMATS, **kwargs)


class ContactForm(GovUKFormMixin, forms.Form):
    """One contact from any channel. Searches re-show the form with every field as typed."""

    form_token = forms.CharField(widget=forms.HiddenInput, max_length=40)
    channel = forms.ChoiceField(label="How did they contact us?", choices=Channel.choices, widget=forms.RadioSelect)
    caller_query = forms.CharField(
        label="Find the caller", required=False, max_length=100,
        help_text="Person reference (like P00000042), phone number or name",
        widget=SearchInput(action="find_caller", button="Find caller"),
    )
    caller = forms.ChoiceField(label="Caller", required=False, widget=forms.RadioSelect)
    caller_given_name = forms.CharField(label="New caller's given name", required=False, max_length=100)
    caller_family_name = forms.CharField(label="New caller's family name", required=False, max_length=100)
    caller_phone = forms.CharField(label="New caller's phone number", required=False, max_length=30)
    address_query = forms.CharField(
        label="Find the address", required=False, max_length=100, help_text="Postcode, or house number and street",
        widget=SearchInput(action="find_address", button="Find address"),
    )
    address = forms.ChoiceField(label="Address", required=False, widget=forms.RadioSelect)
    location_text = forms.CharField(
        label="Where, if not an address", required=False, max_length=200,
        help_text="A description of the place, like 'car park behind the library'",
    )
    latitude = forms.FloatField(label="Map point: latitude", required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label="Map point: longitude", required=False, min_value=-180, max_value=180)
    incident_type = forms.ModelChoiceField(
        label="What happened", queryset=IncidentType.objects.filter(active=True).order_by("name"),
        empty_label="Choose the incident type",
    )
    view_reason = forms.CharField(
        label="Reason for viewing their records", required=False, max_length=200,
        help_text="Logged with every record you view here. Left empty, the reason is the contact in hand",
    )
    summary = forms.CharField(label="Summary of what the caller says", required=False, widget=forms.Textarea)
    received_at = LocalDateTimeField(label="Received", help_text="Day/month/year hours:minutes, like 23/11/2026 21:05")
    answered_at = LocalDateTimeField(label="Answered", required=False)
    closed_at = LocalDateTimeField(label="Closed", required=False, help_text="Leave empty while the contact is open")

    def __init__(self, *args, callers: list[Person] = (), addresses: list[Address] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(1, INVOLVED_ROWS + 1):
            self.fields[f"person_{index}"] = forms.CharField(
                label=f"Person involved {index}: reference", required=False, max_length=12,
                help_text="Person reference, like P00000042" if index == 1 else "",
            )
            self.fields[f"person_{index}_role"] = forms.ChoiceField(
                label=f"Person involved {index}: role", required=False,
                choices=[("", "Choose a role"), *INVOLVED_ROLES],
            )
        caller_choices = [(p.reference, f"{p.full_name}, born {p.date_of_birth:%d/%m/%Y}" if p.date_of_birth
                           else f"{p.full_name}, date of birth not known") for p in callers]
        selected = self.data.get(self.add_prefix("caller"), "") if self.is_bound else ""
        if selected and selected not in {c[0] for c in caller_choices} and selected != NEW_CALLER:
            caller_choices.append((selected, selected))
        self.fields["caller"].choices = [*caller_choices, (NEW_CALLER, "A new caller, or not given: details below")]
        address_choices = [(str(a.pk), str(a)) for a in addresses]
        chosen = self.data.get(self.add_prefix("address"), "") if self.is_bound else ""
        if chosen and chosen not in {c[0] for c in address_choices}:
            address_choices.append((chosen, self._address_label(chosen)))
        self.fields["address"].choices = [*address_choices, ("", "No address: use the place or map point")]

    @staticmethod
    def _address_label(pk: str) -> str:
        address = Address.objects.filter(pk=pk).first() if pk.isdigit() else None
        return str(address) if address else pk

    def clean_caller(self) -> Person | None:
        reference = self.cleaned_data.get("caller") or ""
        if reference in ("", NEW_CALLER):
            return None
        person = Person.objects.filter(reference=reference.upper()).first()
        if person is None:
            raise forms.ValidationError("Select the caller from the search results, or choose a new caller")
        return person

    def clean_address(self) -> Address | None:
        pk = self.cleaned_data.get("address") or ""
        if not pk:
            return None
        address = Address.objects.filter(pk=pk).first() if pk.isdigit() else None
        if address is None:
            raise forms.ValidationError("Select the address from the search results, or choose no address")
        return address

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("longitude" if cleaned.get("longitude") is None else "latitude",
                           "Give both the latitude and the longitude of the map point, or neither")
        people = []
        for index in range(1, INVOLVED_ROWS + 1):
            reference = (cleaned.get(f"person_{index}") or "").strip().upper()
            role = cleaned.get(f"person_{index}_role") or ""
            if not reference and not role:
                continue
            if not reference:
                self.add_error(f"person_{index}", f"Enter the reference of person involved {index}, or clear their role")
                continue
            person = Person.objects.filter(reference=reference).first()
            if person is None:
                self.add_error(f"person_{index}", f"No person has the reference {reference}; check it or search again")
            elif not role:
                self.add_error(f"person_{index}_role", f"Choose the role of person involved {index}")
            else:
                people.append((person, role))
        cleaned["people"] = people
        return cleaned

    # The form's parts under their own headings, each reached by its section shortcut (docs/first-contact.md).
    SECTIONS = (
        ("caller", "Caller", "1", ("caller_query", "caller", "caller_given_name", "caller_family_name", "caller_phone")),
        ("where", "Where", "2", ("address_query", "address", "location_text", "latitude", "longitude")),
    )

    def sections(self) -> list[dict]:
        """The channel first, then Caller, Where and What happened (everything else), in the fields' order."""
        placed = {name for *_, names in self.SECTIONS for name in names} | {"channel", "form_token"}
        parts = [{"id": sid, "heading": heading, "key": key, "fields": [self[n] for n in names]}
                 for sid, heading, key, names in self.SECTIONS]
        parts.append({"id": "what-happened", "heading": "What happened", "key": "3",
                      "fields": [self[n] for n in self.fields if n not in placed]})
        return parts

    def draft_data(self) -> dict:
        """What was typed, as the draft keeps it (everything but the CSRF token)."""
        return {k: v for k, v in self.data.items() if k != "csrfmiddlewaretoken"}


THRIVE_QUESTIONS = (
    ("threat", "Threat", Level, "Who or what is threatened; the capability and intent of whoever threatens"),
    ("harm", "Harm", Level, "The harm that would follow if the threat is carried out or things get worse"),
    ("risk", "Risk", Level, "How likely that harm is, including before help can arrive"),
    ("investigation", "Investigation", InvestigationNeed, "Lines of enquiry; evidence or witnesses that could be lost"),
    ("vulnerability", "Vulnerability", VulnerabilityLevel,
     "Whether anyone cannot look after or protect themselves or others from harm or exploitation"),
    ("engagement", "Engagement", Engagement, "The contact needed to resolve the matter and reassure the caller"),
)


class ThriveForm(GovUKFormMixin, forms.Form):
    """THRIVE: each element answered with its rationale, then the vulnerability factors seen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, choices, hint in THRIVE_QUESTIONS:
            self.fields[name] = forms.ChoiceField(
                label=label, help_text=hint, choices=choices.choices, widget=forms.RadioSelect,
                error_messages={"required": f"Choose the {label.lower()} answer"},
            )
            self.fields[f"{name}_rationale"] = forms.CharField(
                label=f"{label}: rationale", widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": f"Give the rationale for the {label.lower()} answer"},
            )
        self.fields["vulnerability_factors"] = forms.MultipleChoiceField(
            label="Vulnerability factors", required=False, choices=VulnerabilityKind.choices,
            widget=forms.CheckboxSelectMultiple, help_text="Select all that apply to anyone involved",
        )


class GradeForm(GovUKFormMixin, forms.Form):
    """Accept the suggested grade and route, or choose others and say why."""

    grade = forms.TypedChoiceField(label="Grade", choices=Grade.choices, coerce=int, widget=forms.RadioSelect)
    route = forms.ChoiceField(label="Route", choices=Route.choices, widget=forms.RadioSelect)
    override_reason = forms.CharField(
        label="Reason for a different grade or route", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only when you do not accept the suggestion",
    )


class OutcomeForm(GovUKFormMixin, forms.Form):
    """How the contact ended: advice (which article), a signpost (which partner), or routing on."""

    kind = forms.ChoiceField(label="Outcome", choices=OutcomeKind.choices, widget=forms.RadioSelect)
    advice_article = forms.ModelChoiceField(
        label="Advice given", required=False, queryset=AdviceArticle.objects.filter(active=True),
        empty_label="Choose the advice article", help_text="Needed when the outcome is advice",
    )
    partner_agency = forms.ModelChoiceField(
        label="Partner agency", required=False, queryset=PartnerAgency.objects.filter(active=True),
        empty_label="Choose the partner agency", help_text="Needed when the outcome is a signpost",
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DashForm(GovUKFormMixin, forms.Form):
    """A risk checklist's questions, each answered yes, no or not known, then any professional judgement."""

    ANSWERS = (("yes", "Yes"), ("no", "No"), ("not_known", "Not known"))

    def __init__(self, *args, checklist, victims: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        self.fields["victim"] = forms.ChoiceField(
            label="Victim", choices=[(str(p.pk), f"{p.full_name} ({p.reference})") for p in victims],
            widget=forms.RadioSelect if len(victims) > 1 else forms.Select,
        )
        for number, question in enumerate(checklist.questions, start=1):
            self.fields[f"q_{question['code']}"] = forms.ChoiceField(
                label=f"{number}. {question['text']}", choices=self.ANSWERS, widget=forms.RadioSelect,
                error_messages={"required": f"Answer question {number}: yes, no or not known"},
            )
        self.fields["judgement_level"] = forms.ChoiceField(
            label="Professional judgement", required=False, widget=forms.RadioSelect,
            choices=[("", "Agree with the scored level"), ("medium", "Raise to medium"), ("high", "Raise to high")],
            help_text="Judgement can raise the level the answers give, never lower it",
        )
        self.fields["judgement_reason"] = forms.CharField(
            label="Reason for your judgement", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        )

    def answers(self) -> dict[str, str]:
        return {q["code"]: self.cleaned_data[f"q_{q['code']}"] for q in self.checklist.questions}

    def question_fields(self) -> list:
        return [self[f"q_{q['code']}"] for q in self.checklist.questions]


class AppointmentForm(GovUKFormMixin, forms.Form):
    """Choose a team and a day, then one of the free times the caller agrees to, and how to confirm it."""

    form_token = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)
    team = forms.ChoiceField(label="Team", help_text="The local policing team or resolution centre to see the caller")
    from_date = forms.DateField(label="Free times from", required=False, widget=GovUKDateInput,
                                help_text="For example, 27 3 2026. Left empty, from today")
    slot = forms.ChoiceField(label="Time agreed with the caller", widget=forms.RadioSelect,
                             error_messages={"required": "Select the time agreed with the caller"})
    notify_by = forms.ChoiceField(label="Confirm to the caller by", choices=NotifyBy.choices, widget=forms.RadioSelect,
                                  initial=NotifyBy.SMS)
    notes = forms.CharField(label="Notes for the officer", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                            max_length=2000)

    def __init__(self, *args, teams=(), free=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]
        self.fields["slot"].choices = [
            (str(f.slot.pk), f"{timezone.localtime(f.slot.starts_at):%a %d %b %H:%M} to "
                             f"{timezone.localtime(f.slot.ends_at):%H:%M}, {f.slot.place}"
                             + (f" ({f.free} places free)" if f.free > 1 else ""))
            for f in free
        ]


class MoveAppointmentForm(AppointmentForm):
    reason = forms.CharField(label="Reason for moving it", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             error_messages={"required": "Enter the reason for moving the appointment"})


class CancelAppointmentForm(GovUKFormMixin, forms.Form):
    reason = forms.CharField(label="Reason for cancelling", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             error_messages={"required": "Enter the reason for cancelling the appointment"})


class DayListForm(GovUKFormMixin, forms.Form):
    team = forms.ChoiceField(label="Team")
    day = forms.DateField(label="Day", widget=GovUKDateInput, required=False, help_text="For example, 27 3 2026")

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]


QUALITY_ANSWERS = (("yes", "Met"), ("no", "Not met"), ("na", "Not applicable"))


class QualityReviewForm(GovUKFormMixin, forms.Form):
    """The checklist's items, each met, not met or (for domestic-only items) not applicable, and comments."""

    def __init__(self, *args, checklist, domestic: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        for number, item in enumerate(checklist.items, start=1):
            conditional = item.get("when") == "domestic" and not domestic
            self.fields[f"item_{item['code']}"] = forms.ChoiceField(
                label=f"{number}. {item['text']}", widget=forms.RadioSelect,
                choices=QUALITY_ANSWERS if conditional else QUALITY_ANSWERS[:2],
                help_text="Applies only to domestic abuse" if item.get("when") == "domestic" else "",
                error_messages={"required": f"Answer item {number}: met or not met"},
            )
        self.fields["comments"] = forms.CharField(
            label="Comments for the handler", required=False, widget=forms.Textarea(attrs={"rows": 4}),
            help_text="Needed for each item not met: what to do differently", max_length=5000,
        )

    def answers(self) -> dict[str, str]:
        return {item["code"]: self.cleaned_data[f"item_{item['code']}"] for item in self.checklist.items}


class QualitySampleForm(GovUKFormMixin, forms.Form):
    month = forms.ChoiceField(label="Month")
    size = forms.IntegerField(label="Contacts per handler", min_value=1, max_value=50,
                              error_messages={"min_value": "Contacts per handler must be 1 to 50",
                                              "max_value": "Contacts per handler must be 1 to 50",
                                              "invalid": "Contacts per handler must be a whole number, 1 to 50"})

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in months]
