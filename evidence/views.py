"""Staff evidence pages: a crime's evidence, adding files (resumable or one request), statements, upload
links for the public, viewing and playing exhibits, and evidential packages.

Thin: parse, call a service, render. Every page works without JavaScript; the resumable
uploader is an enhancement of the plain file form.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import IO

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.handlers.asgi import ASGIRequest
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from firstcontact.submissions import redirect_with_flash, submit_form

from . import content, protocol, selectors, services
from .forms import DestroyExhibitForm, ExhibitForm, PackageForm, StatementForm, UploadLinkForm
from .models import CustodyEvent, Upload
from .uploads import add_errors, receive_upload_form, upload_location

HANDLE = "accounts.handle_evidence"
DISCLOSE = "accounts.disclose_evidence"
STREAM_BLOCK = 256 * 1024


def _crime_or_404(reference: str):
    crime = selectors.crime_by_reference(reference)
    if crime is None:
        raise Http404("No such crime")
    return crime


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    reference = request.GET.get("reference", "").strip()
    error = ""
    if reference:
        crime = selectors.crime_by_reference(reference)
        if crime is not None:
            return HttpResponseRedirect(reverse("evidence:crime", args=[crime.reference]))
        error = f"There is no crime with the reference {reference}. A crime reference looks like CR000000042."
    return TemplateResponse(
        request, "evidence/index.html",
        {"crimes": selectors.crimes_with_evidence(), "reference": reference, "error": error, "has_errors": bool(error)},
    )


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_GET
def crime_evidence(request: HttpRequest, reference: str) -> HttpResponse:
    crime = _crime_or_404(reference)
    return TemplateResponse(
        request, "evidence/crime.html",
        {"crime": crime, "evidence": selectors.evidence_for_crime(crime),
         "may_disclose": request.user.has_perm(DISCLOSE)},
    )


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def add_exhibit(request: HttpRequest, reference: str) -> HttpResponse:
    crime = _crime_or_404(reference)
    uploads: list[Upload] = []
    if request.method == "POST":
        form = ExhibitForm(request.POST, request.FILES)
        received = receive_upload_form(
            request, form, lookup={"crime": crime, "link__isnull": True}, owner={"crime": crime, "actor": request.user},
            receive=lambda staged, data: [
                services.receive_file(actor=request.user, description=data["description"],
                                      produced_by=data["produced_by"], upload=upload, crime=crime)
                for upload in staged
            ],
        )
        uploads = received.uploads
        if received.ok:
            exhibits = received.result
            messages.success(
                request, f"Exhibit {', '.join(e.reference for e in exhibits)} received; SHA-256 {exhibits[0].sha256}"
            )
            return HttpResponseRedirect(reverse("evidence:crime", args=[crime.reference]))
    else:
        form = ExhibitForm(initial={"produced_by": request.user.get_full_name() or request.user.username})
    return TemplateResponse(
        request, "evidence/add_exhibit.html",
        {"crime": crime, "form": form, "uploads": uploads,
         "create_url": reverse("evidence:upload-create", args=[crime.reference])},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_http_methods(["POST"])
def upload_create(request: HttpRequest, reference: str) -> HttpResponse:
    crime = _crime_or_404(reference)
    return protocol.create(request, location=upload_location("evidence:upload"), crime=crime, actor=request.user)


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_http_methods(["HEAD", "GET", "PATCH"])
def upload(request: HttpRequest, upload_id: str) -> HttpResponse:
    found = selectors.upload_by_id(upload_id, link__isnull=True)
    return protocol.status_or_append(request, found)


def _exhibit_or_404(pk: int):
    exhibit = selectors.exhibit_by_id(pk)
    if exhibit is None:
        raise Http404("No such exhibit")
    return exhibit


def _may_open_exhibit_page(user) -> bool:
    """Evidence staff, and those who may authorise a destruction (the data protection officer has no other access)."""
    return user.has_perm(HANDLE) or services.may_authorise_destruction(user)


def _destroyable(exhibit) -> bool:
    """Whether the exhibit page offers "Destroy this exhibit": an exhibit of a closed crime, not yet destroyed."""
    return exhibit.crime is not None and not exhibit.crime.is_open and not exhibit.destroyed


@login_required
@require_GET
def exhibit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not _may_open_exhibit_page(request.user):
        raise PermissionDenied
    exhibit = _exhibit_or_404(pk)
    services.record_custody(event=CustodyEvent.Event.VIEWED, actor=request.user, exhibit=exhibit, via="page")
    return TemplateResponse(
        request, "evidence/exhibit.html",
        {"exhibit": exhibit, "custody": selectors.custody_of(exhibit=exhibit),
         "may_play": request.user.has_perm(HANDLE),
         "may_destroy": _destroyable(exhibit) and services.may_authorise_destruction(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def destroy_exhibit(request: HttpRequest, pk: int) -> HttpResponse:
    """Destroy an exhibit of a closed crime outside the retention review: a reason, then a confirmation.

    The first POST checks the reason and shows what will happen; only the second (``confirm``)
    destroys. A repeated confirmation finds the exhibit destroyed already and changes nothing.
    """
    if not services.may_authorise_destruction(request.user):
        raise PermissionDenied(services.DESTROY_NOT_AUTHORISED)
    exhibit = _exhibit_or_404(pk)
    page = reverse("evidence:exhibit", args=[exhibit.pk])
    refusal = ""
    if exhibit.crime is None:
        refusal = services.DESTROY_NO_CRIME.format(reference=exhibit.contact.reference)
    elif exhibit.crime.is_open:
        refusal = services.DESTROY_CRIME_OPEN.format(reference=exhibit.crime.reference)
    if refusal and not exhibit.destroyed:
        return TemplateResponse(request, "evidence/destroy_exhibit.html",
                                {"exhibit": exhibit, "refusal": refusal, "exhibit_url": page}, status=409)
    if exhibit.destroyed:
        return redirect_with_flash(request, page, services.EXHIBIT_DESTROYED.format(
            reference=exhibit.reference, when=f"{timezone.localtime(exhibit.destroyed_at):%-d %B %Y}"))
    form = DestroyExhibitForm(request.POST or None)
    confirming = False
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            confirming = form.is_valid()
        else:
            done = submit_form(form, lambda data: services.destroy_exhibit(
                exhibit=exhibit, actor=request.user, reason=data["reason"], via="exhibit page"),
                refusals=(ValidationError,), field_names={"exhibit": "reason"})
            if done.ok:
                return redirect_with_flash(request, page, f"Exhibit {exhibit.reference} destroyed. Its file has been "
                                           "removed; its reference, SHA-256 and chain of custody are kept.")
    return TemplateResponse(
        request, "evidence/destroy_exhibit.html",
        {"exhibit": exhibit, "form": form, "confirming": confirming, "exhibit_url": page},
        status=400 if form.errors else 200,
    )


_END = object()


async def _async_blocks(blocks: Iterator[bytes]) -> AsyncIterator[bytes]:
    # Each block is read in a worker thread; the event loop never waits on the disk or the database.
    while (block := await sync_to_async(next)(blocks, _END)) is not _END:
        yield block


def streamed(request: HttpRequest, blocks: Iterator[bytes]) -> Iterator[bytes] | AsyncIterator[bytes]:
    """The body iterator the server can stream without holding it whole.

    Under ASGI Django turns a synchronous iterator into a list before sending it, and under
    WSGI an asynchronous one: either would hold a 1 GB video in memory. So each server gets
    its own kind.
    """
    return _async_blocks(blocks) if isinstance(request, ASGIRequest) else blocks


def _stream(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            block = handle.read(min(STREAM_BLOCK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        handle.close()


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_GET
def exhibit_content(request: HttpRequest, pk: int) -> HttpResponse:
    """The exhibit's bytes, with HTTP Range support so a video can be played from any point.

    A download is logged each time; a media player asks for many ranges of one viewing, so only
    its first request (no range, or a range from byte 0) is logged as a view.
    """
    exhibit = _exhibit_or_404(pk)
    if exhibit.destroyed:
        return HttpResponse("This exhibit has been destroyed; its file no longer exists.", status=410,
                            content_type="text/plain; charset=utf-8")
    size = exhibit.size
    download = request.GET.get("download") == "1"
    header = request.headers.get("Range", "")
    span = content.parse_range(header, size) if header else (0, size - 1)
    if span is None:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = span
    if download:
        handle = services.open_exhibit(exhibit=exhibit, actor=request.user, event=CustodyEvent.Event.DOWNLOADED)
    elif start == 0:
        handle = services.open_exhibit(
            exhibit=exhibit, actor=request.user, event=CustodyEvent.Event.VIEWED, via="player"
        )
    else:
        handle = default_storage.open(exhibit.file.name, "rb")
    response = StreamingHttpResponse(streamed(request, _stream(handle, start, end - start + 1)), content_type=exhibit.content_type,
                                     status=206 if header else 200)
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    if header:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    disposition = "attachment" if download else "inline"
    safe_name = exhibit.reference.replace("/", "-") + services._extension(exhibit.content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{safe_name}"'
    return response


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def take_statement(request: HttpRequest, reference: str) -> HttpResponse:
    crime = _crime_or_404(reference)
    form = StatementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            statement = services.take_statement(
                crime=crime, actor=request.user, form_token=data["form_token"],
                details=services.StatementDetails(
                    maker_name=data["maker_name"], body=data["body"], signature=data["signature"],
                    declaration_accepted=data["declaration"], maker_age=data["maker_age"],
                    maker_occupation=data["maker_occupation"],
                ),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Statement {statement.reference} of {statement.maker_name} signed and saved as a PDF")
            return HttpResponseRedirect(reverse("evidence:crime", args=[crime.reference]))
    return TemplateResponse(
        request, "evidence/statement_form.html",
        {"crime": crime, "form": form, "declaration": services.DECLARATION.format(pages="1")},
        status=400 if form.errors else 200,
    )


def _file_response(
    request: HttpRequest, handle: IO[bytes], *, name: str, content_type: str, size: int
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(streamed(request, _stream(handle, 0, size)), content_type=content_type)
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_GET
def statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    statement = selectors.statement_by_id(pk)
    if statement is None:
        raise Http404("No such statement")
    if statement.erased:
        return HttpResponse("This statement has been erased; its PDF no longer exists.", status=410,
                            content_type="text/plain; charset=utf-8")
    handle = services.open_statement(statement=statement, actor=request.user)
    return _file_response(
        request, handle, name=f"{statement.crime.reference}-{statement.reference}.pdf", content_type="application/pdf",
        size=statement.pdf.size,
    )


@login_required
@permission_required(HANDLE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def send_link(request: HttpRequest, reference: str) -> HttpResponse:
    crime = _crime_or_404(reference)
    form = UploadLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = services.issue_upload_link(
                actor=request.user, crime=crime, recipient_name=data["recipient_name"], channel=data["channel"],
                recipient_email=data["recipient_email"], recipient_phone=data["recipient_phone"],
                purpose=data["purpose"], days=data["days"], base_url=request.build_absolute_uri("/"),
                form_token=data["form_token"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            link = issued.link
            messages.success(
                request,
                f"Upload link sent to {link.recipient_name} by {link.get_channel_display().lower()}; "
                f"it works once and expires {link.expires_at:%d %b %Y}",
            )
            return HttpResponseRedirect(reverse("evidence:crime", args=[crime.reference]))
    return TemplateResponse(
        request, "evidence/link_form.html", {"crime": crime, "form": form}, status=400 if form.errors else 200
    )


@login_required
@permission_required(DISCLOSE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def produce_package(request: HttpRequest, reference: str) -> HttpResponse:
    crime = _crime_or_404(reference)
    form = PackageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            package = services.produce_evidential_package(
                crime=crime, actor=request.user, recipient=form.cleaned_data["recipient"],
                reason=form.cleaned_data["reason"], form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Evidential package produced for {package.recipient}; the disclosure is logged")
            return HttpResponseRedirect(reverse("evidence:package", args=[package.pk]))
    evidence = selectors.evidence_for_crime(crime)
    return TemplateResponse(
        request, "evidence/package_form.html", {"crime": crime, "form": form, "evidence": evidence},
        status=400 if form.errors else 200,
    )


def _package_or_404(pk: int):
    package = selectors.package_by_id(pk)
    if package is None:
        raise Http404("No such package")
    return package


@login_required
@permission_required(DISCLOSE, raise_exception=True)
@require_GET
def package_detail(request: HttpRequest, pk: int) -> HttpResponse:
    package = _package_or_404(pk)
    return TemplateResponse(
        request, "evidence/package.html",
        {"package": package, "exhibits": package.exhibits.order_by("received_at", "id"),
         "statements": package.statements.order_by("number")},
    )


@login_required
@permission_required(DISCLOSE, raise_exception=True)
@require_GET
def package_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    package = _package_or_404(pk)
    services.record_custody(event=CustodyEvent.Event.DOWNLOADED, actor=request.user, package=package, what="pdf")
    return _file_response(
        request, default_storage.open(package.pdf.name, "rb"), name=f"{package.crime.reference}-evidential-package.pdf",
        content_type="application/pdf", size=package.pdf.size,
    )


@login_required
@permission_required(DISCLOSE, raise_exception=True)
@require_GET
def package_zip(request: HttpRequest, pk: int) -> HttpResponse:
    package = _package_or_404(pk)
    response = StreamingHttpResponse(
        streamed(request, services.package_zip_stream(package=package, actor=request.user)),
        content_type="application/zip",
    )
    response["Content-Disposition"] = f'attachment; filename="{package.crime.reference}-exhibits.zip"'
    response["Cache-Control"] = "private, no-store"
    return response
