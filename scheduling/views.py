"""The scheduled jobs page for administrators: what runs when, and how each run ended."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from . import selectors
from .forms import RunFilterForm

ADMINISTER = "accounts.manage_users"
PAGE_SIZE = 50


@login_required
@permission_required(ADMINISTER, raise_exception=True)
@require_GET
def jobs(request: HttpRequest) -> TemplateResponse:
    statuses = selectors.job_statuses()
    form = RunFilterForm(request.GET or None, job_names=[status.name for status in statuses])
    job_name = form.cleaned_data["job"] if form.is_bound and form.is_valid() else ""
    page = Paginator(selectors.recent_runs(job_name=job_name), PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "scheduling/jobs.html", {
        "statuses": statuses,
        "form": form,
        "job_name": job_name,
        "page": page,
        "retry_minutes": settings.SCHEDULER_RETRY_SECONDS // 60,
    })
