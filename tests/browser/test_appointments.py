"""Scheduled appointments in a real browser: from a grade 3 contact, book a free time, move it, see the team's day."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Team
from accounts.tests.factories import TeamFactory
from contacts.models import Appointment, AppointmentPattern, AppointmentSlot, AppointmentStatus, IncidentType
from contacts.services import generate_appointment_slots, record_contact
from people.services import record_person
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_handler_books_moves_and_sees_the_appointment_on_the_team_day(page, live_server, make_user, password,
                                                                        reference_data):
    """I should offer the caller free times, book the one they agree, move it when asked, and see it on the day list."""
    team = TeamFactory(name="Lichfield LPT", kind=Team.Kind.LOCAL_POLICING)
    AppointmentPattern.objects.create(team=team, name="Every day", weekdays=list(range(7)), starts=time(10),
                                      ends=time(12), place="Lichfield police station", skip_bank_holidays=False)
    generate_appointment_slots(first_day=timezone.localdate() + timedelta(days=1), days=2)
    handler = make_user("call-handler", username="handler-appt")
    caller = record_person(actor=handler, given_name="Mary", family_name="Seacole", phone_e164="07700 900456",
                           reason="Taking a new contact")
    contact = record_contact(actor=handler, channel="101", incident_type=IncidentType.objects.get(code="shoplifting"),
                             received_at=timezone.now() - timedelta(minutes=3), location_text="Market Street",
                             caller=caller)
    contact.grade, contact.route = 3, "appointment"
    contact.save()
    first, second = AppointmentSlot.objects.order_by("starts_at")[:2]

    sign_in(page, live_server.url, handler.username, password)
    page.goto(f"{live_server.url}/staff/contacts/{contact.reference}/")
    page.get_by_role("link", name="Book an appointment").click()
    expect(page).to_have_title(f"Book an appointment for {contact.reference} – FirstContact")
    assert_accessible(page)
    # Submitting without a time keeps the notes typed and names the field.
    page.get_by_label("Notes for the officer").fill("Bring the CCTV")
    page.get_by_role("button", name="Book the appointment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the time agreed with the caller")
    expect(page.get_by_label("Notes for the officer")).to_have_value("Bring the CCTV")
    assert_accessible(page)
    page.get_by_label(timezone.localtime(first.starts_at).strftime("%a %d %b %H:%M"), exact=False).check()
    page.get_by_role("button", name="Book the appointment").click()
    expect(page.get_by_test_id("appointment")).to_contain_text("Lichfield police station")
    assert_accessible(page)

    page.get_by_role("link", name="Move the appointment").click()
    page.get_by_label(timezone.localtime(second.starts_at).strftime("%a %d %b %H:%M"), exact=False).check()
    page.get_by_label("Reason for moving it").fill("Caller works that morning")
    assert_accessible(page)
    page.get_by_role("button", name="Move the appointment").click()
    expect(page.get_by_test_id("appointment-history")).to_contain_text("Caller works that morning")
    booked = Appointment.objects.get(status=AppointmentStatus.BOOKED)
    assert booked.slot == second and booked.notes == "Bring the CCTV"

    page.goto(f"{live_server.url}/staff/contacts/")
    page.get_by_role("link", name="Appointments: a team's day").click()
    day = timezone.localtime(second.starts_at).date()
    page.get_by_label("Team").select_option(label="Lichfield LPT")
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_role("button", name="Show the day").click()
    expect(page.get_by_test_id("day-list")).to_contain_text("Mary Seacole")
    assert_accessible(page)


def test_calendar_links_on_the_contact_and_the_teams_appointments_page(page, mobile_page, live_server, make_user,
                                                                       password, reference_data):
    """I should add an appointment to my calendar from the contact, and give my team a calendar address to subscribe to."""
    from icalendar import Calendar

    from contacts.services import book_appointment

    team = TeamFactory(name="Rugeley LPT", kind=Team.Kind.LOCAL_POLICING)
    AppointmentPattern.objects.create(team=team, name="Every day", weekdays=list(range(7)), starts=time(10),
                                      ends=time(12), place="Rugeley police station", skip_bank_holidays=False)
    generate_appointment_slots(first_day=timezone.localdate() + timedelta(days=1), days=2)
    handler = make_user("call-handler", username="handler-cal")
    contact = record_contact(actor=handler, channel="101", incident_type=IncidentType.objects.get(code="shoplifting"),
                             received_at=timezone.now() - timedelta(minutes=3), location_text="Market Street")
    contact.grade, contact.route = 3, "appointment"
    contact.save()
    slot = AppointmentSlot.objects.order_by("starts_at").first()
    book_appointment(contact=contact, slot=slot, actor=handler, notify_by="none")

    sign_in(page, live_server.url, handler.username, password)
    page.goto(f"{live_server.url}/staff/contacts/{contact.reference}/")
    link = page.get_by_role("link", name="Add the appointment to a calendar (.ics file)")
    with page.expect_download() as download:
        link.focus()
        page.keyboard.press("Enter")
    (event,) = Calendar.from_ical(open(download.value.path(), "rb").read()).walk("VEVENT")
    assert event.decoded("DTSTART") == slot.starts_at and contact.reference in str(event["SUMMARY"])
    assert_accessible(page)

    page.goto(f"{live_server.url}/staff/contacts/appointments/?team={team.pk}")
    calendar = page.get_by_test_id("calendar")
    expect(calendar.get_by_test_id("calendar-feed-status")).to_contain_text("There is no subscription address")
    with page.expect_download() as download:
        calendar.get_by_role("link", name="Download the next 4 weeks of Rugeley LPT (calendar file, .ics)").click()
    assert len(Calendar.from_ical(open(download.value.path(), "rb").read()).walk("VEVENT")) == 1
    assert_accessible(page)

    calendar.get_by_role("button", name="Make a subscription address").click()
    address = page.get_by_test_id("calendar-address").inner_text()
    expect(page.get_by_test_id("calendar-new")).to_contain_text("shown only once")
    assert_accessible(page)
    # A calendar program fetches the address with no session at all.
    fresh = page.context.browser.new_context()
    response = fresh.request.get(address)
    assert response.status == 200 and contact.reference in response.text()

    page.get_by_role("button", name="Replace the address").click()
    replaced = page.get_by_test_id("calendar-address").inner_text()
    assert replaced != address and fresh.request.get(address).status == 404
    page.reload()
    expect(page.get_by_test_id("calendar-address")).to_have_count(0)
    page.get_by_role("button", name="Stop the address").click()
    expect(page.get_by_test_id("calendar-revoked")).to_be_visible()
    assert fresh.request.get(replaced).status == 404
    assert_accessible(page)
    fresh.close()

    # On a phone, the one-time address wraps within the screen, to be read and copied whole.
    sign_in(mobile_page, live_server.url, handler.username, password)
    mobile_page.goto(f"{live_server.url}/staff/contacts/appointments/?team={team.pk}")
    mobile_page.get_by_role("button", name="Make a subscription address").click()
    shown = mobile_page.get_by_test_id("calendar-address")
    expect(shown).to_be_visible()
    assert shown.evaluate("e => e.getBoundingClientRect().right <= document.documentElement.clientWidth")
    assert_accessible(mobile_page)
