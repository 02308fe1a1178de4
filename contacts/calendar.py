"""iCalendar files for scheduled appointments: a team's feed and one appointment's file.

Plain values in, bytes out; no Django here, so the rules below are tested without a
database. The text itself is written by the ``icalendar`` library (RFC 5545 folding,
escaping and the VTIMEZONE block), never by hand.

RFC 5546 (iTIP) gives the rules a calendar program follows when it imports a file:
an event is known by its UID; a higher SEQUENCE replaces what it holds; a file whose
METHOD is CANCEL, with STATUS:CANCELLED, removes the event. Times are written in the
force's zone with its VTIMEZONE, so an appointment agreed for 10:00 stays at 10:00 in
a program set to another zone's rules around a clock change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vDuration

PRODUCT = "-//FirstContact//Appointments//EN"
PUBLISH = "PUBLISH"
CANCEL = "CANCEL"
# How often a subscribed calendar program should fetch the feed again (RFC 7986 REFRESH-INTERVAL).
FEED_REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class AppointmentEvent:
    """One appointment as a calendar shows it."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str
    description: str
    changed_at: datetime
    cancelled: bool = False
    url: str = ""


@dataclass(frozen=True)
class Organiser:
    """Who sends the appointments: the force, at an address that takes no replies."""

    name: str
    email: str


def _event(item: AppointmentEvent, *, zone: ZoneInfo, organiser: Organiser) -> Event:
    for name, value in (("starts_at", item.starts_at), ("ends_at", item.ends_at), ("changed_at", item.changed_at)):
        if value.tzinfo is None:
            raise ValueError(f"{name} of {item.uid} has no time zone; appointments are stored in UTC.")
    event = Event()
    event.add("uid", item.uid)
    # DTSTAMP and LAST-MODIFIED are the last change, not the time of the fetch: a feed polled
    # twice with nothing changed is the same text, and programs see no spurious update.
    event.add("dtstamp", item.changed_at.astimezone(UTC))
    event.add("last-modified", item.changed_at.astimezone(UTC))
    event.add("sequence", item.sequence)
    event.add("dtstart", item.starts_at.astimezone(zone))
    event.add("dtend", item.ends_at.astimezone(zone))
    event.add("summary", item.summary)
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if item.cancelled else "OPAQUE")
    organiser_address = vCalAddress(f"mailto:{organiser.email}")
    organiser_address.params["cn"] = organiser.name
    event.add("organizer", organiser_address)
    return event


def build_calendar(
    events: Iterable[AppointmentEvent],
    *,
    name: str,
    zone: str,
    organiser: Organiser,
    method: str = PUBLISH,
    refresh: timedelta | None = None,
) -> bytes:
    """The iCalendar text of ``events``, with the VTIMEZONE of every zone it uses.

    ``method`` is PUBLISH for a feed or a booked appointment, CANCEL for a cancelled one
    (RFC 5546 §3.2.5: a CANCEL names the organiser, UID and a higher SEQUENCE).
    """
    if method not in (PUBLISH, CANCEL):
        raise ValueError(f"Unknown iCalendar method {method!r}; accepted: {PUBLISH}, {CANCEL}.")
    tz = ZoneInfo(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone)
    if refresh is not None:
        calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))
    items = list(events)
    for item in items:
        calendar.add_component(_event(item, zone=tz, organiser=organiser))
    if items:
        # The zone's rules for the years the events span (a year either side), not since 1970.
        first = min(item.starts_at for item in items).astimezone(tz).date()
        last = max(item.ends_at for item in items).astimezone(tz).date()
        calendar.add_missing_timezones(first_date=first.replace(year=first.year - 1, month=1, day=1),
                                       last_date=last.replace(year=last.year + 2, month=1, day=1))
    return calendar.to_ical()
