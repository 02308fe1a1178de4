"""Posting a page's form to a service: the one shape a POST view takes.

Bind the form, validate it, call one service with the cleaned data; when the service refuses
(a ValidationError, or another refusal the page names), its words go on the form beside the
field they concern, so the page is shown again with everything typed kept. On success the view
redirects, usually with a flash message (``redirect_with_flash``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect

T = TypeVar("T")


@dataclass(frozen=True)
class Submission(Generic[T]):
    """What became of a posted form: ``ok`` and the service's answer, or not ok with the errors on the form."""

    ok: bool
    result: T | None = None


def add_service_errors(form: forms.Form, error: Exception, *, field_names: Mapping[str, str] | None = None,
                       default_field: str | None = None) -> None:
    """Put a service's refusal on ``form``: each problem beside its field, else on ``default_field`` (None: the form).

    ``field_names`` maps a service argument to the form field that holds it. A refusal that is
    not a ValidationError is shown by its ``field`` and ``message`` if it has them (as the
    investigation rules' violations do), else by its text.
    """
    names = field_names or {}

    def place(field: str | None, problem: str) -> None:
        name = names.get(field, field) if field else None
        form.add_error(name if name in form.fields else default_field, problem)

    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, problems in error.message_dict.items():
                for problem in problems:
                    place(field, problem)
        else:
            for problem in error.messages:
                place(None, problem)
        return
    place(getattr(error, "field", None), getattr(error, "message", None) or str(error))


def submit_form(form: forms.Form, action: Callable[[dict[str, Any]], T], *,
                refusals: tuple[type[Exception], ...] = (ValidationError,),
                field_names: Mapping[str, str] | None = None, default_field: str | None = None) -> Submission[T]:
    """Validate ``form`` and, when valid, call ``action(cleaned_data)``; a refusal lands on the form.

    ``refusals`` are the exceptions that mean "the user can fix this" (ValidationError by
    default); anything else is a fault and propagates.
    """
    if not form.is_valid():
        return Submission(ok=False)
    try:
        result = action(form.cleaned_data)
    except refusals as error:
        add_service_errors(form, error, field_names=field_names, default_field=default_field)
        return Submission(ok=False)
    return Submission(ok=True, result=result)


def redirect_with_flash(request: HttpRequest, url: str, text: str = "") -> HttpResponseRedirect:
    """Redirect after a successful POST, with ``text`` as the success banner on the next page (none when empty)."""
    if text:
        messages.success(request, text)
    return HttpResponseRedirect(url)
