"""Appointments as calendar files: the caller's link, a team's feed (signed in or by its secret address), staff downloads.

Every file is parsed back with icalendar: the tests read what a calendar program would.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Team
from accounts.tests.factories import TeamFactory
from audit.models import AuditEntry
from contacts import calendar
from contacts.models import AppointmentPattern, AppointmentSlot, IncidentType, TeamCalendarFeed
from contacts.services import (
    book_appointment,
    cancel_appointment,
    generate_appointment_slots,
    issue_team_calendar_feed,
    move_appointment,
    record_contact,
)
from notifications.models import Message
from notifications.services import text_as_sent
from people.services import record_address, record_person

LONDON = ZoneInfo("Europe/London")
PHONE = "07700 900123"
LINK = re.compile(r"https?://\S+/appointment/(\S+)/calendar\.ics")


def _team(name: str) -> Team:
    team = TeamFactory(name=name, kind=Team.Kind.LOCAL_POLICING)
    AppointmentPattern.objects.create(team=team, name="Every day", weekdays=[0, 1, 2, 3, 4, 5, 6], starts=time(9),
                                      ends=time(11), slot_minutes=30, capacity=1, place=f"{name} police station",
                                      skip_bank_holidays=False)
    return team


@pytest.fixture
def team(db):
    team = _team("Stafford LPT")
    generate_appointment_slots(first_day=timezone.localdate() + timedelta(days=1), days=3, team=team)
    # Friday 26 March 2027 is GMT; British Summer Time starts on Sunday 28 March.
    generate_appointment_slots(first_day=date(2027, 3, 26), days=4, team=team)
    return team


def _graded_3(actor, *, phone=PHONE, street="Wolverhampton Road"):
    caller = record_person(actor=actor, given_name="Ada", family_name="Lovelace", phone_e164=phone,
                           reason="Taking a new contact")
    address = record_address(number_or_name="14", street=street, postcode="ST17 4AW", town="Stafford")
    contact = record_contact(actor=actor, channel="101", incident_type=IncidentType.objects.get(code="shoplifting"),
                             received_at=timezone.now() - timedelta(minutes=5), caller=caller, address=address)
    contact.grade, contact.route = 3, "appointment"
    contact.save(update_fields=["grade", "route"])
    return contact


def _slot(team, day: date, hour: int) -> AppointmentSlot:
    return AppointmentSlot.objects.get(team=team, starts_at=datetime.combine(day, time(hour)).replace(tzinfo=LONDON))


def _soon(team, n=0) -> AppointmentSlot:
    return AppointmentSlot.objects.filter(team=team, starts_at__gt=timezone.now()).order_by("starts_at")[n]


def _link(message: Message) -> str:
    # The outbox keeps a mask in the link's place; the recipient's text carries it.
    match = LINK.search(text_as_sent(message)[1])
    assert match and not LINK.search(message.body), message.body
    return reverse("contacts-public:appointment-calendar", args=[match.group(1)])


def _parse(response) -> tuple[Calendar, list]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    return parsed, list(parsed.walk("VEVENT"))


# --- The pure builder ---------------------------------------------------------------------------------


def test_a_naive_time_is_refused_rather_than_guessed():
    event = calendar.AppointmentEvent(uid="u", sequence=0, starts_at=datetime(2027, 3, 29, 10),  # noqa: DTZ001
                                      ends_at=datetime(2027, 3, 29, 10, 30, tzinfo=LONDON), summary="s", location="",
                                      description="", changed_at=timezone.now())
    with pytest.raises(ValueError, match="starts_at of u has no time zone"):
        calendar.build_calendar([event], name="n", zone="Europe/London", organiser=calendar.Organiser("F", "f@x"))


# --- The caller's link ---------------------------------------------------------------------------------


def test_the_confirmation_links_to_the_appointment_in_london_time(client, team, call_handler):
    """The caller's text holds a link that downloads the appointment at the time agreed, in winter (GMT)."""
    contact = _graded_3(call_handler)
    book_appointment(contact=contact, slot=_slot(team, date(2027, 3, 26), 10), actor=call_handler, notify_by="sms")
    message = Message.objects.get(template="appointment_booked")
    parsed, events = _parse(client.get(_link(message)))
    assert str(parsed["METHOD"]) == "PUBLISH"
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/London"]
    (event,) = events
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime(2027, 3, 26, 10, tzinfo=LONDON) and start.utcoffset() == timedelta(0)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert end - start == timedelta(minutes=30)
    assert (event["SEQUENCE"], str(event["STATUS"])) == (0, "CONFIRMED")
    assert contact.reference in str(event["SUMMARY"]) and str(event["LOCATION"]) == "Stafford LPT police station"
    assert "7700" not in client.get(_link(message)).content.decode()  # the caller's own number is not in the file


