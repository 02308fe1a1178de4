"""Scheduled appointments for grade 3 contacts: slots from a team's pattern, book, move, cancel, no double booking."""

from __future__ import annotations

import threading
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team
from accounts.tests.factories import TeamFactory
from audit.models import AuditEntry
from contacts import slots
from contacts.models import Appointment, AppointmentPattern, AppointmentSlot, AppointmentStatus, IncidentType
from contacts.services import (
    book_appointment,
    cancel_appointment,
    generate_appointment_slots,
    move_appointment,
    record_contact,
)
from people.services import record_person

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def team(db):
    team = TeamFactory(name="Stafford LPT", kind=Team.Kind.LOCAL_POLICING)
    AppointmentPattern.objects.create(team=team, name="Weekdays", weekdays=[0, 1, 2, 3, 4, 5, 6], starts=time(9),
                                      ends=time(11), slot_minutes=30, capacity=1, place="Stafford police station",
                                      skip_bank_holidays=False)
    generate_appointment_slots(first_day=timezone.localdate() + timedelta(days=1), days=3)
    return team


def _graded_3(actor, *, phone="07700 900123", email=""):
    caller = record_person(actor=actor, given_name="Ada", family_name="Lovelace", phone_e164=phone, email=email,
                           reason="Taking a new contact")
    contact = record_contact(actor=actor, channel="101", incident_type=IncidentType.objects.get(code="shoplifting"),
                             received_at=timezone.now() - timedelta(minutes=5), location_text="High Street",
                             caller=caller)
    contact.grade, contact.route = 3, "appointment"
    contact.save(update_fields=["grade", "route"])
    return contact


def _first_slot(team):
    return AppointmentSlot.objects.filter(team=team).order_by("starts_at").first()


def test_slots_follow_london_time_across_the_clock_change():
    pattern = slots.Pattern(weekdays=frozenset({6}), starts=time(9), ends=time(10), slot_minutes=30)
    # Sunday 29 March 2026: British Summer Time starts at 01:00 UTC.
    before = list(slots.slot_times(pattern, first_day=date(2026, 3, 22), days=1, zone=LONDON))
    after = list(slots.slot_times(pattern, first_day=date(2026, 3, 29), days=1, zone=LONDON))
    assert [s.hour for s, _ in before] == [9, 9] and [s.hour for s, _ in after] == [8, 8]
    assert [s.astimezone(LONDON).strftime("%H:%M") for s, _ in after] == ["09:00", "09:30"]
    assert all(end - start == timedelta(minutes=30) for start, end in before + after)


def test_a_slot_that_would_run_past_closing_is_not_made_and_closed_days_are_skipped():
    pattern = slots.Pattern(weekdays=frozenset(range(7)), starts=time(9), ends=time(10, 10), slot_minutes=30)
    made = list(slots.slot_times(pattern, first_day=date(2026, 12, 24), days=3, zone=LONDON,
                                 closed_days={date(2026, 12, 25)}))
    assert len(made) == 4  # two on the 24th, none on Christmas Day, two on the 26th


def test_generating_again_adds_nothing_and_bank_holidays_are_skipped(db):
    team = TeamFactory(name="Tamworth LPT", kind=Team.Kind.LOCAL_POLICING)
    AppointmentPattern.objects.create(team=team, name="Weekdays", weekdays=[0, 1, 2, 3, 4], starts=time(9),
                                      ends=time(12), place="Tamworth police station")
    first = generate_appointment_slots(first_day=date(2026, 12, 21), days=14)
    assert generate_appointment_slots(first_day=date(2026, 12, 21), days=14) == 0
    days = {timezone.localtime(s.starts_at).date() for s in AppointmentSlot.objects.filter(team=team)}
    assert first == 6 * len(days)
    assert date(2026, 12, 25) not in days and date(2026, 12, 28) not in days  # Christmas, and Boxing Day's substitute
    assert date(2026, 12, 24) in days


