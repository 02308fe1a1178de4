"""Receiving files through a page's form, the one way for staff and for the public's upload link.

A page that takes evidence files (staff adding an exhibit, a member of the public using an
upload link) validates its form, stages the chosen file or the finished resumable uploads the
form names, and hands them to a service. The steps and the rules are the same for both; only
who owns the files and which service receives them differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse

from . import selectors, services
from .models import Upload

_ID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def add_errors(form, error: ValidationError, default_field: str | None = None) -> None:
    """Put a service's ValidationError on the form: each field's problems beside it, the rest on ``default_field``."""
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(name if name in form.fields else default_field, problem)
    else:
        for problem in error.messages:
            form.add_error(default_field, problem)


def _staged_uploads(request: HttpRequest, lookup: dict) -> list[Upload]:
    uploads = []
    for value in request.POST.getlist("upload_id"):
        upload = selectors.upload_by_id(value, **lookup)
        if upload is not None and upload.complete:
            uploads.append(upload)
    return uploads


def receive_form_files(request: HttpRequest, form, lookup: dict, **owner) -> list[Upload]:
    """Stage the form's file (the no-JavaScript path) and any finished resumable uploads it names.

    A file is staged even when another field is wrong, so the sender does not choose it again:
    the page names it and carries its upload id. ``lookup`` limits which uploads the form may
    name (this crime's staff uploads, or this link's); ``owner`` is who a new file belongs to.
    """
    uploads = _staged_uploads(request, lookup)
    chosen = request.FILES.get("file")
    if chosen is not None:
        try:
            uploads.append(services.stage_file(file=chosen, filename=chosen.name, size=chosen.size, **owner))
        except ValidationError as error:
            add_errors(form, error, "file")
    elif not uploads and "file" not in form.errors:
        form.add_error("file", "Choose a file to upload")
    return uploads


@dataclass
class Received:
    """What became of a posted file form: the staged uploads (shown again on an error) and the service's answer."""

    uploads: list[Upload] = field(default_factory=list)
    result: Any = None
    ok: bool = False


def receive_upload_form(
    request: HttpRequest, form, *, lookup: dict, owner: dict, receive: Callable[[list[Upload], dict], Any]
) -> Received:
    """Validate a posted file form, stage its files, and pass them with the cleaned data to ``receive``.

    Nothing typed or chosen is lost: on any error (a field, the file, or the service's
    ValidationError, put beside its field or on ``file``) the staged uploads come back for
    the page to name, and ``ok`` is False.
    """
    form.is_valid()
    uploads = receive_form_files(request, form, lookup, **owner)
    if form.errors:
        return Received(uploads=uploads)
    try:
        result = receive(uploads, form.cleaned_data)
    except ValidationError as error:
        add_errors(form, error, "file")
        return Received(uploads=uploads)
    return Received(uploads=uploads, result=result, ok=True)


def upload_location(view_name: str, *args: str) -> str:
    """The address of a resumable upload under ``view_name``, with ``{id}`` where the upload's id goes."""
    return reverse(view_name, args=[*args, _ID_PLACEHOLDER]).replace(_ID_PLACEHOLDER, "{id}")
