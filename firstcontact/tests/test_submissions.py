"""Posting a form to a service: valid input reaches the service once; a refusal lands on the form with the input kept."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from firstcontact.submissions import redirect_with_flash, submit_form


class NoteForm(forms.Form):
    title = forms.CharField()
    note = forms.CharField(required=False)


class Refused(PermissionDenied):
    """A refusal that names its field, as the investigation rules' violations do."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(message)


def test_valid_input_reaches_the_service_and_its_answer_comes_back():
    calls = []
    outcome = submit_form(NoteForm({"title": "Seized CCTV"}), lambda data: calls.append(data) or "NOTE-1")
    assert outcome.ok and outcome.result == "NOTE-1"
    assert calls == [{"title": "Seized CCTV", "note": ""}]


def test_invalid_input_never_reaches_the_service():
    calls = []
    form = NoteForm({"title": ""})
    assert not submit_form(form, calls.append).ok
    assert calls == [] and "title" in form.errors


def _refuse(error):
    def action(data):
        raise error
    return action


def test_a_refusal_goes_beside_its_field_and_what_was_typed_is_kept():
    form = NoteForm({"title": "Seized CCTV", "note": "from the shop"})
    outcome = submit_form(form, _refuse(ValidationError({"title": "Enter a shorter title", "other": "Not allowed"})))
    assert not outcome.ok and outcome.result is None
    assert form.errors["title"] == ["Enter a shorter title"]
    assert form.non_field_errors() == ["Not allowed"]
    assert form["note"].value() == "from the shop"


def test_a_service_argument_is_mapped_to_the_form_field_that_holds_it():
    form = NoteForm({"title": "x"})
    submit_form(form, _refuse(ValidationError({"text": "Too short"})), field_names={"text": "note"})
    assert form.errors["note"] == ["Too short"]


def test_a_message_without_a_field_goes_to_the_default_field_or_the_form():
    on_note = NoteForm({"title": "x"})
    submit_form(on_note, _refuse(ValidationError("Task not taken")), default_field="note")
    assert on_note.errors["note"] == ["Task not taken"]
    on_form = NoteForm({"title": "x"})
    submit_form(on_form, _refuse(ValidationError("Task not taken")))
    assert on_form.non_field_errors() == ["Task not taken"]


def test_other_refusals_are_caught_only_when_named():
    form = NoteForm({"title": "x"})
    assert not submit_form(form, _refuse(Refused("note", "A rule says no")), refusals=(ValidationError, Refused)).ok
    assert form.errors["note"] == ["A rule says no"]
    value_error = NoteForm({"title": "x"})
    submit_form(value_error, _refuse(ValueError("Not a number")), refusals=(ValueError,))
    assert value_error.non_field_errors() == ["Not a number"]
    with pytest.raises(ValueError):
        submit_form(NoteForm({"title": "x"}), _refuse(ValueError("a fault")))


def test_success_redirects_with_the_banner_text():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    response = redirect_with_flash(request, "/done/", "Note added")
    assert response.status_code == 302 and response["Location"] == "/done/"
    assert [str(m) for m in get_messages(request)] == ["Note added"]
