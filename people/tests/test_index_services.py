"""Writing to the person index beyond the basic record: other names, contact points, identifiers,
vulnerability and crime links. Each write is checked, names the field it refuses, and is logged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Action, AuditEntry
from cases.tests.factories import routed_crime
from people import rules
from people.models import PersonName, VulnerabilityMarker
from people.services import (
    add_email,
    add_identifier,
    add_phone,
    end_vulnerability,
    link_to_crime,
    record_other_name,
    record_person,
    record_vulnerability,
)


@pytest.fixture
def person(call_handler):
    return record_person(actor=call_handler, given_name="Jane", family_name="Clarke", date_of_birth=date(1988, 2, 14))


def alterations(person) -> list[dict]:
    return [e.detail for e in AuditEntry.objects.filter(action=Action.ALTERATION, person_id=str(person.pk)).order_by("seq")]


def test_other_names_are_stored_with_their_search_columns_and_logged(call_handler, person):
    name = record_other_name(actor=call_handler, person=person, kind="former", given_name="Jane",
                             family_name="Ó Briain", from_date=date(2005, 1, 1), to_date=date(2012, 6, 30))
    assert (name.family_norm, name.family_key) == ("o briain", "OBRN")
    assert alterations(person) == [{"fields": ["other_names"], "kind": "former"}]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"kind": "nickname", "family_name": "X"}, "kind"), ({"kind": "alias", "family_name": " "}, "family_name"),
     ({"kind": "alias", "family_name": "X", "from_date": date(2010, 1, 2), "to_date": date(2009, 1, 1)}, "to_date")],
)
def test_bad_other_names_are_refused_naming_the_field(call_handler, person, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        record_other_name(actor=call_handler, person=person, **kwargs)
    assert field in caught.value.message_dict
    assert not PersonName.objects.exists() and alterations(person) == []


def test_the_first_phone_and_email_become_primary_and_repeats_change_nothing(call_handler, person):
    add_phone(actor=call_handler, person=person, number="07700 900 982", kind="mobile")
    add_phone(actor=call_handler, person=person, number="+44 7700 900982")
    add_phone(actor=call_handler, person=person, number="01632 960001", kind="home")
    add_email(actor=call_handler, person=person, address="Jane.Clarke@Example.com")
    person.refresh_from_db()
    assert person.phone_e164 == "+447700900982"
    assert sorted(person.phones.values_list("number", flat=True)) == ["+441632960001", "+447700900982"]
    assert person.email == "jane.clarke@example.com"
    assert alterations(person) == [{"fields": ["phones"]}, {"fields": ["phones"]}, {"fields": ["emails"]}]
    with pytest.raises(ValidationError) as caught:
        add_phone(actor=call_handler, person=person, number="999")
    assert "number" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        add_email(actor=call_handler, person=person, address="not an address")
    assert "address" in caught.value.message_dict


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [("nhs_number", "9434765919", "943 476 5919"), ("pnc_id", "19/123456z", "19/0123456Z"),
     ("driving_licence", "morga 753116 sm9ij", "MORGA753116SM9IJ"), ("national_insurance", "ab 12 34 56 c", "AB123456C"),
     ("passport", "123 456 789", "123456789"), ("cro_number", "12345/19l", "012345/19L")],
)
def test_identifiers_are_stored_in_canonical_form(call_handler, person, kind, typed, stored):
    assert add_identifier(actor=call_handler, person=person, kind=kind, value=typed).value == stored
    assert alterations(person) == [{"fields": ["identifiers"], "kind": kind}]


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [("nhs_number", "943 476 5918", "check digit"), ("nhs_number", "12345", "10 digits"),
     ("pnc_id", "123456", "PNC ID"), ("driving_licence", "MORGA753116", "16 letters"),
     ("national_insurance", "QQ123456C", "National Insurance"), ("fingerprint", "x", "kind")],
)
def test_identifiers_that_cannot_be_of_their_kind_are_refused(call_handler, person, kind, typed, message):
    with pytest.raises(ValidationError) as caught:
        add_identifier(actor=call_handler, person=person, kind=kind, value=typed)
    field = "kind" if kind == "fingerprint" else "value"
    assert message in caught.value.message_dict[field][0]
    assert alterations(person) == []


def test_nhs_check_digit_rule_on_its_own():
    assert rules.nhs_number("401 023 2137") == "401 023 2137"
    with pytest.raises(rules.IdentifierError):
        rules.nhs_number("401 023 2138")


def test_vulnerability_is_recorded_with_its_source_and_can_be_ended(call_handler, person):
    marker = record_vulnerability(actor=call_handler, person=person, kind="domestic_abuse", from_date=date(2023, 4, 1),
                                  source="Contact C000000042")
    assert marker.is_current and marker.recorded_by == call_handler
    end_vulnerability(actor=call_handler, marker=marker, to_date=date(2024, 4, 1))
    marker.refresh_from_db()
    assert not marker.is_current
    assert alterations(person)[-1] == {"fields": ["vulnerabilities"], "kind": "domestic_abuse", "ended": True}
    with pytest.raises(ValidationError) as caught:
        record_vulnerability(actor=call_handler, person=person, kind="elderly",
                             from_date=timezone.localdate() + timedelta(days=1), source="")
    assert set(caught.value.message_dict) == {"from_date", "source"}
    assert VulnerabilityMarker.objects.count() == 1


def test_crime_links_hold_a_role_once_and_point_at_the_crime(call_handler, person):
    crime = routed_crime(actor=call_handler)
    link_to_crime(actor=call_handler, person=person, crime_reference=crime.reference.lower(), role="victim")
    link_to_crime(actor=call_handler, person=person, crime_reference=crime.reference, role="victim")
    link_to_crime(actor=call_handler, person=person, crime_reference=crime.reference, role="witness")
    assert sorted(person.crime_links.values_list("role", flat=True)) == ["victim", "witness"]
    assert set(person.crime_links.values_list("crime_id", "crime_reference")) == {(crime.pk, crime.reference)}
    assert len(alterations(person)) == 2
    with pytest.raises(ValidationError) as caught:
        link_to_crime(actor=call_handler, person=person, crime_reference=crime.reference, role="bystander")
    assert "role" in caught.value.message_dict


def test_a_crime_reference_that_matches_no_crime_is_refused(call_handler, person):
    with pytest.raises(ValidationError) as caught:
        link_to_crime(actor=call_handler, person=person, crime_reference="CR999999999", role="victim")
    assert caught.value.message_dict == {"crime_reference": ["Enter a crime reference that exists, like CR000000042."]}
    assert not person.crime_links.exists()
    assert alterations(person) == []


def test_refresh_search_keys_fills_rows_inserted_without_them(call_handler):
    from people.models import Person
    from people.services import refresh_search_keys

    Person.objects.bulk_create([Person(reference="RAW1", given_name="Zoë", family_name="Smyth")])
    raw = Person.objects.get(reference="RAW1")
    assert raw.family_norm == ""
    assert refresh_search_keys() == 1
    raw.refresh_from_db()
    assert (raw.given_norm, raw.family_norm, raw.family_key) == ("zoe", "smyth", "SM0")
    assert refresh_search_keys() == 0


def test_a_persons_links_to_crimes_are_read_with_a_reason_and_logged(call_handler, person):
    from people.selectors import person_links

    crime = routed_crime(actor=call_handler)
    link_to_crime(actor=call_handler, person=person, crime_reference=crime.reference, role="suspect")
    links = person_links(actor=call_handler, reason="Checking history", person=person)
    assert [(link["kind"], link["reference"], link["role"], link["what"], link["status"]) for link in links] == [
        ("crime", crime.reference, "suspect", "Shoplifting", "Recorded")]
    entry = AuditEntry.objects.latest("seq")
    assert (entry.action, entry.person_id, entry.detail) == (Action.CONSULTATION, str(person.pk), {"as": "history"})