def test_a_move_across_the_clock_change_keeps_the_uid_and_raises_the_sequence(client, team, call_handler):
    """Moved from a GMT Friday to a BST Monday, every link the caller holds shows 10:00 BST, as one event updated."""
    contact = _graded_3(call_handler)
    first = book_appointment(contact=contact, slot=_slot(team, date(2027, 3, 26), 10), actor=call_handler,
                             notify_by="sms")
    booked_link = _link(Message.objects.get(reference=f"appointment-{first.pk}-booked"))
    uid = _parse(client.get(booked_link))[1][0]["UID"]
    moved = move_appointment(appointment=first, slot=_slot(team, date(2027, 3, 29), 10), actor=call_handler,
                             reason="Caller at work on Friday")
    moved_link = _link(Message.objects.get(reference=f"appointment-{moved.pk}-booked"))
    for link in (booked_link, moved_link):
        (event,) = _parse(client.get(link))[1]
        start = event.decoded("DTSTART")
        assert start == datetime(2027, 3, 29, 10, tzinfo=LONDON)
        assert start.utcoffset() == timedelta(hours=1) and start.astimezone(ZoneInfo("UTC")).hour == 9
        assert (event["UID"], event["SEQUENCE"]) == (uid, 1)


def test_a_cancellation_removes_the_event_from_the_callers_calendar(client, team, call_handler):
    contact = _graded_3(call_handler)
    first = book_appointment(contact=contact, slot=_slot(team, date(2027, 3, 26), 10), actor=call_handler,
                             notify_by="sms")
    uid = _parse(client.get(_link(Message.objects.get(template="appointment_booked"))))[1][0]["UID"]
    moved = move_appointment(appointment=first, slot=_slot(team, date(2027, 3, 29), 9), actor=call_handler,
                             reason="Earlier suits")
    cancel_appointment(appointment=moved, actor=call_handler, reason="Resolved by phone")
    parsed, (event,) = _parse(client.get(_link(Message.objects.get(template="appointment_cancelled"))))
    assert str(parsed["METHOD"]) == "CANCEL"
    assert (str(event["STATUS"]), event["UID"], event["SEQUENCE"]) == ("CANCELLED", uid, 2)
    assert event.decoded("DTSTART") == datetime(2027, 3, 29, 9, tzinfo=LONDON)
    assert str(event["ORGANIZER"]).startswith("mailto:")


def test_a_download_by_the_caller_is_logged_and_an_unknown_link_opens_nothing(client, team, call_handler):
    contact = _graded_3(call_handler)
    appointment = book_appointment(contact=contact, slot=_soon(team), actor=call_handler, notify_by="sms")
    link = _link(Message.objects.get())
    client.get(link)
    entry = AuditEntry.objects.filter(subject_type="contacts.appointment", action="consultation").get()
    assert (entry.subject_id, entry.person_id) == (str(appointment.pk), str(contact.caller_id))
    assert entry.actor_id is None and "caller" in entry.actor_label and entry.reason
    assert client.get(link.replace("/appointment/", "/appointment/x")).status_code == 404
    assert client.get(reverse("contacts-public:appointment-calendar", args=["nothing"])).status_code == 404


# --- A team's feed ---------------------------------------------------------------------------------------


@pytest.fixture
def handler_client(client, call_handler):
    client.force_login(call_handler)
    return client


