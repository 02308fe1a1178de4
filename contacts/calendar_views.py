"""Appointments as calendar files: a team's feed (signed in, or by its secret address) and one appointment's file.

What goes into an event is decided here, once for staff and once for the caller; the
iCalendar text is written by ``contacts.calendar``. A feed polled by a calendar program
leaves this force's systems, so it carries the least an officer needs to keep the
appointment (docs/first-contact.md, "Calendar export"): the contact reference, the time,
where, and the street and postcode the contact is about. No caller's name or phone number.
"""

from __future__ import annotations

import secrets
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from . import calendar, selectors, services
from .models import AppointmentStatus

MANAGE = "accounts.manage_appointments"
SESSION_NEW_FEED = "contacts.new_calendar_feed"
NOT_FOUND = "No calendar at this address."


def calendar_uid(series: int) -> str:
    """The event's UID: the first booking's id at this service's host, the same through every move."""
    host = urlsplit(settings.PUBLIC_BASE_URL).hostname or "firstcontact"
    return f"appointment-{series}@{host}"


def _organiser() -> calendar.Organiser:
    name, email = parseaddr(settings.NOTIFICATIONS_FROM_EMAIL)
    return calendar.Organiser(name=name or settings.FORCE_NAME, email=email or "no-reply@localhost")


def _street_and_postcode(contact) -> str:
    address = contact.address
    if address is None:
        return ""
    return ", ".join(part for part in (address.street, address.postcode) if part)


def _changed_at(appointment):
    return appointment.ended_at or appointment.booked_at


def staff_event(entry: selectors.CalendarEntry, *, contact_url: str) -> calendar.AppointmentEvent:
    """An appointment as the officer keeping it sees it: reference, time, place, street and postcode."""
    appointment = entry.appointment
    contact, slot = appointment.contact, appointment.slot
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    lines = [f"Contact {contact.reference}, with {slot.team.name}."]
    street = _street_and_postcode(contact)
    if street:
        lines.append(f"About: {street}.")
    lines.append(f"The caller's details are on the contact's page (signed in; your viewing is logged): {contact_url}")
    return calendar.AppointmentEvent(
        uid=calendar_uid(entry.series), sequence=entry.sequence, starts_at=slot.starts_at, ends_at=slot.ends_at,
        summary=("Cancelled: " if cancelled else "") + f"Appointment {contact.reference}", location=slot.place,
        description="\n".join(lines), changed_at=_changed_at(appointment), cancelled=cancelled, url=contact_url,
    )


def caller_event(entry: selectors.CalendarEntry) -> calendar.AppointmentEvent:
    """An appointment as the caller keeps it: when, where, with whom, and how to change it."""
    appointment = entry.appointment
    contact, slot = appointment.contact, appointment.slot
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    description = (
        f"Your appointment with {slot.team.name} about {contact.reference}"
        + (" is cancelled. To agree another time" if cancelled else ". If you need to change it")
        + f", call 101 and give the reference {contact.reference}. If you are in danger, call 999."
    )
    return calendar.AppointmentEvent(
        uid=calendar_uid(entry.series), sequence=entry.sequence, starts_at=slot.starts_at, ends_at=slot.ends_at,
        summary=("Cancelled: " if cancelled else "") + f"Police appointment ({contact.reference})",
        location=slot.place, description=description, changed_at=_changed_at(appointment), cancelled=cancelled,
    )


def _ics(body: bytes, *, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'{"attachment" if attachment else "inline"}; filename="{filename}"'
    # Personal data: no shared cache keeps it, and no search engine lists a secret address.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _feed_response(request: HttpRequest, *, team, weeks: int, actor=None, actor_label: str = "",
                   attachment: bool) -> HttpResponse:
    entries = selectors.team_calendar(team=team, weeks=weeks, actor=actor, actor_label=actor_label)
    events = [
        staff_event(e, contact_url=request.build_absolute_uri(
            reverse("contacts:detail", args=[e.appointment.contact.reference]) + "#appointment"))
        for e in entries
    ]
    body = calendar.build_calendar(events, name=f"Appointments: {team.name}", zone=settings.TIME_ZONE,
                                   organiser=_organiser(), refresh=calendar.FEED_REFRESH)
    return _ics(body, filename=f"appointments-{slugify(team.name)}.ics", attachment=attachment)


def _weeks_or_400(request: HttpRequest) -> int | HttpResponse:
    try:
        return selectors.feed_weeks(request.GET.get("weeks"))
    except ValidationError as exc:
        return HttpResponse(exc.message_dict["weeks"][0], status=400, content_type="text/plain; charset=utf-8")


