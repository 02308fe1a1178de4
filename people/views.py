"""Staff pages of the person index: call-time search and a person's record (opened for a reason)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors
from .forms import OpenPersonForm, PersonSearchForm

SEARCH_FIELDS = ("name", "dob_day", "dob_month", "dob_year", "phone", "postcode", "address")


@login_required
@permission_required(selectors.VIEW_PERMISSION, raise_exception=True)
@require_GET
def search(request: HttpRequest) -> TemplateResponse:
    """Search form and, once anything is typed, the best candidates with their scores and reasons."""
    submitted = any(request.GET.get(name, "").strip() for name in SEARCH_FIELDS)
    form = PersonSearchForm(request.GET if submitted else None)
    context: dict = {"form": form, "results": None}
    if not submitted:
        return TemplateResponse(request, "people/search.html", context)
    if not form.is_valid():
        return TemplateResponse(request, "people/search.html", context, status=400)
    data = form.cleaned_data
    try:
        results = selectors.search_people(
            actor=request.user, reason=data["reason"], name=data["name"], dob=data["dob"], phone=data["phone"],
            postcode=data["postcode"], address=data["address"],
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages[0])
        return TemplateResponse(request, "people/search.html", context, status=400)
    open_query = urlencode({"context": data["reason"]})
    context.update(results=results, open_query=open_query)
    return TemplateResponse(request, "people/search.html", context)


@login_required
@permission_required(selectors.VIEW_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, reference: str) -> TemplateResponse:
    """Ask why the record is being opened (the reason defaults from where staff came from), then show it.

    The question comes before any lookup, so it looks the same for a reference that exists and one that does not.
    """
    if request.method == "GET":
        initial = {"reason": request.GET.get("context", "").strip()[:200]}
        form = OpenPersonForm(initial=initial)
        return TemplateResponse(request, "people/open.html", {"form": form, "reference": reference})
    form = OpenPersonForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(request, "people/open.html", {"form": form, "reference": reference}, status=400)
    try:
        record = selectors.open_person(actor=request.user, reason=form.cleaned_data["reason"], reference=reference)
    except selectors.Person.DoesNotExist:
        return TemplateResponse(
            request, "people/not_found.html", {"reference": reference, "search_url": reverse("people:search")},
            status=404,
        )
    return TemplateResponse(request, "people/person.html", {"record": record, "reason": form.cleaned_data["reason"]})
