"""The project form renderer: every ``{{ form }}`` comes out GOV.UK-shaped."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.template import Context, Template

from firstcontact.forms import GovUKDateInput, GovUKFormMixin


class IncidentForm(GovUKFormMixin, forms.Form):
    """A small form with one field of each kind the renderer knows."""

    caller_name = forms.CharField(label="Caller's name", max_length=40, help_text="As the caller gives it")
    details = forms.CharField(label="What happened", widget=forms.Textarea)
    channel = forms.ChoiceField(label="Channel", choices=[("", "Choose"), ("999", "999"), ("101", "101")])
    grade = forms.ChoiceField(
        label="Grade", choices=[("1", "Emergency"), ("2", "Priority")], widget=forms.RadioSelect
    )
    risks = forms.MultipleChoiceField(
        label="Risks",
        choices=[("weapon", "Weapon"), ("child", "Child present")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    occurred_on = forms.DateField(label="Date it happened", widget=GovUKDateInput, input_formats=["%Y-%m-%d"])
    pin = forms.CharField(label="PIN", widget=forms.PasswordInput, required=False)
    consent = forms.BooleanField(label="The caller agrees to be contacted")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("channel") == "101" and cleaned.get("grade") == "1":
            raise forms.ValidationError("A 101 call graded as an emergency must be passed to a 999 handler")
        return cleaned


def render(form: forms.Form) -> str:
    return Template("{{ form }}").render(Context({"form": form}))


VALID = {
    "caller_name": "Ann Smith",
    "details": "Shed broken into overnight",
    "channel": "101",
    "grade": "2",
    "risks": ["child"],
    "occurred_on_day": "3",
    "occurred_on_month": "11",
    "occurred_on_year": "2025",
    "consent": "on",
}


def test_unbound_form_has_no_error_summary_and_gives_govuk_classes():
    html = render(IncidentForm())
    assert "govuk-error-summary" not in html
    assert 'class="govuk-input"' in html
    assert 'class="govuk-textarea"' in html
    assert 'class="govuk-select"' in html
    assert 'class="govuk-radios__input" id="id_grade_0"' in html
    assert 'class="govuk-checkboxes__input" id="id_risks_1"' in html
    assert 'class="govuk-label govuk-label--s" for="id_caller_name">Caller&#x27;s name</label>' in html
    assert '<div id="id_caller_name-hint" class="govuk-hint">As the caller gives it</div>' in html
    assert 'aria-describedby="id_caller_name-hint"' in html
    assert 'type="password"' in html
    assert 'name="occurred_on_day"' in html and 'name="occurred_on_year"' in html


def test_error_summary_names_each_field_and_links_to_it():
    form = IncidentForm(data={"caller_name": "", "channel": "999"})
    html = render(form)
    assert 'data-module="govuk-error-summary"' in html
    assert '<a href="#id_caller_name">Enter caller&#x27;s name</a>' in html
    assert '<a href="#id_details">Enter what happened</a>' in html
    # Radios and dates link to their first control, so the link moves focus somewhere useful.
    assert '<a href="#id_grade_0">Select grade</a>' in html
    assert '<a href="#id_occurred_on_0">Enter date it happened</a>' in html


def test_inline_error_sits_beside_its_field_with_a_hidden_prefix():
    html = render(IncidentForm(data={"caller_name": ""}))
    assert "govuk-form-group govuk-form-group--error" in html
    assert (
        '<p id="id_caller_name-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> Enter caller&#x27;s name</p>'
    ) in html
    assert 'class="govuk-input govuk-input--error"' in html
    assert 'aria-describedby="id_caller_name-hint id_caller_name-error"' in html


def test_typed_values_are_kept_after_an_error():
    data = dict(VALID, caller_name="x" * 41, occurred_on_month="13", grade="2")
    html = render(IncidentForm(data=data))
    assert 'value="' + "x" * 41 + '"' in html
    assert "Shed broken into overnight</textarea>" in html
    assert 'value="2" checked' in html
    assert 'value="child" checked' in html
    assert '<option value="101" selected>' in html
    # The impossible month is shown again as typed, with an error that names the date.
    assert 'name="occurred_on_month" type="text" inputmode="numeric" value="13"' in html
    assert "Date it happened must be a real date" in html


def test_non_field_errors_appear_in_the_summary():
    html = render(IncidentForm(data=dict(VALID, grade="1")))
    assert "A 101 call graded as an emergency must be passed to a 999 handler" in html
    assert 'href="#id_caller_name">A 101 call graded' in html


def test_date_input_gives_a_real_date():
    form = IncidentForm(data=VALID)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["occurred_on"] == datetime.date(2025, 11, 3)


@pytest.mark.django_db
def test_page_title_says_error_when_the_form_has_errors(client):
    """A screen-reader user hears "Error:" first in the title (GOV.UK error message pattern)."""
    response = client.post("/staff/sign-in/", {"username": "", "password": ""})
    assert response.status_code == 200
    assert "<title>Error: Sign in" in response.content.decode()


def test_admin_widgets_keep_django_markup():
    """The renderer only changes forms rendered whole; a widget on its own keeps Django's markup."""
    html = str(IncidentForm()["grade"])
    assert "govuk-radios" not in html