def _feed(team) -> str:
    return reverse("contacts:team-calendar", args=[team.pk])


def test_the_team_feed_holds_its_booked_appointments_and_no_more_personal_data_than_needed(
    handler_client, team, call_handler,
):
    kept = book_appointment(contact=_graded_3(call_handler), slot=_soon(team, 0), actor=call_handler, notify_by="none")
    gone = book_appointment(contact=_graded_3(call_handler, street="Lichfield Road"), slot=_soon(team, 1),
                            actor=call_handler, notify_by="none")
    cancel_appointment(appointment=gone, actor=call_handler, reason="Not needed")
    elsewhere = _team("Cannock LPT")
    generate_appointment_slots(first_day=timezone.localdate() + timedelta(days=1), days=1, team=elsewhere)
    book_appointment(contact=_graded_3(call_handler), slot=_soon(elsewhere), actor=call_handler, notify_by="none")
    far = book_appointment(contact=_graded_3(call_handler), slot=_slot(team, date(2027, 3, 26), 9),
                           actor=call_handler, notify_by="none")

    response = handler_client.get(_feed(team))
    parsed, events = _parse(response)
    assert str(parsed["X-WR-CALNAME"]) == "Appointments: Stafford LPT" and str(parsed["METHOD"]) == "PUBLISH"
    assert [str(e["SUMMARY"]) for e in events] == [f"Appointment {kept.contact.reference}"]
    assert str(events[0]["UID"]).startswith(f"appointment-{kept.pk}@")
    assert events[0].decoded("DTSTART") == kept.slot.starts_at
    text = response.content.decode()
    assert "Wolverhampton Road, ST17 4AW" in str(events[0]["DESCRIPTION"])
    for personal in ("Lovelace", "Ada", "7700", "+44", "14 Wolverhampton"):
        assert personal not in text
    assert far.contact.reference not in text  # beyond the four weeks asked for by default


def test_the_feed_reads_the_same_when_nothing_changed(handler_client, team, call_handler):
    book_appointment(contact=_graded_3(call_handler), slot=_soon(team), actor=call_handler, notify_by="none")
    assert handler_client.get(_feed(team)).content == handler_client.get(_feed(team)).content


def test_every_fetch_of_the_feed_is_logged_as_a_consultation(handler_client, team, call_handler):
    contact = _graded_3(call_handler)
    book_appointment(contact=contact, slot=_soon(team), actor=call_handler, notify_by="none")
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    handler_client.get(_feed(team))
    entries = list(AuditEntry.objects.filter(seq__gt=before))
    assert {(e.action, e.reason, e.actor_id) for e in entries} == {("consultation", "calendar feed", call_handler.pk)}
    assert {e.subject_type for e in entries} == {"accounts.team", "people.person"}
    assert [e.person_id for e in entries if e.subject_type == "people.person"] == [str(contact.caller_id)]


def test_the_weeks_asked_for_are_checked(handler_client, team):
    for bad in ("0", "14", "four", "-1"):
        response = handler_client.get(_feed(team), {"weeks": bad})
        assert response.status_code == 400 and "weeks: give a whole number of weeks from 1 to 13" in response.content.decode()
    assert handler_client.get(_feed(team), {"weeks": "13"}).status_code == 200


def test_the_feed_needs_the_appointment_permission(client, team, make_user):
    assert client.get(_feed(team)).status_code == 302  # to sign in
    client.force_login(make_user("investigator", username="inv1"))
    assert client.get(_feed(team)).status_code == 403
    assert client.post(reverse("contacts:team-calendar-subscription"), {"team": team.pk, "action": "issue"}).status_code == 403
    assert not TeamCalendarFeed.objects.exists()


def test_a_team_without_appointments_has_no_feed(handler_client, db):
    other = TeamFactory(name="Force control room", kind=Team.Kind.LOCAL_POLICING)
    assert handler_client.get(_feed(other)).status_code == 404


# --- The secret subscription address --------------------------------------------------------------------


