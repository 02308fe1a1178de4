"""Call-quality pages: draw the month's samples, score a sampled contact, results by handler and team, feedback."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors, services
from .forms import QualityReviewForm, QualitySampleForm
from .models import QualityChecklist, QualitySample

AUDIT = "accounts.audit_contact_quality"
MONTHS_OFFERED = 12


def _months() -> list[date]:
    """This month and the eleven before it, newest first."""
    today = timezone.localdate()
    months, year, month = [], today.year, today.month
    for _ in range(MONTHS_OFFERED):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def _month_from(text: str, months: list[date]) -> date:
    return next((m for m in months if f"{m:%Y-%m}" == text), months[1] if len(months) > 1 else months[0])


def _chart(rows) -> list[dict]:
    scored = [r for r in rows if r.mean is not None]
    if not scored:
        return []
    return [{"id": "quality", "script_id": "chart-data-quality", "figure": {
        "data": [{"type": "bar", "name": "Mean score", "x": [r.name for r in scored], "y": [r.mean for r in scored]}],
        "layout": {"title": {"text": "Mean quality score by handler (per cent)"},
                   "yaxis": {"title": {"text": "Per cent of items met"}, "range": [0, 100]},
                   "margin": {"t": 50, "r": 20}, "font": {"family": "Arial, sans-serif"}},
    }}]


@login_required
@permission_required(AUDIT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def results(request: HttpRequest):
    """The month's samples and scores by handler and team; drawing the samples is a POST."""
    months = _months()
    if request.method == "POST":
        form = QualitySampleForm(request.POST, months=months)
        month = _month_from(request.POST.get("month", ""), months)
        if form.is_valid():
            try:
                services.draw_quality_samples(month=month, actor=request.user, size=form.cleaned_data["size"])
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, messages)
            if not form.errors:
                return HttpResponseRedirect(reverse("contacts:quality") + f"?month={month:%Y-%m}")
    else:
        month = _month_from(request.GET.get("month", ""), months)
        form = QualitySampleForm(months=months, initial={"month": f"{month:%Y-%m}",
                                                         "size": services.quality_sample_size()})
    by_handler, by_team, reviews = selectors.quality_results(month)
    checklist = QualityChecklist.objects.filter(active=True).order_by("code", "-version").first()
    labels = {item["code"]: item.get("short", item["code"]) for item in checklist.items} if checklist else {}
    for row in by_handler:
        row.missed_text = "; ".join(f"{labels.get(code, code)} ({n})" for code, n in sorted(row.missed.items()))
    return TemplateResponse(request, "contacts/quality_results.html", {
        "form": form, "month": month, "months": months, "by_handler": by_handler, "by_team": by_team,
        "reviews": reviews, "charts": _chart(by_handler), "labels": labels,
        "samples": QualitySample.objects.filter(month=month).count(), "has_errors": bool(form.errors),
    }, status=400 if form.errors else 200)


@login_required
@permission_required(AUDIT, raise_exception=True)
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int):
    """Score one sampled contact against the checklist; the people in it are logged as consulted."""
    item = selectors.quality_review_for(actor=request.user, review_pk=pk)
    if item is None:
        raise Http404("No such review")
    checklist = item.checklist or QualityChecklist.objects.filter(active=True).order_by("code", "-version").first()
    domestic = services.is_domestic(item.contact)
    initial = {f"item_{code}": answer for code, answer in (item.answers or {}).items()}
    initial["comments"] = item.comments
    form = QualityReviewForm(request.POST or None, checklist=checklist, domestic=domestic, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.score_quality_review(review=item, actor=request.user, checklist=checklist,
                                              answers=form.answers(), comments=form.cleaned_data["comments"])
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    target = f"item_{name}" if f"item_{name}" in form.fields else name
                    form.add_error(target if target in form.fields else None, messages)
            if not form.errors:
                return HttpResponseRedirect(reverse("contacts:quality") + f"?month={item.sample.month:%Y-%m}")
        status = 400
    contact = item.contact
    return TemplateResponse(request, "contacts/quality_review.html", {
        "review": item, "contact": contact, "form": form, "domestic": domestic,
        "thrive": contact.thrive_assessments.select_related("assessed_by").first(),
        "decision": contact.grade_decisions.first(), "dash": list(contact.dash_assessments.select_related("checklist")),
        "outcome": getattr(contact, "outcome", None) if hasattr(contact, "outcome") else None,
    }, status=status)


@login_required
@require_GET
def feedback(request: HttpRequest) -> TemplateResponse:
    """A handler's own quality feedback: each scored contact, the items not met and the auditor's comments."""
    reviews = selectors.quality_feedback_for(request.user)
    return TemplateResponse(request, "contacts/quality_feedback.html", {"reviews": reviews})