def _team_or_404(team_pk) -> object:
    team = next((t for t in selectors.appointment_teams() if str(t.pk) == str(team_pk)), None)
    if team is None:
        raise Http404("No such team")
    return team


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def team_feed(request: HttpRequest, team: int) -> HttpResponse:
    """A team's booked appointments for the next weeks as a calendar file, for a signed-in member of staff."""
    chosen = _team_or_404(team)
    weeks = _weeks_or_400(request)
    if isinstance(weeks, HttpResponse):
        return weeks
    return _feed_response(request, team=chosen, weeks=weeks, actor=request.user, attachment=True)


@require_GET
def team_feed_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The same feed at the team's secret address, for calendar programs that cannot sign in."""
    feed = selectors.calendar_feed_for_token(token)
    if feed is None:
        # The same answer for an address never made and one revoked: nothing to learn by trying.
        raise Http404(NOT_FOUND)
    weeks = _weeks_or_400(request)
    if isinstance(weeks, HttpResponse):
        return weeks
    return _feed_response(request, team=feed.team, weeks=weeks, actor_label=f"calendar feed {feed.pk} of {feed.team.name}",
                          attachment=False)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_POST
def subscription(request: HttpRequest) -> HttpResponse:
    """Make, replace or stop a team's secret subscription address; the new address is shown once."""
    chosen = _team_or_404(request.POST.get("team", ""))
    action = request.POST.get("action", "")
    back = reverse("contacts:appointments") + f"?team={chosen.pk}#calendar"
    if action == "revoke":
        services.revoke_team_calendar_feed(team=chosen, actor=request.user)
        request.session[SESSION_NEW_FEED] = {"team": chosen.pk, "revoked": True}
        return HttpResponseRedirect(back)
    if action != "issue":
        raise Http404("No such action")
    feed, token = services.issue_team_calendar_feed(team=chosen, actor=request.user,
                                                    form_token=request.POST.get("form_token", ""))
    if token:
        # Kept only until the page shows it once; the database holds the hash alone.
        request.session[SESSION_NEW_FEED] = {
            "team": chosen.pk, "url": request.build_absolute_uri(reverse("contacts:team-calendar-feed", args=[token])),
        }
    return HttpResponseRedirect(back)


def subscription_context(request: HttpRequest, team) -> dict:
    """What the appointments page shows of a team's calendar: its feed, its address, and an address just made."""
    if team is None:
        return {}
    shown = request.session.get(SESSION_NEW_FEED)
    if shown and shown.get("team") == team.pk:
        del request.session[SESSION_NEW_FEED]
    else:
        shown = None
    return {
        "calendar_feed": selectors.live_calendar_feed(team), "calendar_new": shown,
        "calendar_form_token": secrets.token_urlsafe(24), "calendar_weeks": selectors.FEED_WEEKS,
    }


def _appointment_file(entry: selectors.CalendarEntry, event: calendar.AppointmentEvent, *, name: str) -> HttpResponse:
    cancelled = entry.appointment.status == AppointmentStatus.CANCELLED
    body = calendar.build_calendar([event], name=name, zone=settings.TIME_ZONE, organiser=_organiser(),
                                   method=calendar.CANCEL if cancelled else calendar.PUBLISH)
    return _ics(body, filename=f"appointment-{entry.appointment.contact.reference}.ics", attachment=True)


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def appointment_file(request: HttpRequest, pk: int) -> HttpResponse:
    """One appointment's calendar file for staff, from the contact's page (its latest time, or its cancellation)."""
    from .models import Appointment

    appointment = Appointment.objects.filter(pk=pk).first()
    if appointment is None:
        raise Http404("No such appointment")
    entry = selectors.appointment_calendar(appointment=appointment, actor=request.user)
    url = request.build_absolute_uri(reverse("contacts:detail", args=[entry.appointment.contact.reference]))
    return _appointment_file(entry, staff_event(entry, contact_url=url + "#appointment"),
                             name=f"Appointment {entry.appointment.contact.reference}")


@require_GET
def caller_file(request: HttpRequest, token: str) -> HttpResponse:
    """The caller's appointment as a calendar file, from the link in their confirmation or cancellation."""
    appointment = selectors.appointment_for_calendar_link(token)
    if appointment is None:
        raise Http404(NOT_FOUND)
    entry = selectors.appointment_calendar(appointment=appointment, actor_label="the caller, by the link in their message",
                                           reason="calendar file downloaded by the caller")
    return _appointment_file(entry, caller_event(entry), name=f"{settings.FORCE_NAME} appointment")
