"""Subject access requests (DPA 2018 s.45): find the requester, register the request, produce their pack."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from audit.models import Action, AuditEntry
from cases.models import Suspect
from cases.tests.factories import routed_crime
from notifications.services import queue_message
from people.services import move_person, record_address, record_person, record_vulnerability
from records.models import RequestStatus, SubjectAccessRequest
from records.services import record_subject_access_request


def _message(person, reference: str, update: str):
    with transaction.atomic():
        return queue_message(channel="email", to=f"{reference}@example.org", template="victim_update",
                             personalisation={"name": person.given_name, "update": update,
                                              "crime_reference": "CR1", "officer": "PC Shaw"},
                             reference=reference, person_id=person.pk, reason="Victim update")


@pytest.fixture
def household(dpo):
    """Ama (a victim) lives with Bea; Kai is the suspect in Ama's crime. Each has something of their own."""
    address = record_address(number_or_name="7", street="Lichfield Road", postcode="ST17 4JX")
    ama = record_person(actor=dpo, given_name="Ama", family_name="Owusu", date_of_birth=date(1984, 3, 9),
                        phone_e164="07700 900101")
    bea = record_person(actor=dpo, given_name="Bea", family_name="Quartey", date_of_birth=date(1990, 1, 2))
    kai = record_person(actor=dpo, given_name="Kai", family_name="Drummond", date_of_birth=date(1979, 8, 8))
    for person in (ama, bea):
        move_person(actor=dpo, person=person, address=address, from_date=date(2015, 5, 1))
    record_vulnerability(actor=dpo, person=ama, kind="mental_health", from_date=date(2022, 1, 1), source="GP letter")
    crime = routed_crime(actor=dpo, incident_code="violence-with-injury", classification="8N", victim=ama)
    Suspect.objects.create(crime=crime, person=kai, reason="Named by the victim")
    _message(ama, "to-ama", "We have spoken to a witness")
    _message(bea, "to-bea", "Your bicycle has been found")
    return {"ama": ama, "bea": bea, "kai": kai, "crime": crime}


def _pack_text(client, sar) -> str:
    response = client.post(f"/staff/records/subject-access/{sar.pk}/pack.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_dpo_finds_the_requester_and_registers_the_request_due_one_month_later(client, dpo, household):
    client.force_login(dpo)
    found = client.get("/staff/records/subject-access/new/", {"name": "Ama Owusu", "reason": "SAR identification"})
    assert household["ama"].reference in found.content.decode()
    search = AuditEntry.objects.filter(action=Action.CONSULTATION, subject_type="people.search").latest("seq")
    assert search.reason == "SAR identification"

    url = f"/staff/records/subject-access/new/{household['ama'].reference}/"
    assert "Ama Owusu" in client.get(url).content.decode()
    data = {"received_on_day": "31", "received_on_month": "1", "received_on_year": "2026", "notes": "By letter",
            "form_token": "sar-1"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the same form again
    sar = SubjectAccessRequest.objects.get()
    assert (sar.received_on, sar.due_on, sar.status) == (date(2026, 1, 31), date(2026, 2, 28), RequestStatus.OPEN)
    register = client.get("/staff/records/subject-access/").content.decode()
    assert sar.reference in register and "28 Feb 2026" in register


def test_a_request_received_in_the_future_is_refused_naming_the_field(client, dpo, household):
    client.force_login(dpo)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(f"/staff/records/subject-access/new/{household['ama'].reference}/", {
        "received_on_day": tomorrow.day, "received_on_month": tomorrow.month, "received_on_year": tomorrow.year,
        "notes": "Typed notes"})
    assert response.status_code == 400
    assert "The date received must be today or in the past" in response.content.decode()
    assert "Typed notes" in response.content.decode()
    assert not SubjectAccessRequest.objects.exists()


def test_the_victims_pack_holds_their_own_data_and_no_one_elses(client, dpo, household):
    ama = household["ama"]
    sar = record_subject_access_request(actor=dpo, person=ama, received_on=timezone.localdate())
    client.force_login(dpo)

    text = _pack_text(client, sar)

    for own in ("Ama Owusu", ama.reference, "9 March 1984", "+447700900101", "Lichfield Road", "Mental health",
                household["crime"].reference, "Victim", "Assault with injury", "We have spoken to a witness"):
        assert own in text, own
    for others in ("Bea", "Quartey", "Kai", "Drummond", "Your bicycle has been found", "Named by the victim"):
        assert others not in text, others


def test_the_suspects_pack_leaves_out_the_victim(client, dpo, household):
    sar = record_subject_access_request(actor=dpo, person=household["kai"], received_on=timezone.localdate())
    client.force_login(dpo)

    text = _pack_text(client, sar)

    assert "Kai Drummond" in text and household["crime"].reference in text and "Suspect" in text
    for other in ("Ama", "Owusu", "Lichfield Road", "Bea"):
        assert other not in text, other


def test_producing_the_pack_is_logged_as_a_disclosure_to_the_data_subject(client, dpo, household):
    ama = household["ama"]
    sar = record_subject_access_request(actor=dpo, person=ama, received_on=timezone.localdate())
    client.force_login(dpo)
    _pack_text(client, sar)

    entry = AuditEntry.objects.get(action=Action.DISCLOSURE, subject_type="people.person")
    assert entry.person_id == str(ama.pk)
    assert entry.recipients == [f"the data subject ({ama.reference})"]
    assert sar.reference in entry.reason
    assert entry.detail["sections"]["crimes"] == 1
    assert "Owusu" not in str(entry.detail)
    consultation = AuditEntry.objects.filter(action=Action.CONSULTATION, person_id=str(ama.pk)).latest("seq")
    assert sar.reference in consultation.reason
    sar.refresh_from_db()
    assert (sar.status, sar.pack_produced_by) == (RequestStatus.COMPLETED, dpo)


def test_only_the_data_protection_officer_may_produce_a_pack(client, make_user, dpo, household):
    sar = record_subject_access_request(actor=dpo, person=household["ama"], received_on=timezone.localdate())
    for role in ("call-handler", "investigator", "administrator", None):
        client.force_login(make_user(role))
        assert client.post(f"/staff/records/subject-access/{sar.pk}/pack.pdf").status_code == 403
        assert client.get("/staff/records/subject-access/new/", {"name": "Ama"}).status_code == 403
    assert not AuditEntry.objects.filter(action=Action.DISCLOSURE, subject_type="people.person").exists()


def test_an_open_request_past_its_due_date_is_marked_overdue(client, dpo, household):
    late = record_subject_access_request(actor=dpo, person=household["ama"],
                                         received_on=timezone.localdate() - timedelta(days=40))
    on_time = record_subject_access_request(actor=dpo, person=household["kai"], received_on=timezone.localdate())
    client.force_login(dpo)
    page = client.get("/staff/records/subject-access/").content.decode()
    rows = {sar.reference: page[page.index(sar.reference):][:900] for sar in (late, on_time)}
    assert "Overdue" in rows[late.reference]
    assert "Overdue" not in rows[on_time.reference] and "Open" in rows[on_time.reference]
