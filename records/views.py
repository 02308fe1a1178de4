"""The data protection officer's records pages: the retention review queue and subject access requests."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import DecisionForm, FindSubjectForm, NewRequestForm, new_form_token
from .models import Decision, RetentionReview, ReviewStatus, SubjectAccessRequest

PAGE_SIZE = 50
REVIEW = services.REVIEW_PERMISSION
SAR = services.SAR_PERMISSION


def _add_errors(form, exc: ValidationError) -> None:
    for name, problems in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, problems[0])


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return redirect("records:retention")


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_GET
def retention_queue(request: HttpRequest) -> TemplateResponse:
    """Records that reached their review date, with the rule and dates that made them due."""
    page = Paginator(selectors.review_queue(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "reviews": list(page.object_list),
        "decisions": list(selectors.recent_decisions()),
        "open_requests": selectors.open_request_count() if request.user.has_perm(SAR) else None,
    }
    return TemplateResponse(request, "records/retention.html", context)


@login_required
@permission_required(REVIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, review_id: int) -> HttpResponse:
    """Retain a record (with a reason and a next review date) or dispose of it (with a reason)."""
    try:
        review = selectors.review(review_id)
    except RetentionReview.DoesNotExist:
        raise Http404("No such review") from None
    if request.method == "GET":
        form = DecisionForm(initial={"form_token": new_form_token()})
        return TemplateResponse(request, "records/decide.html", {"review": review, "form": form})
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = services.decide_review(
                actor=request.user, review_id=review.pk, decision=data["decision"], reason=data["reason"],
                next_review_on=data["next_review_on"], form_token=data["form_token"] or None,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            done = "disposed of" if made.decision == Decision.DISPOSE else f"retained until {made.next_review_on:%-d %B %Y}"
            messages.success(request, f"{review.get_record_kind_display()} {review.record_reference} {done}")
            return redirect("records:retention")
    review.refresh_from_db()
    status = 409 if review.status != ReviewStatus.DUE else 400
    return TemplateResponse(request, "records/decide.html", {"review": review, "form": form}, status=status)


@login_required
@permission_required(SAR, raise_exception=True)
@require_GET
def request_register(request: HttpRequest) -> TemplateResponse:
    """The register of subject access requests: received, due one month later, answered or not."""
    context = {"requests": list(selectors.request_register()), "today": timezone.localdate()}
    return TemplateResponse(request, "records/requests.html", context)


@login_required
@permission_required(SAR, raise_exception=True)
@require_GET
def find_subject(request: HttpRequest) -> TemplateResponse:
    """Find the data subject in the person index (the search is logged with its reason), then choose them."""
    from people.selectors import search_people

    submitted = "name" in request.GET
    form = FindSubjectForm(request.GET if submitted else None)
    context: dict = {"form": form, "results": None}
    if not submitted:
        return TemplateResponse(request, "records/find_subject.html", context)
    if not form.is_valid():
        return TemplateResponse(request, "records/find_subject.html", context, status=400)
    data = form.cleaned_data
    try:
        context["results"] = search_people(actor=request.user, reason=data["reason"], name=data["name"],
                                           dob=data["dob"])
    except ValidationError as exc:
        _add_errors(form, exc)
        return TemplateResponse(request, "records/find_subject.html", context, status=400)
    return TemplateResponse(request, "records/find_subject.html", context)


def _subject(request: HttpRequest, reference: str):
    from people.models import Person
    from people.selectors import get_person

    try:
        return get_person(actor=request.user, reason="Recording a subject access request (DPA 2018 s.45)",
                          reference=reference)
    except (Person.DoesNotExist, PermissionDenied):
        raise Http404("No such person") from None


@login_required
@permission_required(SAR, raise_exception=True)
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest, reference: str) -> HttpResponse:
    """Record a request for the person chosen: the date it was received; it is due one month later."""
    person = _subject(request, reference)
    if request.method == "GET":
        form = NewRequestForm(initial={"form_token": new_form_token()})
        return TemplateResponse(request, "records/new_request.html", {"form": form, "person": person})
    form = NewRequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = services.record_subject_access_request(
                actor=request.user, person=person, received_on=data["received_on"], notes=data["notes"],
                form_token=data["form_token"] or None,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Request {made.reference} recorded: due by {made.due_on:%-d %B %Y}")
            return redirect("records:requests")
    return TemplateResponse(request, "records/new_request.html", {"form": form, "person": person}, status=400)


def render_pack_pdf(pack: selectors.DisclosurePack) -> bytes:
    """The pack as a PDF (WeasyPrint, loaded on first use)."""
    from weasyprint import HTML

    html = render_to_string("records/pack.html", {"pack": pack, "force_name": settings.FORCE_NAME})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


@login_required
@permission_required(SAR, raise_exception=True)
@require_POST
def disclosure_pack(request: HttpRequest, request_id: int) -> HttpResponse:
    """Produce the disclosure pack as a PDF download; logged as a disclosure to the data subject."""
    try:
        sar = SubjectAccessRequest.objects.select_related("person").get(pk=request_id)
    except SubjectAccessRequest.DoesNotExist:
        raise Http404("No such request") from None
    pack = selectors.disclosure_pack(
        actor=request.user, reason=f"Subject access request {sar.reference} (DPA 2018 s.45)", request=sar,
    )
    pdf = render_pack_pdf(pack)
    services.record_pack_disclosure(actor=request.user, request=sar, sections=pack.sections)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{sar.reference}-disclosure-pack.pdf"'
    response["Cache-Control"] = "no-store"
    return response
