"""The resumable upload protocol's HTTP side, shared by the staff and the public endpoints.

Shaped like tus (tus.io) core, simplified:

* ``POST <base>/files/`` with ``Upload-Length`` (bytes), ``Upload-Filename`` (percent-encoded) and,
  optionally, ``Upload-Sha256`` (hex) → 201, ``Location`` of the upload, ``Upload-Offset: 0``.
* ``HEAD`` (or ``GET``, JSON) on the upload → ``Upload-Offset`` and ``Upload-Length``: how much arrived.
* ``PATCH`` on the upload with ``Upload-Offset`` and the bytes from there → 204 and the new offset;
  409 when the offset is not where the server is; when the last byte arrives the file is checked
  by content (415 if it is not evidence) and against ``Upload-Sha256`` (460, as tus uses for a
  checksum mismatch). The body is read in 1 MB blocks straight into the staged file.

Errors carry JSON ``{"field": "file", "message": "..."}`` with the same words the forms use.
"""

from __future__ import annotations

from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse

from . import services
from .models import Upload

STATUS_FOR = {"content": 415, "hash": 460, "offset": 409, "size": 413, "state": 409}


def _error(status: int, message: str, field: str = "file") -> JsonResponse:
    return JsonResponse({"field": field, "message": message}, status=status)


def _refusal(error: ValidationError) -> JsonResponse:
    field, messages = next(iter(error.message_dict.items())) if hasattr(error, "error_dict") else ("file", error.messages)
    return _error(STATUS_FOR.get(getattr(error, "code", None) or "", 400), messages[0], field)


def _headers(response: HttpResponse, upload: Upload) -> HttpResponse:
    response["Upload-Offset"] = str(upload.offset)
    response["Upload-Length"] = str(upload.length)
    response["Cache-Control"] = "no-store"
    return response


def create(request: HttpRequest, *, location: str, **owner) -> HttpResponse:
    """Open an upload for ``owner`` (crime=, contact=, link=, actor=); ``location`` builds its URL from its id."""
    try:
        length = int(request.headers.get("Upload-Length", ""))
    except ValueError:
        return _error(400, "Upload-Length must be the file's size in bytes.", "Upload-Length")
    filename = unquote(request.headers.get("Upload-Filename", ""))[:255] or "file"
    try:
        upload = services.start_upload(
            filename=filename, length=length, client_sha256=request.headers.get("Upload-Sha256", ""), **owner
        )
    except ValidationError as error:
        return _refusal(error)
    response = _headers(HttpResponse(status=201), upload)
    response["Location"] = location.format(id=upload.id)
    return response


def status_or_append(request: HttpRequest, upload: Upload | None) -> HttpResponse:
    """HEAD/GET: how much has arrived. PATCH: append the request's bytes at ``Upload-Offset``."""
    if upload is None:
        return _error(404, "There is no such upload; start the file again.")
    if request.method in ("HEAD", "GET"):
        if request.method == "GET":
            return _headers(
                JsonResponse({"offset": upload.offset, "length": upload.length, "complete": upload.complete,
                              "sha256": upload.sha256 or None}),
                upload,
            )
        return _headers(HttpResponse(status=200), upload)
    if request.method != "PATCH":
        response = HttpResponse(status=405)
        response["Allow"] = "HEAD, GET, PATCH"
        return response
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        return _error(400, "Upload-Offset must be the byte position this part starts at.", "Upload-Offset")
    length = int(request.headers.get("Content-Length") or 0)
    if length > settings.EVIDENCE_MAX_CHUNK_BYTES:
        return _error(413, f"Send the file in parts of at most {settings.EVIDENCE_MAX_CHUNK_BYTES // (1024 * 1024)} MB.")
    try:
        # The request itself is the stream: the body is never read whole into memory.
        upload = services.append_chunk(upload=upload, offset=offset, stream=request)
    except ValidationError as error:
        return _refusal(error)
    response = _headers(HttpResponse(status=204), upload)
    if upload.complete:
        response["Upload-Sha256"] = upload.sha256
    return response
