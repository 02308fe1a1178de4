"""Appointment pages: book a grade 3 contact's appointment, move or cancel it, and a team's day list."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms import AppointmentForm, CancelAppointmentForm, DayListForm, MoveAppointmentForm
from .models import Appointment, AppointmentStatus, NotifyBy
from .views import contact_or_404

MANAGE = "accounts.manage_appointments"


def _chosen_team(data, teams):
    wanted = str(data.get("team") or "")
    return next((t for t in teams if str(t.pk) == wanted), teams[0] if teams else None)


def _from_day(form) -> date:
    """The day the free times start from, as typed if it is a real date, else today (the form shows the error)."""
    field = form.fields["from_date"]
    raw = field.widget.value_from_datadict(form.data, form.files, form.add_prefix("from_date")) if form.is_bound else None
    try:
        typed = field.clean(raw)
    except ValidationError:
        typed = None
    return max(typed or timezone.localdate(), timezone.localdate())


def _slot_form(request: HttpRequest, form_class, *, contact, data=None, initial=None):
    teams = selectors.appointment_teams()
    source = data if data is not None else (initial or {})
    team = _chosen_team(source, teams)
    form = form_class(data, initial=initial, teams=teams)
    free = []
    if team is not None:
        start = datetime.combine(_from_day(form), time.min).replace(tzinfo=timezone.get_current_timezone())
        free = selectors.free_slots(team=team, since=start, days=7)
    form = form_class(data, initial=initial, teams=teams, free=free)
    return form, team, free


def _render(request, template, context, status=200):
    return TemplateResponse(request, template, context, status=status)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, reference: str):
    """Offer a team's free times for a graded 3 contact and book the one the caller agrees to."""
    contact = contact_or_404(reference)
    booked = contact.appointments.filter(status=AppointmentStatus.BOOKED).first()
    if booked is not None:
        return HttpResponseRedirect(reverse("contacts:detail", args=[contact.reference]) + "#appointment")
    notify = NotifyBy.SMS if contact.caller and contact.caller.phone_e164 else (
        NotifyBy.EMAIL if contact.caller and contact.caller.email else NotifyBy.NONE)
    if request.method == "GET":
        form, team, free = _slot_form(request, AppointmentForm, contact=contact, initial={
            "form_token": secrets.token_urlsafe(24), "team": request.GET.get("team", ""), "notify_by": notify,
        })
        return _render(request, "contacts/appointment_book.html", {"contact": contact, "form": form, "team": team,
                                                                   "free": free})
    form, team, free = _slot_form(request, AppointmentForm, contact=contact, data=request.POST)
    context = {"contact": contact, "form": form, "team": team, "free": free}
    if request.POST.get("action") == "show":
        form.errors.clear()  # showing other times is not a submit: judge nothing yet
        return _render(request, "contacts/appointment_book.html", context)
    if not form.is_valid():
        context["has_errors"] = True
        return _render(request, "contacts/appointment_book.html", context, status=400)
    try:
        services.book_appointment(
            contact=contact, slot=int(form.cleaned_data["slot"]), actor=request.user,
            notify_by=form.cleaned_data["notify_by"], notes=form.cleaned_data["notes"],
            form_token=form.cleaned_data["form_token"],
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
        context["has_errors"] = True
        # The time may have gone to someone else: offer what is free now.
        _, _, context["free"] = _slot_form(request, AppointmentForm, contact=contact, data=request.POST)
        return _render(request, "contacts/appointment_book.html", context, status=400)
    return HttpResponseRedirect(reverse("contacts:detail", args=[contact.reference]) + "#appointment")


def _appointment_or_404(pk: int) -> Appointment:
    appointment = Appointment.objects.select_related("contact__caller", "slot__team").filter(pk=pk).first()
    if appointment is None:
        raise Http404("No such appointment")
    return appointment


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, pk: int):
    """Move a booked appointment to another free time, with the reason."""
    appointment = _appointment_or_404(pk)
    contact = appointment.contact
    if appointment.status != AppointmentStatus.BOOKED:
        return HttpResponseRedirect(reverse("contacts:detail", args=[contact.reference]) + "#appointment")
    if request.method == "GET":
        form, team, free = _slot_form(request, MoveAppointmentForm, contact=contact, initial={
            "team": request.GET.get("team") or appointment.slot.team_id, "notify_by": appointment.notify_by,
        })
        return _render(request, "contacts/appointment_move.html",
                       {"contact": contact, "appointment": appointment, "form": form, "team": team, "free": free})
    form, team, free = _slot_form(request, MoveAppointmentForm, contact=contact, data=request.POST)
    context = {"contact": contact, "appointment": appointment, "form": form, "team": team, "free": free}
    if request.POST.get("action") == "show":
        form.errors.clear()
        return _render(request, "contacts/appointment_move.html", context)
    if not form.is_valid():
        context["has_errors"] = True
        return _render(request, "contacts/appointment_move.html", context, status=400)
    try:
        services.move_appointment(appointment=appointment, slot=int(form.cleaned_data["slot"]), actor=request.user,
                                  reason=form.cleaned_data["reason"], notify_by=form.cleaned_data["notify_by"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
        context["has_errors"] = True
        return _render(request, "contacts/appointment_move.html", context, status=400)
    return HttpResponseRedirect(reverse("contacts:detail", args=[contact.reference]) + "#appointment")


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, pk: int):
    """Cancel a booked appointment, with the reason; the caller is told."""
    appointment = _appointment_or_404(pk)
    contact = appointment.contact
    form = CancelAppointmentForm(request.POST or None)
    context = {"contact": contact, "appointment": appointment, "form": form}
    if request.method == "GET":
        return _render(request, "contacts/appointment_cancel.html", context)
    if not form.is_valid():
        context["has_errors"] = True
        return _render(request, "contacts/appointment_cancel.html", context, status=400)
    services.cancel_appointment(appointment=appointment, actor=request.user, reason=form.cleaned_data["reason"])
    return HttpResponseRedirect(reverse("contacts:detail", args=[contact.reference]) + "#appointment")


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_http_methods(["GET"])
def day_list(request: HttpRequest):
    """A team's booked appointments on one day, earliest first (every caller shown is logged)."""
    teams = selectors.appointment_teams()
    bound = "team" in request.GET
    form = DayListForm(request.GET if bound else None, teams=teams,
                       initial={"team": teams[0].pk if teams else ""})
    team, day, rows = None, timezone.localdate(), []
    if bound and form.is_valid():
        team = _chosen_team(form.cleaned_data, teams)
        day = form.cleaned_data["day"] or day
    elif not bound and teams:
        team = teams[0]
    if team is not None:
        rows = selectors.team_day_list(actor=request.user, team=team, day=day)
    from .calendar_views import subscription_context

    return _render(request, "contacts/appointment_day.html",
                   {"form": form, "team": team, "day": day, "rows": rows, "has_errors": bound and bool(form.errors),
                    **subscription_context(request, team)},
                   status=400 if bound and form.errors else 200)
