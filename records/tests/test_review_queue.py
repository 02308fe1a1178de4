"""Which records the retention policy puts in the review queue, and when: a day before and on the day."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from cases.models import Crime, Suspect
from cases.tests.factories import routed_crime
from chat import services as chat_services
from chat.models import Chat, ChatStatus
from contacts.models import Contact, IncidentType
from contacts.services import record_contact
from notifications.models import Message, Status
from notifications.services import queue_message
from people.services import record_person, record_vulnerability
from records.models import RecordKind, RetentionReview
from records.services import find_due_records

from .conftest import at, dated_person


def _queued(kind: str) -> dict[int, str]:
    return dict(RetentionReview.objects.filter(record_kind=kind).values_list("record_id", "rule__code"))


def test_group_3_person_is_due_six_years_after_the_last_thing_recorded(dpo):
    person = dated_person(dpo, on=date(2020, 6, 1))

    assert find_due_records(today=date(2026, 5, 31)) == {}
    assert _queued(RecordKind.PERSON) == {}

    assert find_due_records(today=date(2026, 6, 1)) == {"person-group-3": 1}
    review = RetentionReview.objects.get(record_id=person.pk)
    assert (review.basis_date, review.due_on, review.record_reference) == (date(2020, 6, 1), date(2026, 6, 1),
                                                                            person.reference)


def test_a_later_contact_moves_the_review_date_on(dpo):
    person = dated_person(dpo, on=date(2018, 1, 1))
    record_contact(actor=dpo, channel="101", incident_type=IncidentType.objects.get(code="noise"),
                   received_at=at(date(2021, 3, 1)), location_text="Park", people=[(person, "caller")])

    assert find_due_records(today=date(2027, 2, 28)).get("person-group-3", 0) == 0
    assert find_due_records(today=date(2027, 3, 1))["person-group-3"] == 1
    assert RetentionReview.objects.get(record_id=person.pk, record_kind="person").basis_date == date(2021, 3, 1)


def test_a_victim_of_violence_is_group_2_and_due_after_ten_years_not_six(dpo):
    victim = dated_person(dpo, on=date(2016, 6, 1), given_name="Ines")
    crime = routed_crime(actor=dpo, incident_code="violence-with-injury", classification="8N", victim=victim,
                         received_at=at(date(2016, 6, 1)))
    Crime.objects.filter(pk=crime.pk).update(reported_at=at(date(2016, 6, 1)))
    suspect = dated_person(dpo, on=date(2016, 6, 1), given_name="Kyle")
    Suspect.objects.create(crime=crime, person=suspect, reason="Named by the victim", linked_at=at(date(2016, 6, 1)))

    find_due_records(today=date(2026, 5, 31))
    assert victim.pk not in _queued(RecordKind.PERSON)
    find_due_records(today=date(2026, 6, 1))
    queued = _queued(RecordKind.PERSON)
    assert queued[victim.pk] == "person-group-2"
    assert queued[suspect.pk] == "person-group-2"


def test_a_domestic_abuse_marker_keeps_a_person_to_their_100th_birthday(dpo):
    person = dated_person(dpo, on=date(2001, 1, 1), date_of_birth=date(1926, 6, 1))
    record_vulnerability(actor=dpo, person=person, kind="domestic_abuse", from_date=date(2000, 1, 1), source="C1")

    find_due_records(today=date(2026, 5, 31))
    assert person.pk not in _queued(RecordKind.PERSON)
    find_due_records(today=date(2026, 6, 1))
    review = RetentionReview.objects.get(record_kind="person", record_id=person.pk)
    assert (review.rule.code, review.due_on) == ("person-group-1", date(2026, 6, 1))


def test_a_contact_with_no_crime_is_due_six_years_after_it_closed_and_one_with_a_crime_is_not(dpo):
    plain = record_contact(actor=dpo, channel="101", incident_type=IncidentType.objects.get(code="noise"),
                           received_at=at(date(2020, 6, 1)), location_text="Park")
    crime = routed_crime(actor=dpo, received_at=at(date(2019, 1, 1)))
    Contact.objects.filter(pk=plain.pk).update(closed_at=at(date(2020, 6, 1)))

    find_due_records(today=date(2026, 5, 31))
    assert plain.pk not in _queued(RecordKind.CONTACT)
    find_due_records(today=date(2026, 6, 1))
    queued = _queued(RecordKind.CONTACT)
    assert queued == {plain.pk: "contact-no-crime"}
    assert crime.contact_id not in queued


def test_an_ended_chat_and_a_delivered_message_are_due_two_years_on(dpo, db):
    chat = chat_services.start_chat(topic="Lost bike", safe_to_contact="yes", name="Dev", idempotency_key="k-1")
    Chat.objects.filter(pk=chat.pk).update(status=ChatStatus.CLOSED, closed_at=at(date(2024, 6, 1)))
    open_chat = chat_services.start_chat(topic="Help", safe_to_contact="yes", idempotency_key="k-2")
    Chat.objects.filter(pk=open_chat.pk).update(created_at=at(date(2020, 1, 1)))
    with transaction.atomic():
        message = queue_message(channel="sms", to="+447700900123", template="appointment_booked",
                                personalisation={"date": "Monday 1 June", "time": "10:00", "name": "Dev", "place": "Stafford",
                                                 "team": "Stafford", "reference": "C1",
                                                 "calendar_url": "https://example.org/c1.ics"},
                                reference="due-msg")
    Message.objects.filter(pk=message.pk).update(status=Status.DELIVERED, delivered_at=at(date(2024, 6, 1)))

    find_due_records(today=date(2026, 5, 31))
    assert _queued(RecordKind.CHAT) == {} and _queued(RecordKind.MESSAGE) == {}
    assert find_due_records(today=date(2026, 6, 1)) == {"chat-transcript": 1, "outbox-message": 1}
    assert list(_queued(RecordKind.CHAT)) == [chat.pk]  # the chat still open is never due
    assert list(_queued(RecordKind.MESSAGE)) == [message.pk]


def test_running_again_adds_nothing_and_a_dry_run_writes_nothing(dpo):
    dated_person(dpo, on=date(2010, 1, 1))
    record_person(actor=dpo, given_name="New", family_name="Person")

    assert find_due_records(today=date(2026, 6, 1), dry_run=True) == {"person-group-3": 1}
    assert not RetentionReview.objects.exists()
    assert find_due_records(today=date(2026, 6, 1)) == {"person-group-3": 1}
    assert find_due_records(today=date(2026, 6, 1)) == {}
    assert RetentionReview.objects.count() == 1
