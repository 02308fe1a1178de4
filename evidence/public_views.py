"""The public's upload page: reached only through a single-use, expiring link sent by an investigator.

The token in the address is the whole authority (no sign-in, no cookie), so the upload
endpoints need no CSRF check: a forged request cannot carry a token the forger does not have.
An unknown, used or expired link gets the same page, so it reveals nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from . import protocol, selectors, services
from .forms import CctvUploadForm, PublicUploadForm
from .models import UploadLink
from .uploads import receive_upload_form, upload_location


def _unavailable(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "evidence/public/unavailable.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def upload_page(request: HttpRequest, token: str) -> HttpResponse:
    link = services.link_for_token(token)
    if link is None:
        return _unavailable(request)
    cctv_wanted = link.purpose == UploadLink.Purpose.CCTV
    uploads = []
    form_class = CctvUploadForm if cctv_wanted else PublicUploadForm
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        received = receive_upload_form(
            request, form, lookup={"link": link},
            owner={"link": link, "crime": link.crime, "contact": link.contact},
            receive=lambda staged, data: services.submit_through_link(
                link=link, uploads=staged, description=data["description"], form_token=data["form_token"],
                cctv=services.CctvDetails(
                    cameras=data.get("cctv_cameras", ""), clock_offset_seconds=data.get("cctv_clock_offset_seconds"),
                    starts_at=data.get("cctv_from"), ends_at=data.get("cctv_to"),
                ),
            ),
        )
        uploads = received.uploads
        if received.ok:
            return HttpResponseRedirect(reverse("evidence-public:done"))
    else:
        form = form_class()
    return TemplateResponse(
        request, "evidence/public/upload.html",
        {"link": link, "form": form, "cctv_wanted": cctv_wanted, "uploads": uploads,
         "create_url": reverse("evidence-public:upload-create", args=[token]), "token": token},
        status=400 if form.errors else 200,
    )


@require_GET
def done(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "evidence/public/done.html")


@csrf_exempt
@require_http_methods(["POST"])
def upload_create(request: HttpRequest, token: str) -> HttpResponse:
    link = services.link_for_token(token)
    if link is None:
        return protocol.status_or_append(request, None)
    return protocol.create(
        request, location=upload_location("evidence-public:upload", token),
        link=link, crime=link.crime, contact=link.contact,
    )


@csrf_exempt
@require_http_methods(["HEAD", "GET", "PATCH"])
def upload(request: HttpRequest, token: str, upload_id: str) -> HttpResponse:
    link = services.link_for_token(token)
    found = selectors.upload_by_id(upload_id, link=link) if link is not None else None
    return protocol.status_or_append(request, found)
