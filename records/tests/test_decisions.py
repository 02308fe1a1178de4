"""Retain or dispose of a record due for review: through the pages, with the audit trail and without repeats."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import Action, AuditEntry
from contacts.models import Contact, ContactPerson, IncidentType
from contacts.services import record_contact
from people.models import Person, PersonPhone
from people.services import add_phone
from records.models import RetentionDecision, RetentionReview, ReviewStatus
from records.services import (
    ALREADY_DECIDED,
    OPEN_REQUEST,
    decide_review,
    find_due_records,
    record_subject_access_request,
)

from .conftest import at, dated_person

TODAY = date(2026, 6, 1)


@pytest.fixture
def due_person(dpo):
    person = dated_person(dpo, on=date(2019, 1, 1), given_name="Wanda", family_name="Marsh",
                          date_of_birth=date(1960, 2, 3), phone_e164="07700 900777")
    add_phone(actor=dpo, person=person, number="07700 900778")
    find_due_records(today=TODAY)
    return person, RetentionReview.objects.get(record_kind="person", record_id=person.pk)


def _post(client, review, **data):
    return client.post(f"/staff/records/retention/{review.pk}/", data)


def test_the_queue_shows_each_due_record_with_its_rule_and_dates(client, dpo, due_person):
    person, _ = due_person
    client.force_login(dpo)
    page = client.get("/staff/records/retention/").content.decode()
    assert person.reference in page
    assert "Other persons (MoPI group 3)" in page
    assert "1 Jan 2019" in page and "1 Jan 2025" in page


def test_retaining_records_the_reason_and_brings_the_record_back_on_its_next_review_date(client, dpo, due_person):
    person, review = due_person
    client.force_login(dpo)
    next_review = timezone.localdate() + timedelta(days=400)
    response = _post(client, review, decision="retain", reason="Linked to an ongoing harassment enquiry",
                     next_review_on_day=next_review.day, next_review_on_month=next_review.month,
                     next_review_on_year=next_review.year, form_token="tok-retain")
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.next_review_on) == (ReviewStatus.RETAINED, next_review)
    decision = RetentionDecision.objects.get()
    assert (decision.decision, decision.reason, decision.decided_by) == (
        "retain", "Linked to an ongoing harassment enquiry", dpo)
    assert Person.objects.get(pk=person.pk).family_name == "Marsh"  # nothing erased
    assert "Linked to an ongoing" in client.get("/staff/records/retention/").content.decode()

    assert find_due_records(today=next_review - timedelta(days=1)) == {}
    assert find_due_records(today=next_review) == {"person-group-3": 1}
    review.refresh_from_db()
    assert (review.status, review.due_on) == (ReviewStatus.DUE, next_review)


def test_retaining_without_a_reason_or_next_date_names_both_and_keeps_what_was_typed(client, dpo, due_person):
    _, review = due_person
    client.force_login(dpo)
    response = _post(client, review, decision="retain", reason="", next_review_on_day="31",
                     next_review_on_month="2", next_review_on_year="2030")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the reason for your decision" in page
    assert "Next review date must be a real date" in page
    assert 'value="31"' in page
    response = _post(client, review, decision="retain", reason="Still needed")
    assert "Enter the date of the next review" in response.content.decode()
    assert not RetentionDecision.objects.exists()


def test_disposing_erases_the_person_and_logs_an_erasure_without_content(client, dpo, due_person):
    person, review = due_person
    client.force_login(dpo)
    response = _post(client, review, decision="dispose", reason="No policing purpose remains", form_token="tok-1")
    assert response.status_code == 302

    erased = Person.objects.get(pk=person.pk)
    assert (erased.given_name, erased.family_name, erased.date_of_birth, erased.phone_e164) == ("", "Erased", None, "")
    assert not PersonPhone.objects.filter(person=person).exists()
    review.refresh_from_db()
    assert review.status == ReviewStatus.DISPOSED
    entry = AuditEntry.objects.get(action=Action.ERASURE)
    assert (entry.subject_type, entry.person_id, entry.actor_id) == ("people.person", str(person.pk), dpo.pk)
    assert entry.detail["rule"] == "person-group-3"
    logged = f"{entry.detail} {entry.reason}"
    for content in ("Wanda", "Marsh", "1960", "900777", "900778"):
        assert content not in logged


def test_disposal_is_idempotent_a_repeat_form_does_nothing_and_a_second_decision_is_refused(client, dpo, due_person):
    _, review = due_person
    client.force_login(dpo)
    _post(client, review, decision="dispose", reason="No purpose", form_token="tok-2")
    again = _post(client, review, decision="dispose", reason="No purpose", form_token="tok-2")
    assert again.status_code == 302
    other = _post(client, review, decision="dispose", reason="No purpose", form_token="tok-3")
    assert other.status_code == 409
    assert ALREADY_DECIDED in other.content.decode()
    assert RetentionDecision.objects.count() == 1
    assert AuditEntry.objects.filter(action=Action.ERASURE).count() == 1
    assert find_due_records(today=TODAY + timedelta(days=3650)).get("person-group-3", 0) == 0


def test_disposing_a_contact_erases_it_through_the_contacts_app(dpo):
    contact = record_contact(actor=dpo, channel="101", incident_type=IncidentType.objects.get(code="noise"),
                             received_at=at(date(2019, 1, 1)), location_text="14 Oak Road",
                             summary="Dog barking all night")
    caller = dated_person(dpo, on=date(2019, 1, 1))
    ContactPerson.objects.create(contact=contact, person=caller, role="caller")
    find_due_records(today=TODAY)
    review = RetentionReview.objects.get(record_kind="contact", record_id=contact.pk)

    decide_review(actor=dpo, review_id=review.pk, decision="dispose", reason="No crime, period over")

    contact.refresh_from_db()
    assert (contact.summary, contact.location_text) == ("", "")
    assert not ContactPerson.objects.filter(contact=contact).exists()
    assert AuditEntry.objects.filter(action=Action.ERASURE, subject_type="contacts.contact",
                                     subject_id=str(contact.pk)).exists()
    assert Contact.objects.filter(pk=contact.pk).exists()  # the row stays for demand figures


def test_a_person_with_an_open_subject_access_request_cannot_be_disposed_of(dpo, due_person):
    person, review = due_person
    record_subject_access_request(actor=dpo, person=person, received_on=timezone.localdate())
    with pytest.raises(ValidationError) as error:
        decide_review(actor=dpo, review_id=review.pk, decision="dispose", reason="No purpose")
    assert error.value.message_dict["decision"] == [OPEN_REQUEST]
    assert Person.objects.get(pk=person.pk).family_name == "Marsh"


def test_only_the_data_protection_officer_may_see_or_decide(client, make_user, due_person):
    _, review = due_person
    for role in ("call-handler", "administrator", "supervisor", None):
        client.force_login(make_user(role))
        assert client.get("/staff/records/retention/").status_code == 403
        assert _post(client, review, decision="dispose", reason="x").status_code == 403
        assert client.get("/staff/records/subject-access/").status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.DUE
    with pytest.raises(PermissionDenied):
        decide_review(actor=make_user("call-handler"), review_id=review.pk, decision="dispose", reason="x")


def test_a_long_queue_is_shown_fifty_to_a_page(client, dpo):
    for n in range(51):
        dated_person(dpo, on=date(2015, 1, 1) + timedelta(days=n), given_name=f"Old{n}")
    find_due_records(today=TODAY)
    client.force_login(dpo)
    first = client.get("/staff/records/retention/").content.decode()
    assert "51 records due for review" in first and "Page 1 of 2" in first
    assert first.count("/staff/records/retention/") >= 50
    second = client.get("/staff/records/retention/?page=2").content.decode()
    last = RetentionReview.objects.order_by("-due_on").first()
    assert last.record_reference in second and last.record_reference not in first


def test_a_person_due_for_review_can_be_opened_from_the_decision_page_with_the_reason_filled_in(client, dpo,
                                                                                                due_person):
    person, review = due_person
    client.force_login(dpo)
    page = client.get(f"/staff/records/retention/{review.pk}/").content.decode()
    link = f"/staff/people/{person.reference}/?context=Retention+review+of+{person.reference}"
    assert link in page
    assert f"Retention review of {person.reference}" in client.get(link).content.decode()
