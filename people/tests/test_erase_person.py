"""Erasing a person at the end of retention: personal data gone, the reference kept, one erasure entry."""

from __future__ import annotations

from datetime import date

from audit.models import Action, AuditEntry
from cases.tests.factories import routed_crime
from people.models import (
    HouseholdMembership,
    Person,
    PersonLink,
    PersonName,
    PersonPhone,
    VulnerabilityMarker,
)
from people.services import (
    ERASED_FAMILY_NAME,
    add_phone,
    erase_person,
    link_to_crime,
    move_person,
    record_address,
    record_other_name,
    record_person,
    record_vulnerability,
)


def test_erasing_a_person_removes_their_data_and_logs_counts_only(dpo):
    person = record_person(actor=dpo, given_name="Harriet", family_name="Quist", date_of_birth=date(1970, 5, 4),
                           phone_e164="07700 900461", email="hq@example.org")
    add_phone(actor=dpo, person=person, number="07700 900462")
    record_other_name(actor=dpo, person=person, kind="former", given_name="Harriet", family_name="Lomax")
    move_person(actor=dpo, person=person, address=record_address(number_or_name="4", street="Mill Lane", postcode="ST16 2DH"),
                from_date=date(2001, 1, 1))
    record_vulnerability(actor=dpo, person=person, kind="elderly", from_date=date(2020, 1, 1), source="C1")
    crime = routed_crime(actor=dpo)
    link_to_crime(actor=dpo, person=person, crime_reference=crime.reference, role="witness")

    counts = erase_person(actor=dpo, person=person, reason="Retention: no policing purpose remains")

    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.date_of_birth, person.phone_e164, person.email) == (
        "", ERASED_FAMILY_NAME, None, "", "")
    assert person.reference.startswith("P")
    for model in (PersonName, PersonPhone, HouseholdMembership, VulnerabilityMarker, PersonLink):
        assert not model.objects.filter(person=person).exists()
    assert counts["phones"] == 1 and counts["addresses"] == 1
    entry = AuditEntry.objects.get(action=Action.ERASURE)
    assert (entry.subject_type, entry.subject_id, entry.person_id) == ("people.person", str(person.pk), str(person.pk))
    logged = str(entry.detail) + entry.reason
    for content in ("Harriet", "Quist", "Lomax", "1970", "900461", "hq@example.org", "Mill Lane", crime.reference):
        assert content not in logged


def test_erasing_twice_changes_nothing_and_logs_once(dpo):
    person = record_person(actor=dpo, given_name="Ola", family_name="Berg")
    erase_person(actor=dpo, person=person, reason="Retention")
    assert erase_person(actor=dpo, person=Person.objects.get(pk=person.pk), reason="Retention") == {}
    assert AuditEntry.objects.filter(action=Action.ERASURE).count() == 1
