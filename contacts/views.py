"""Call-taking pages: the queue, the contact form with its history panel, the draft autosave, a contact."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import NEW_CALLER, ContactForm, DashForm, GradeForm, OutcomeForm, ThriveForm, format_local
from .models import (
    Channel,
    Contact,
    ContactDraft,
    ContactOutcome,
    GradeDecision,
    PersonRole,
    RiskChecklist,
    Route,
)

TAKE = "accounts.take_contacts"


def default_reason(*, channel: str = "", incident: str = "", reference: str = "") -> str:
    """The reason logged for viewing records while taking a contact: the contact in hand."""
    if reference:
        return f"Contact {reference}"
    what = incident or "a new contact"
    return f"Taking {what}" + (f" by {channel}" if channel else "")


@login_required
@permission_required(TAKE, raise_exception=True)
@require_GET
def queue(request: HttpRequest) -> TemplateResponse:
    awaiting, awaiting_total = selectors.awaiting_assessment()
    return TemplateResponse(request, "contacts/queue.html", {
        "awaiting": awaiting, "awaiting_total": awaiting_total,
        "may_manage_appointments": request.user.has_perm("accounts.manage_appointments"),
        "drafts": selectors.drafts_for(request.user),
        "contacts": selectors.recent_contacts(limit=30),
    })


def _panel(request: HttpRequest, form: ContactForm) -> selectors.HistoryPanel | None:
    """The history panel for the caller and address chosen in the form, if any (logged as consultation)."""
    caller_ref = (form.data.get("caller") or "").strip().upper()
    address_pk = (form.data.get("address") or "").strip()
    from people.models import Address, Person

    caller = Person.objects.filter(reference=caller_ref).first() if caller_ref and caller_ref != NEW_CALLER.upper() else None
    address = Address.objects.filter(pk=address_pk).first() if address_pk.isdigit() else None
    if caller is None and address is None:
        return None
    incident = ""
    incident_pk = form.data.get("incident_type") or ""
    if incident_pk.isdigit():
        from .models import IncidentType

        incident = str(IncidentType.objects.filter(pk=incident_pk).values_list("name", flat=True).first() or "")
    reason = (form.data.get("view_reason") or "").strip() or default_reason(
        channel=form.data.get("channel", ""), incident=incident
    )
    try:
        return selectors.history_panel(actor=request.user, reason=reason, caller=caller, address=address)
    except PermissionDenied:
        return None


def _render_form(request: HttpRequest, form: ContactForm, *, status: int = 200, searched: bool = False) -> TemplateResponse:
    panel = _panel(request, form)
    return TemplateResponse(request, "contacts/take_contact.html", {
        "form": form, "panel": panel, "has_errors": bool(form.errors), "searched": searched,
        "token": form.data.get("form_token") or form.initial.get("form_token"),
    }, status=status)


def _search_results(request: HttpRequest, data: QueryDict) -> dict:
    reason = (data.get("view_reason") or "").strip() or default_reason(channel=data.get("channel", ""))
    callers = []
    if (data.get("caller_query") or "").strip():
        try:
            callers = selectors.find_callers(actor=request.user, reason=reason, query=data["caller_query"])
        except (PermissionDenied, ValidationError):
            # Nothing found is shown as no results; the typed search stays in its box to correct.
            callers = []
    addresses = selectors.find_addresses(query=data.get("address_query", ""))
    return {"callers": callers, "addresses": addresses}


@login_required
@permission_required(TAKE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def take_contact(request: HttpRequest):
    if request.method == "GET":
        token = request.GET.get("draft", "")
        draft = ContactDraft.objects.filter(handler=request.user, form_token=token).first() if token else None
        if draft is not None:
            data = QueryDict(mutable=True)
            for key, value in draft.data.items():
                data.setlist(key, value if isinstance(value, list) else [value])
            form = ContactForm(data, **_search_results(request, data))
            form.errors.clear()  # a restored draft is shown as typed, not judged yet
            return _render_form(request, form)
        now = format_local(timezone.now())
        form = ContactForm(initial={
            "form_token": secrets.token_urlsafe(24), "received_at": now, "answered_at": now, "channel": "101",
        })
        return _render_form(request, form)

    action = request.POST.get("action", "record")
    form = ContactForm(request.POST, **_search_results(request, request.POST))
    if action in ("find_caller", "find_address"):
        # A search is not a submit: keep everything as typed, judge nothing yet.
        form.errors.clear()
        _save_draft_quietly(request, form)
        return _render_form(request, form, searched=True)
    if not form.is_valid():
        return _render_form(request, form, status=400)
    data = form.cleaned_data
    new_caller = None
    if data["caller"] is None and (data["caller_family_name"] or data["caller_given_name"]):
        new_caller = {
            "given_name": data["caller_given_name"], "family_name": data["caller_family_name"] or "Unknown",
            "phone_e164": data["caller_phone"],
        }
    try:
        contact = services.take_contact(
            actor=request.user, new_caller=new_caller,
            reason=default_reason(channel=data["channel"], incident=data["incident_type"].name),
            channel=data["channel"], incident_type=data["incident_type"],
            received_at=data["received_at"], answered_at=data["answered_at"], closed_at=data["closed_at"],
            caller=data["caller"], address=data["address"], location_text=data["location_text"],
            latitude=data["latitude"], longitude=data["longitude"], summary=data["summary"],
            people=data["people"], form_token=data["form_token"],
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            target = {"phone_e164": "caller_phone", "family_name": "caller_family_name",
                      "given_name": "caller_given_name", "people": "person_1"}.get(name, name)
            form.add_error(target if target in form.fields else None, messages)
        return _render_form(request, form, status=400)
    return HttpResponseRedirect(reverse("contacts:detail", args=[contact.reference]))


def _save_draft_quietly(request: HttpRequest, form: ContactForm) -> ContactDraft | None:
    """Save the draft, or not, without troubling the handler: the next change saves it again."""
    try:
        return services.save_contact_draft(
            handler=request.user, form_token=form.data.get("form_token", ""),
            data={k: form.data.getlist(k) if len(form.data.getlist(k)) > 1 else form.data.get(k)
                  for k in form.data if k not in ("csrfmiddlewaretoken", "action")},
        )
    except (ValidationError, DatabaseError):
        # DatabaseError: a busy database (SQLite allows one writer at a time).
        return None


@login_required
@permission_required(TAKE, raise_exception=True)
@require_POST
def autosave(request: HttpRequest) -> HttpResponse:
    """Save the draft (htmx, every few seconds and on each change); refresh the panel when the caller or place changed."""
    previous = ContactDraft.objects.filter(
        handler=request.user, form_token=request.POST.get("form_token", "")
    ).values_list("data", flat=True).first() or {}
    form = ContactForm(request.POST)
    draft = _save_draft_quietly(request, form)
    changed = any((previous.get(k) or "") != (request.POST.get(k) or "") for k in ("caller", "address"))
    return TemplateResponse(request, "contacts/_autosave.html", {
        "draft": draft, "panel": _panel(request, form) if changed else None, "refresh_panel": changed,
    }, status=200 if draft else 409)  # 409: not saved (already recorded, or the database was busy)


def server_timing(view):
    """Time the whole view, sign-in and permission checks and rendering included, in a Server-Timing header.

    The benchmark reads it to separate the server's own time from time spent queueing
    for a worker; browsers show it in their developer tools.
    """

    @wraps(view)
    def timed(request: HttpRequest, *args, **kwargs):
        started = time.perf_counter()
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        response["Server-Timing"] = f"view;dur={1000 * (time.perf_counter() - started):.1f}"
        return response

    return timed


@server_timing
@login_required
@permission_required(TAKE, raise_exception=True)
@require_GET
def history(request: HttpRequest) -> TemplateResponse:
    """The history panel alone, for a caller reference and/or an address id (htmx, and the benchmark)."""
    from people.models import Address, Person

    reference = (request.GET.get("caller") or "").strip().upper()
    address_pk = (request.GET.get("address") or "").strip()
    caller = Person.objects.filter(reference=reference).first() if reference and reference != NEW_CALLER.upper() else None
    address = Address.objects.filter(pk=address_pk).first() if address_pk.isdigit() else None
    panel = None
    if caller is not None or address is not None:
        reason = (request.GET.get("view_reason") or "").strip() or default_reason(channel=request.GET.get("channel", ""))
        try:
            panel = selectors.history_panel(actor=request.user, reason=reason, caller=caller, address=address)
        except PermissionDenied:
            panel = None
    return TemplateResponse(request, "contacts/_history_panel.html", {"panel": panel})


@login_required
@permission_required(TAKE, raise_exception=True)
@require_POST
def discard_draft(request: HttpRequest) -> HttpResponseRedirect:
    services.discard_contact_draft(handler=request.user, form_token=request.POST.get("form_token", ""))
    return HttpResponseRedirect(reverse("contacts:queue"))


def contact_or_404(reference: str) -> Contact:
    contact = Contact.objects.select_related("incident_type", "address", "caller", "handled_by").filter(
        reference=reference.upper()
    ).first()
    if contact is None:
        raise Http404("No such contact")
    return contact


@login_required
@permission_required(TAKE, raise_exception=True)
@require_GET
def contact_detail(request: HttpRequest, reference: str) -> TemplateResponse:
    contact = contact_or_404(reference)
    return TemplateResponse(request, "contacts/contact_detail.html", contact_context(request, contact))


def _page(request: HttpRequest, contact: Contact, status: int = 200, **forms) -> TemplateResponse:
    context = contact_context(request, contact, **forms)
    context["has_errors"] = any(form.errors for form in forms.values())
    return TemplateResponse(request, "contacts/contact_detail.html", context, status=status)


def _apply_errors(form, exc: ValidationError) -> None:
    for name, messages in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


@login_required
@permission_required(TAKE, raise_exception=True)
@require_POST
def assess_thrive(request: HttpRequest, reference: str):
    contact = contact_or_404(reference)
    form = ThriveForm(request.POST)
    if not form.is_valid():
        return _page(request, contact, status=400, thrive_form=form)
    data = form.cleaned_data
    names = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")
    try:
        services.assess_thrive(
            contact=contact, actor=request.user, answers={n: data[n] for n in names},
            rationales={n: data[f"{n}_rationale"] for n in names}, vulnerability_factors=data["vulnerability_factors"],
        )
    except ValidationError as exc:
        _apply_errors(form, exc)
        return _page(request, contact, status=400, thrive_form=form)
    return HttpResponseRedirect(reverse("contacts:detail", args=[contact.reference]) + "#grading")


@login_required
@permission_required(TAKE, raise_exception=True)
@require_POST
def grade(request: HttpRequest, reference: str):
    contact = contact_or_404(reference)
    form = GradeForm(request.POST)
    if not form.is_valid():
        return _page(request, contact, status=400, grade_form=form)
    try:
        services.grade_contact(
            contact=contact, actor=request.user, grade=form.cleaned_data["grade"], route=form.cleaned_data["route"],
            override_reason=form.cleaned_data["override_reason"],
        )
    except ValidationError as exc:
        _apply_errors(form, exc)
        return _page(request, contact, status=400, grade_form=form)
    return HttpResponseRedirect(reverse("contacts:detail", args=[contact.reference]) + "#outcome")


@login_required
@permission_required(TAKE, raise_exception=True)
@require_POST
def record_outcome(request: HttpRequest, reference: str):
    contact = contact_or_404(reference)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return _page(request, contact, status=400, outcome_form=form)
    try:
        services.record_outcome(contact=contact, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _apply_errors(form, exc)
        return _page(request, contact, status=400, outcome_form=form)
    return HttpResponseRedirect(reverse("contacts:detail", args=[contact.reference]) + "#outcome")


DEFAULT_CHECKLIST = "dash-police-27"


def _checklist(code: str) -> RiskChecklist:
    checklist = RiskChecklist.objects.filter(code=code or DEFAULT_CHECKLIST, active=True).order_by("-version").first()
    if checklist is None:
        raise Http404("No such checklist")
    return checklist


def _victims(contact: Contact) -> list:
    """The people a DASH can be about: victims first, then the caller."""
    links = contact.people.select_related("person").filter(role__in=[PersonRole.VICTIM, PersonRole.CALLER])
    seen, victims = set(), []
    for link in sorted(links, key=lambda link: link.role != PersonRole.VICTIM):
        if link.person_id not in seen:
            seen.add(link.person_id)
            victims.append(link.person)
    return victims


@login_required
@permission_required(TAKE, raise_exception=True)
@require_POST
def assess_dash(request: HttpRequest, reference: str):
    contact = contact_or_404(reference)
    checklist = _checklist(request.POST.get("checklist", ""))
    victims = _victims(contact)
    form = DashForm(request.POST, checklist=checklist, victims=victims)
    if not form.is_valid():
        return _page(request, contact, status=400, dash_form=form)
    victim = next(p for p in victims if str(p.pk) == form.cleaned_data["victim"])
    try:
        services.assess_dash(
            contact=contact, actor=request.user, victim=victim, checklist=checklist, answers=form.answers(),
            judgement_level=form.cleaned_data["judgement_level"], judgement_reason=form.cleaned_data["judgement_reason"],
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            target = f"q_{name}" if f"q_{name}" in form.fields else name
            form.add_error(target if target in form.fields else None, messages)
        return _page(request, contact, status=400, dash_form=form)
    return HttpResponseRedirect(reverse("contacts:detail", args=[contact.reference]) + "#dash")


@login_required
@permission_required(TAKE, raise_exception=True)
@require_GET
def resolution(request: HttpRequest) -> TemplateResponse:
    """The share of 101 contacts resolved at first contact: today, the last 7 days and the last 30 days."""
    now = timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    periods = [
        ("Today", selectors.first_contact_resolution(since=start_of_today, until=now)),
        ("Last 7 days", selectors.first_contact_resolution(since=now - timedelta(days=7), until=now)),
        ("Last 30 days", selectors.first_contact_resolution(since=now - timedelta(days=30), until=now)),
    ]
    return TemplateResponse(request, "contacts/resolution.html", {"periods": periods})


@login_required
@require_GET
def overrides(request: HttpRequest) -> TemplateResponse:
    """Every grade or route chosen against the suggestion, newest first, with the reason given."""
    if not (request.user.has_perm(TAKE) or request.user.has_perm("accounts.audit_contact_quality")):
        raise PermissionDenied
    decisions = (
        GradeDecision.objects.filter(overridden=True).select_related("contact", "decided_by")
        .order_by("-decided_at")[:200]
    )
    return TemplateResponse(request, "contacts/overrides.html", {"decisions": decisions})


def contact_context(request: HttpRequest, contact: Contact, **forms) -> dict:
    """What the contact page shows: the record, the people in it, THRIVE, grading and the history beside it."""
    thrive_history = list(contact.thrive_assessments.select_related("assessed_by"))
    latest = thrive_history[0] if thrive_history else None
    suggestion = services.suggest_grade(contact, latest)
    decision = contact.grade_decisions.select_related("decided_by").first()
    thrive_form = forms.get("thrive_form") or ThriveForm(initial=_thrive_initial(latest))
    grade_form = forms.get("grade_form") or GradeForm(initial={
        "grade": decision.grade if decision else suggestion.grade,
        "route": decision.route if decision else suggestion.route,
    })
    advice_query = request.GET.get("advice", "") if request.method == "GET" else ""
    outcome = ContactOutcome.objects.filter(contact=contact).select_related("advice_article", "partner_agency").first()
    outcome_form = forms.get("outcome_form") or OutcomeForm(initial={
        "kind": outcome.kind if outcome else ("advice" if decision and decision.route == "advice" else
                                             "signpost" if decision and decision.route == "signpost" else None),
        "advice_article": outcome.advice_article_id if outcome else None,
        "partner_agency": outcome.partner_agency_id if outcome else None,
    })
    victims = _victims(contact)
    requested = request.GET.get("checklist", "")
    if "dash_form" in forms:
        checklist = forms["dash_form"].checklist
    elif requested:
        checklist = _checklist(requested)
    else:
        # With no active checklist the contact must still open (a call is in hand): DASH is then unavailable.
        checklist = RiskChecklist.objects.filter(code=DEFAULT_CHECKLIST, active=True).order_by("-version").first()
    # The checklist is long: it opens on request, so the keyboard path to grading stays short.
    dash_open = "dash_form" in forms or bool(request.GET.get("checklist") or request.GET.get("dash"))
    dash_form = forms.get("dash_form") or (
        DashForm(checklist=checklist, victims=victims) if victims and dash_open and checklist else None
    )
    dash_assessments = list(contact.dash_assessments.select_related("victim", "checklist").prefetch_related("marac_referrals"))
    panel = None
    if contact.caller_id or contact.address_id:
        panel = selectors.history_panel(
            actor=request.user, reason=default_reason(reference=contact.reference), caller=contact.caller,
            address=contact.address, exclude_contact=contact,
        )
    people = list(contact.people.select_related("person").order_by("role", "person__family_name"))
    appointments = selectors.appointments_for(contact)
    return {
        **_chat_context(request, contact),
        "appointments": appointments, "may_manage_appointments": request.user.has_perm("accounts.manage_appointments"),
        "appointment_possible": bool(appointments) or contact.grade == 3 or contact.route == Route.APPOINTMENT,
        "contact": contact, "panel": panel, "people": people, "thrive_history": thrive_history, "thrive": latest,
        "suggestion": suggestion, "decision": decision,
        "suggestion_route_label": dict(Route.choices).get(suggestion.route, "").lower(),
        "outcome": outcome, "outcome_form": outcome_form, "advice_query": advice_query,
        "dash_form": dash_form, "dash_checklist": checklist, "dash_possible": bool(victims) and checklist is not None, "dash_unavailable": checklist is None, "dash_assessments": dash_assessments,
        "checklists": RiskChecklist.objects.filter(active=True),
        "advice_results": selectors.search_advice(advice_query, incident_type_id=contact.incident_type_id), "thrive_form": thrive_form, "grade_form": grade_form,
    }


def _chat_context(request: HttpRequest, contact: Contact) -> dict:
    """The live chat a chat contact came from; its transcript only when asked for, since each opening is logged."""
    if contact.channel != Channel.CHAT:
        return {}
    from chat import selectors as chat_selectors

    chat = chat_selectors.chat_of_contact(contact)
    messages = None
    if chat is not None and request.method == "GET" and request.GET.get("transcript") == "1":
        chat = chat_selectors.chat_for_contact(actor=request.user, contact=contact,
                                               reason=default_reason(reference=contact.reference))
        messages = chat_selectors.transcript_messages(chat)
    return {"chat": chat, "chat_messages": messages, "chat_contact": True}


def _thrive_initial(latest) -> dict:
    """A re-assessment starts from the last answers, so only what changed needs typing."""
    if latest is None:
        return {}
    names = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")
    initial = {n: getattr(latest, n) for n in names}
    initial.update({f"{n}_rationale": getattr(latest, f"{n}_rationale") for n in names})
    initial["vulnerability_factors"] = latest.vulnerability_factors
    return initial
