"""Crime admin bureau pages: the queue, one crime's page with its actions, and NCRS compliance.

Thin: each POST parses its form, calls one service and redirects; a refusal the user
can fix comes back as a form error on the field concerned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from . import compliance, selectors, services
from .forms import CancelForm, ClassifyForm, CloseForm, ReclassifyForm, RejectCancellationForm
from .models import Crime
from .rules import RuleViolation

PERMISSION = "accounts.record_crimes"


def _crime_or_404(reference: str) -> Crime:
    crime = selectors.crime_by_reference(reference)
    if crime is None:
        raise Http404("No such crime")
    return crime


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def bureau_queue(request: HttpRequest) -> TemplateResponse:
    now = timezone.now()
    waiting = selectors.awaiting_recording()
    checks = selectors.awaiting_classification_check()
    cancellations = selectors.cancellations_awaiting_approval()
    clocks = selectors.with_clocks(waiting[: selectors.QUEUE_PAGE], now)
    context = {
        "waiting": clocks,
        "waiting_count": waiting.count(),
        "overdue_count": sum(1 for _, clock in clocks if clock.overdue),
        "checks": checks[: selectors.QUEUE_PAGE],
        "checks_count": checks.count(),
        "cancellations": cancellations[: selectors.QUEUE_PAGE],
        "cancellations_count": cancellations.count(),
        "page_size": selectors.QUEUE_PAGE,
    }
    return TemplateResponse(request, "cases/queue.html", context)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def compliance_report(request: HttpRequest) -> TemplateResponse:
    rows = selectors.weekly_compliance(weeks=12)
    overall = compliance.overall_share(rows)
    return TemplateResponse(
        request, "cases/compliance.html", {"rows": rows, "overall_percent": None if overall is None else 100 * overall}
    )


def _crime_page(request: HttpRequest, crime: Crime, status: int = 200, **bound: forms.Form) -> TemplateResponse:
    suggested = None
    if crime.classification_id is None and crime.contact_id:
        suggested = crime.contact.incident_type.classifications.filter(active=True).order_by("code").first()
    context: dict[str, Any] = {
        "crime": crime,
        "clock": compliance.recording_clock(crime.reported_at, timezone.now()) if crime.recorded_at is None else None,
        "classify_form": bound.get("classify_form")
        or ClassifyForm(initial={"classification": crime.classification_id or (suggested.pk if suggested else None)}),
        "reclassify_form": bound.get("reclassify_form") or ReclassifyForm(),
        "cancel_form": bound.get("cancel_form") or CancelForm(),
        "reject_form": bound.get("reject_form") or RejectCancellationForm(),
        "close_form": bound.get("close_form") or CloseForm(initial={"victim_decision": crime.victim_decision}),
        "has_errors": any(form.errors for form in bound.values()),
        "may_approve": crime.cancellation_requested_by_id != request.user.pk,
    }
    return TemplateResponse(request, "cases/crime.html", context, status=status)


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def crime_detail(request: HttpRequest, reference: str) -> TemplateResponse:
    return _crime_page(request, _crime_or_404(reference))


def _act(
    request: HttpRequest,
    reference: str,
    form_name: str,
    form_class: type[forms.Form],
    action: Callable[[Crime, dict[str, Any]], Any],
    done: str,
    field_names: dict[str, str] | None = None,
) -> HttpResponse:
    """Bind the form, run the service, and either redirect with ``done`` or show the form's errors."""
    crime = _crime_or_404(reference)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(crime, form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                name = (field_names or {}).get(field, field)
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        except RuleViolation as violation:
            form.add_error(violation.field if violation.field in form.fields else None, violation.message)
        else:
            messages.success(request, done.format(reference=crime.reference))
            return HttpResponseRedirect(reverse("cases:crime", args=[crime.reference]))
    return _crime_page(request, _crime_or_404(reference), status=400, **{form_name: form})


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def classify(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, "classify_form", ClassifyForm,
        lambda crime, data: services.classify_crime(
            crime=crime, actor=request.user, classification=data["classification"]
        ),
        "Classification of {reference} checked",
    )


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def reclassify(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, "reclassify_form", ReclassifyForm,
        lambda crime, data: services.reclassify_crime(
            crime=crime, actor=request.user, classification=data["classification"],
            reason=data["reclassify_reason"],
        ),
        "{reference} reclassified",
        field_names={"reason": "reclassify_reason"},
    )


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def request_cancellation(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, "cancel_form", CancelForm,
        lambda crime, data: services.cancel_crime(
            crime=crime, actor=request.user, cancellation_code=data["cancellation_code"],
            reason=data["cancellation_reason"],
        ),
        "Cancellation of {reference} sent for approval",
    )


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def approve_cancellation(request: HttpRequest, reference: str) -> HttpResponse:
    crime = _crime_or_404(reference)
    # Out of turn (nothing pending, or approving one's own request) is refused as a 403 by the guard.
    services.approve_cancellation(crime=crime, actor=request.user)
    messages.success(request, f"{crime.reference} cancelled")
    return HttpResponseRedirect(reverse("cases:crime", args=[crime.reference]))


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def reject_cancellation(request: HttpRequest, reference: str) -> HttpResponse:
    return _act(
        request, reference, "reject_form", RejectCancellationForm,
        lambda crime, data: services.reject_cancellation(
            crime=crime, actor=request.user, reason=data["rejection_reason"]
        ),
        "Cancellation of {reference} turned down; the crime stays recorded",
        field_names={"reason": "rejection_reason"},
    )


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_POST
def close(request: HttpRequest, reference: str) -> HttpResponse:
    def _close(crime: Crime, data: dict[str, Any]) -> Crime:
        decision = data.get("victim_decision") or ""
        if decision and decision != crime.victim_decision:
            services.record_victim_decision(crime=crime, actor=request.user, decision=decision)
        return services.close_crime(crime=crime, actor=request.user, outcome=data["outcome"])

    return _act(request, reference, "close_form", CloseForm, _close, "{reference} closed")