def test_booking_takes_a_seat_queues_the_message_and_is_audited(team, call_handler):
    from notifications.models import Message

    contact = _graded_3(call_handler)
    slot = _first_slot(team)
    appointment = book_appointment(contact=contact, slot=slot, actor=call_handler, notify_by="sms", form_token="t1")
    assert (appointment.slot, appointment.seat, appointment.status) == (slot, 1, AppointmentStatus.BOOKED)
    message = Message.objects.get()
    assert message.to == "+447700900123" and "Stafford police station" in message.body
    assert timezone.localtime(slot.starts_at).strftime("%H:%M") in message.body
    entry = AuditEntry.objects.filter(subject_type="contacts.appointment").get()
    assert entry.person_id == str(contact.caller_id) and entry.actor_id == call_handler.pk
    # The same form submitted again books nothing more.
    assert book_appointment(contact=contact, slot=slot, actor=call_handler, form_token="t1") == appointment
    assert Appointment.objects.count() == 1 and Message.objects.count() == 1


def test_a_full_slot_cannot_be_booked_twice(team, call_handler):
    slot = _first_slot(team)
    book_appointment(contact=_graded_3(call_handler), slot=slot, actor=call_handler, notify_by="none")
    with pytest.raises(ValidationError) as error:
        book_appointment(contact=_graded_3(call_handler), slot=slot, actor=call_handler, notify_by="none")
    assert "just been booked" in error.value.message_dict["slot"][0]
    assert Appointment.objects.count() == 1


def test_the_database_refuses_a_second_booked_seat_even_past_the_lock(team, call_handler):
    from django.db import IntegrityError, transaction

    slot = _first_slot(team)
    first = book_appointment(contact=_graded_3(call_handler), slot=slot, actor=call_handler, notify_by="none")
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(contact=_graded_3(call_handler), slot=slot, seat=first.seat)


def test_only_grade_3_or_appointment_route_can_be_booked_and_one_at_a_time(team, call_handler):
    contact = _graded_3(call_handler)
    contact.grade, contact.route = 4, "advice"
    contact.save()
    with pytest.raises(ValidationError) as error:
        book_appointment(contact=contact, slot=_first_slot(team), actor=call_handler, notify_by="none")
    assert "graded 3" in error.value.message_dict["slot"][0]
    contact = _graded_3(call_handler)
    book_appointment(contact=contact, slot=_first_slot(team), actor=call_handler, notify_by="none")
    later = AppointmentSlot.objects.filter(team=team).order_by("starts_at")[1]
    with pytest.raises(ValidationError) as error:
        book_appointment(contact=contact, slot=later, actor=call_handler, notify_by="none")
    assert "move it" in error.value.message_dict["slot"][0]


def test_a_text_needs_a_phone_number(team, call_handler):
    contact = _graded_3(call_handler, phone="")
    with pytest.raises(ValidationError) as error:
        book_appointment(contact=contact, slot=_first_slot(team), actor=call_handler, notify_by="sms")
    assert "no phone number" in error.value.message_dict["notify_by"][0]


def test_moving_keeps_the_history_frees_the_old_seat_and_tells_the_caller(team, call_handler):
    from notifications.models import Message

    contact = _graded_3(call_handler)
    first, second = AppointmentSlot.objects.filter(team=team).order_by("starts_at")[:2]
    old = book_appointment(contact=contact, slot=first, actor=call_handler, notify_by="sms")
    with pytest.raises(ValidationError) as error:
        move_appointment(appointment=old, slot=second, actor=call_handler, reason="  ")
    assert "reason" in error.value.message_dict
    new = move_appointment(appointment=old, slot=second, actor=call_handler, reason="Caller is at work")
    old.refresh_from_db()
    assert old.status == AppointmentStatus.MOVED and new.moved_from == old and new.slot == second
    assert Message.objects.count() == 2
    # The old time is free again for someone else.
    book_appointment(contact=_graded_3(call_handler), slot=first, actor=call_handler, notify_by="none")