def _make_address(handler_client, team) -> str:
    page = handler_client.get(reverse("contacts:appointments"), {"team": team.pk}).content.decode()
    form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    response = handler_client.post(reverse("contacts:team-calendar-subscription"),
                                   {"team": team.pk, "action": "issue", "form_token": form_token})
    assert response.status_code == 302 and response["Location"].endswith("#calendar")
    page = handler_client.get(response["Location"]).content.decode()
    return re.search(r'data-testid="calendar-address">(http[^<]+)<', page).group(1), form_token


def test_a_subscription_address_is_shown_once_stored_as_a_hash_and_works_without_signing_in(
    handler_client, client, team, call_handler,
):
    book_appointment(contact=_graded_3(call_handler), slot=_soon(team), actor=call_handler, notify_by="none")
    url, form_token = _make_address(handler_client, team)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = TeamCalendarFeed.objects.get()
    assert token not in feed.token_hash and len(feed.token_hash) == 64 and feed.created_by == call_handler
    again = handler_client.get(reverse("contacts:appointments"), {"team": team.pk}).content.decode()
    assert token not in again and "A subscription address is live" in again
    # The same form sent twice makes no second address.
    handler_client.post(reverse("contacts:team-calendar-subscription"),
                        {"team": team.pk, "action": "issue", "form_token": form_token})
    assert TeamCalendarFeed.objects.count() == 1

    client.logout()
    path = url.split("testserver", 1)[1]
    parsed, events = _parse(client.get(path))
    assert len(events) == 1 and parsed.get("REFRESH-INTERVAL") is not None
    entry = AuditEntry.objects.filter(subject_type="accounts.team").latest("seq")
    assert (entry.actor_id, entry.reason) == (None, "calendar feed") and "Stafford LPT" in entry.actor_label


def test_replacing_the_address_stops_the_old_one_and_stopping_stops_both(handler_client, client, team):
    old_url, _ = _make_address(handler_client, team)
    new_url, _ = _make_address(handler_client, team)
    old, new = (u.split("testserver", 1)[1] for u in (old_url, new_url))
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    assert TeamCalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1
    handler_client.post(reverse("contacts:team-calendar-subscription"), {"team": team.pk, "action": "revoke"})
    assert client.get(new).status_code == 404
    page = handler_client.get(reverse("contacts:appointments"), {"team": team.pk}).content.decode()
    assert "There is no subscription address" in page


def test_issuing_directly_replaces_the_live_address(team, call_handler):
    first, first_token = issue_team_calendar_feed(team=team, actor=call_handler)
    second, second_token = issue_team_calendar_feed(team=team, actor=call_handler)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None and first_token != second_token


# --- Staff download from the contact page ------------------------------------------------------------------


def test_the_contact_page_offers_the_appointment_as_a_calendar_file(handler_client, team, call_handler):
    contact = _graded_3(call_handler)
    appointment = book_appointment(contact=contact, slot=_soon(team), actor=call_handler, notify_by="none")
    page = handler_client.get(reverse("contacts:detail", args=[contact.reference])).content.decode()
    url = reverse("contacts:appointment-calendar", args=[appointment.pk])
    assert f'href="{url}"' in page
    before = AuditEntry.objects.filter(subject_type="contacts.appointment", action="consultation").count()
    parsed, (event,) = _parse(handler_client.get(url))
    assert str(event["UID"]).startswith(f"appointment-{appointment.pk}@") and str(parsed["METHOD"]) == "PUBLISH"
    assert "attachment" in handler_client.get(url)["Content-Disposition"]
    logged = AuditEntry.objects.filter(subject_type="contacts.appointment", action="consultation")
    assert logged.count() == before + 2
    assert {(e.actor_id, e.reason) for e in logged} == {(call_handler.pk, "calendar file")}


def test_the_staff_download_needs_the_appointment_permission(client, team, call_handler, make_user):
    appointment = book_appointment(contact=_graded_3(call_handler), slot=_soon(team), actor=call_handler,
                                   notify_by="none")
    client.force_login(make_user("investigator", username="inv2"))
    assert client.get(reverse("contacts:appointment-calendar", args=[appointment.pk])).status_code == 403
