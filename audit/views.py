"""The data protection officer's pages: search the audit log, export what was found."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import selectors, services
from .forms import LogSearchForm
from .models import AuditEntry

PAGE_SIZE = 50
CSV_COLUMNS = (
    "seq", "when", "who", "action", "record type", "record id", "person id", "reason", "recipients", "source",
    "request id",
)
# A spreadsheet runs a cell that starts with one of these as a formula; reasons are typed by staff.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _page_links(page: Page, query: str) -> list[dict]:
    """Numbered links for MOJ pagination: first, last, and two either side of the current page."""
    prefix = f"?{query}&page=" if query else "?page="
    shown = {1, page.paginator.num_pages, *range(page.number - 2, page.number + 3)}
    items: list[dict] = []
    previous = 0
    for number in sorted(n for n in shown if 1 <= n <= page.paginator.num_pages):
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": f"{prefix}{number}", "current": number == page.number})
        previous = number
    return items


def _search_form(request: HttpRequest) -> LogSearchForm:
    # Always bound, so a first visit shows the newest entries with the default purpose.
    return LogSearchForm(request.GET)


@login_required
@permission_required("accounts.view_audit_log", raise_exception=True)
@require_GET
def search(request: HttpRequest) -> TemplateResponse:
    """Search the log by person, user, action, record type and dates; each search is itself logged."""
    form = _search_form(request)
    context: dict = {"form": form, "verification": selectors.latest_verification()}
    if not form.is_valid():
        return TemplateResponse(request, "audit/search.html", context, status=400)
    services.record_log_search(
        viewer=request.user,
        purpose=form.cleaned_data["purpose"],
        filters=form.filters_for_log(),
        person_id=form.cleaned_data["person_id"],
    )
    page = Paginator(selectors.search_entries(form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    query = _query_without_page(request)
    prefix = f"?{query}&page=" if query else "?page="
    context.update(
        page=page,
        page_links=_page_links(page, query) if page.paginator.num_pages > 1 else [],
        previous_href=f"{prefix}{page.previous_page_number()}" if page.has_previous() else "",
        next_href=f"{prefix}{page.next_page_number()}" if page.has_next() else "",
        export_query=query,
    )
    return TemplateResponse(request, "audit/search.html", context)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _csv_rows(entries: Iterator[AuditEntry]) -> Iterator[str]:
    class _Line:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries:
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    entry.seq,
                    timezone.localtime(entry.occurred_at).isoformat(),
                    entry.actor_label,
                    entry.action,
                    entry.subject_type,
                    entry.subject_id,
                    entry.person_id,
                    entry.reason,
                    "; ".join(entry.recipients),
                    entry.source,
                    entry.request_id,
                )
            ]
        )


@login_required
@permission_required("accounts.view_audit_log", raise_exception=True)
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The filtered entries as CSV, streamed; the export is logged as a disclosure to the downloader."""
    form = _search_form(request)
    if not form.is_valid():
        context = {"form": form, "verification": selectors.latest_verification()}
        return TemplateResponse(request, "audit/search.html", context, status=400)
    entries = selectors.search_entries(form.filters())
    services.record_log_export(
        viewer=request.user,
        purpose=form.cleaned_data["purpose"],
        filters=form.filters_for_log(),
        rows=entries.count(),
        person_id=form.cleaned_data["person_id"],
    )
    # Searched again so that the export's own disclosure, just logged, is chained and included.
    entries = selectors.search_entries(form.filters())
    response = StreamingHttpResponse(_csv_rows(entries.iterator(chunk_size=2000)), content_type="text/csv")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