def test_cancelling_needs_a_reason_frees_the_seat_and_tells_the_caller(team, call_handler):
    from notifications.models import Message

    contact = _graded_3(call_handler)
    appointment = book_appointment(contact=contact, slot=_first_slot(team), actor=call_handler, notify_by="sms")
    with pytest.raises(ValidationError):
        cancel_appointment(appointment=appointment, actor=call_handler, reason="")
    cancel_appointment(appointment=appointment, actor=call_handler, reason="Caller no longer needs it")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert Message.objects.filter(template="appointment_cancelled").count() == 1
    book_appointment(contact=contact, slot=_first_slot(team), actor=call_handler, notify_by="none")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_handlers_racing_for_the_last_seat_book_it_once(make_user, reference_data):
    team = TeamFactory(name="Race LPT", kind=Team.Kind.LOCAL_POLICING)
    AppointmentPattern.objects.create(team=team, name="All week", weekdays=list(range(7)), starts=time(9),
                                      ends=time(9, 30), place="Front office", skip_bank_holidays=False)
    generate_appointment_slots(first_day=timezone.localdate() + timedelta(days=1), days=1)
    handler = make_user("call-handler", username="racer")
    contacts = [_graded_3(handler) for _ in range(4)]
    slot = _first_slot(team)
    outcomes: list[str] = []
    barrier = threading.Barrier(len(contacts))

    def attempt(contact):
        barrier.wait()
        try:
            book_appointment(contact=contact, slot=slot, actor=handler, notify_by="none")
            outcomes.append("booked")
        except ValidationError:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in contacts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "refused", "refused", "refused"]
    assert Appointment.objects.filter(slot=slot, status=AppointmentStatus.BOOKED).count() == 1


@pytest.fixture
def handler_client(client, call_handler):
    client.force_login(call_handler)
    return client


def test_the_contact_page_offers_booking_and_the_handler_books_a_free_time(team, handler_client, call_handler):
    contact = _graded_3(call_handler)
    page = handler_client.get(reverse("contacts:detail", args=[contact.reference])).content.decode()
    assert "Book an appointment" in page
    url = reverse("contacts:appointment-book", args=[contact.reference])
    page = handler_client.get(url).content.decode()
    slot = _first_slot(team)
    assert f'value="{slot.pk}"' in page
    # A missing choice keeps what was typed and names the field.
    response = handler_client.post(url, {"action": "book", "team": team.pk, "notify_by": "none", "notes": "Ring first",
                                         "form_token": "abc"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select the time agreed with the caller" in body and "Ring first" in body
    response = handler_client.post(url, {"action": "book", "team": team.pk, "slot": slot.pk, "notify_by": "none",
                                         "notes": "Ring first", "form_token": "abc"})
    assert response.status_code == 302
    page = handler_client.get(reverse("contacts:detail", args=[contact.reference])).content.decode()
    assert "Stafford police station" in page and "Move the appointment" in page
    day = timezone.localtime(slot.starts_at).date()
    listing = handler_client.get(reverse("contacts:appointments"), {
        "team": team.pk, "day_day": day.day, "day_month": day.month, "day_year": day.year}).content.decode()
    assert contact.reference in listing and "Ada Lovelace" in listing
    assert AuditEntry.objects.filter(action="consultation", person_id=str(contact.caller_id),
                                     reason__startswith="Appointments of Stafford LPT").exists()


def test_a_time_booked_meanwhile_is_refused_with_the_times_still_free(team, handler_client, call_handler):
    slot = _first_slot(team)
    book_appointment(contact=_graded_3(call_handler), slot=slot, actor=call_handler, notify_by="none")
    contact = _graded_3(call_handler)
    response = handler_client.post(reverse("contacts:appointment-book", args=[contact.reference]), {
        "action": "book", "team": team.pk, "slot": slot.pk, "notify_by": "none", "form_token": "x1"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode() or "just been booked" in response.content.decode()


def test_booking_needs_the_appointment_permission(team, client, make_user, call_handler):
    contact = _graded_3(call_handler)
    client.force_login(make_user("investigator", username="inv1"))
    assert client.get(reverse("contacts:appointment-book", args=[contact.reference])).status_code == 403
