"""Keeping a person's record right: links to crimes, moving house, and removing or correcting what was
added by mistake. Each change is checked, names the field it refuses, is made once, and is logged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Action, AuditEntry
from cases.tests.factories import routed_crime
from people.models import Address, HouseholdMembership, PersonEmail, PersonIdentifier, PersonLink, PersonPhone
from people.selectors import search_people
from people.services import (
    add_email,
    add_identifier,
    add_phone,
    change_phone_kind,
    record_address,
    record_crime_link,
    record_move,
    record_person,
    remove_crime_link,
    remove_email,
    remove_identifier,
    remove_phone,
)

REASON = "Caller checking her details"


@pytest.fixture
def home():
    return record_address(number_or_name="7", street="Wolverhampton Road", town="Stafford", postcode="ST17 4AW")


@pytest.fixture
def jean(call_handler, home):
    return record_person(actor=call_handler, given_name="Jean", family_name="Ashworth",
                         date_of_birth=date(1941, 9, 2), address=home, living_there_since=date(2001, 4, 1))


def entries(person, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(person_id=str(person.pk), action=action).order_by("seq"))


def found_by_phone(actor, number: str) -> list[str]:
    return [r.reference for r in search_people(actor=actor, reason=REASON, phone=number)]


# --- crimes ---------------------------------------------------------------------------------------

def test_a_link_to_a_crime_points_at_the_crime_and_is_made_once_per_form(call_handler, jean):
    crime = routed_crime(actor=call_handler)
    link = record_crime_link(actor=call_handler, person=jean, crime_reference=f" {crime.reference.lower()} ",
                             role="witness", reason="Saw the theft", form_token="t-link")
    again = record_crime_link(actor=call_handler, person=jean, crime_reference=crime.reference, role="witness",
                              reason="Saw the theft", form_token="t-link")
    assert again.pk == link.pk
    assert (link.crime_id, link.crime_reference, link.role) == (crime.pk, crime.reference, "witness")
    [entry] = entries(jean, Action.ALTERATION)
    assert (entry.reason, entry.detail) == (
        "Saw the theft", {"fields": ["crime_links"], "role": "witness", "crime": crime.reference})


def test_a_crime_that_does_not_exist_and_a_role_already_held_are_refused_naming_the_field(call_handler, jean):
    crime = routed_crime(actor=call_handler)
    with pytest.raises(ValidationError) as unknown:
        record_crime_link(actor=call_handler, person=jean, crime_reference="CR000009999", role="victim", reason="x")
    assert unknown.value.message_dict == {"crime_reference": ["Enter a crime reference that exists, like CR000000042."]}
    record_crime_link(actor=call_handler, person=jean, crime_reference=crime.reference, role="victim", reason="x")
    with pytest.raises(ValidationError) as taken:
        record_crime_link(actor=call_handler, person=jean, crime_reference=crime.reference, role="victim",
                          reason="x", form_token="another-form")
    assert taken.value.message_dict["crime_reference"] == [
        f"They are already linked to {crime.reference} as victim; choose another crime or another role."]
    # The same crime in another role is allowed: a victim can also be a witness to another part of it.
    record_crime_link(actor=call_handler, person=jean, crime_reference=crime.reference, role="witness", reason="x")
    assert PersonLink.objects.filter(person=jean).count() == 2


def test_removing_a_wrong_link_is_an_erasure_with_the_reason(call_handler, jean):
    crime = routed_crime(actor=call_handler)
    link = record_crime_link(actor=call_handler, person=jean, crime_reference=crime.reference, role="suspect",
                             reason="Named by the victim")
    with pytest.raises(ValidationError) as no_reason:
        remove_crime_link(actor=call_handler, person=jean, link_id=link.pk, reason=" ")
    assert "reason" in no_reason.value.message_dict
    remove_crime_link(actor=call_handler, person=jean, link_id=link.pk, reason="Wrong Jean Ashworth",
                      form_token="t-unlink")
    remove_crime_link(actor=call_handler, person=jean, link_id=link.pk, reason="Wrong Jean Ashworth",
                      form_token="t-unlink")  # a second click changes nothing and is not an error
    assert not PersonLink.objects.filter(person=jean).exists()
    [entry] = entries(jean, Action.ERASURE)
    assert (entry.subject_type, entry.subject_id, entry.reason) == (
        "people.personlink", str(link.pk), "Wrong Jean Ashworth")
    assert entry.detail == {"item": "crime_link", "fields": ["crime_links"], "role": "suspect",
                            "crime": crime.reference}


def test_another_persons_link_cannot_be_removed_through_this_record(call_handler, jean):
    other = record_person(actor=call_handler, given_name="Ann", family_name="Lee")
    crime = routed_crime(actor=call_handler)
    link = record_crime_link(actor=call_handler, person=other, crime_reference=crime.reference, role="victim")
    with pytest.raises(PersonLink.DoesNotExist):
        remove_crime_link(actor=call_handler, person=jean, link_id=link.pk, reason="x")
    assert PersonLink.objects.filter(pk=link.pk).exists()


# --- moving house ---------------------------------------------------------------------------------

def test_moving_to_a_new_address_ends_the_old_one_the_day_before(call_handler, jean, home):
    moved = date(2025, 6, 14)
    membership = record_move(actor=call_handler, person=jean, postcode="st16 2dh", address_id="new",
                             number_or_name="Flat 2", street="Greengate Street", town="Stafford", from_date=moved,
                             reason="Moved into sheltered housing", form_token="t-move")
    again = record_move(actor=call_handler, person=jean, postcode="st16 2dh", address_id="new",
                        number_or_name="Flat 2", street="Greengate Street", town="Stafford", from_date=moved,
                        reason="Moved into sheltered housing", form_token="t-move")
    assert again.pk == membership.pk
    assert (membership.address.postcode, membership.address.street, membership.to_date) == (
        "ST16 2DH", "Greengate Street", None)
    old = HouseholdMembership.objects.get(person=jean, address=home)
    assert old.to_date == moved - timedelta(days=1)
    assert Address.objects.filter(postcode="ST16 2DH").count() == 1
    [entry] = entries(jean, Action.ALTERATION)
    assert (entry.reason, entry.detail) == (
        "Moved into sheltered housing", {"fields": ["address"], "address_id": membership.address_id})


def test_a_new_address_already_held_at_the_postcode_is_not_held_twice(call_handler, jean):
    held = record_address(number_or_name="Flat 2", street="Greengate Street", postcode="ST16 2DH")
    membership = record_move(actor=call_handler, person=jean, postcode="ST162DH", address_id="new",
                             number_or_name="flat 2", street="GREENGATE STREET", from_date=date(2025, 6, 14),
                             reason="x")
    assert membership.address_id == held.pk
    chosen = record_address(number_or_name="3", street="Mill Street", postcode="ST16 2AJ")
    later = record_move(actor=call_handler, person=jean, postcode="st16 2aj", address_id=str(chosen.pk),
                        from_date=date(2025, 9, 1), reason="x")
    assert later.address_id == chosen.pk


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"postcode": "ST16", "street": "High Street"}, {"postcode"}),
        ({"postcode": "", "street": "High Street"}, {"postcode"}),
        ({"street": ""}, {"street"}),
        ({"address_id": None}, {"address"}),
        ({"from_date": None}, {"from_date"}),
        ({"from_date": "tomorrow"}, {"from_date"}),
        ({"from_date": date(2001, 4, 1)}, {"from_date"}),
        ({"postcode": "XX1", "street": "", "from_date": "tomorrow"}, {"postcode", "street", "from_date"}),
    ],
)
def test_a_bad_move_is_refused_naming_each_field_and_changes_nothing(call_handler, jean, kwargs, errors):
    values = {"postcode": "ST16 2DH", "address_id": "new", "street": "Greengate Street",
              "from_date": date(2025, 6, 14), **kwargs}
    if values["from_date"] == "tomorrow":
        values["from_date"] = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        record_move(actor=call_handler, person=jean, reason="x", **values)
    assert set(caught.value.message_dict) == errors
    assert HouseholdMembership.objects.filter(person=jean).count() == 1
    assert not Address.objects.filter(postcode="ST16 2DH").exists()
    assert entries(jean, Action.ALTERATION) == []


def test_the_move_date_must_come_after_the_current_address_began(call_handler, jean):
    with pytest.raises(ValidationError) as caught:
        record_move(actor=call_handler, person=jean, postcode="ST16 2DH", address_id="new", street="Greengate Street",
                    from_date=date(2001, 3, 31), reason="x")
    assert caught.value.message_dict["from_date"] == [
        "The date they moved must be after 1 April 2001, when they started living at their current address."]


def test_an_address_from_another_postcode_cannot_be_chosen(call_handler, jean):
    elsewhere = record_address(number_or_name="9", street="Eastgate Street", postcode="ST16 2LZ")
    with pytest.raises(ValidationError) as caught:
        record_move(actor=call_handler, person=jean, postcode="ST16 2DH", address_id=str(elsewhere.pk),
                    from_date=date(2025, 6, 14), reason="x")
    assert set(caught.value.message_dict) == {"address"}


def test_moving_to_where_they_live_now_is_refused(call_handler, jean, home):
    with pytest.raises(ValidationError) as caught:
        record_move(actor=call_handler, person=jean, postcode=home.postcode, address_id=str(home.pk),
                    from_date=date(2025, 6, 14), reason="x")
    assert set(caught.value.message_dict) == {"address"}


# --- phones, e-mails, identifiers -------------------------------------------------------------------

def test_removing_a_further_number_stops_search_finding_the_person_by_it(call_handler, jean):
    add_phone(actor=call_handler, person=jean, number="01785 000 111", kind="home")  # becomes the main number
    wrong = add_phone(actor=call_handler, person=jean, number="07700 900 982", kind="mobile")
    assert jean.reference in found_by_phone(call_handler, "07700 900982")

    remove_phone(actor=call_handler, person=jean, phone_id=wrong.pk, reason="Her neighbour's number",
                 form_token="t-phone")
    remove_phone(actor=call_handler, person=jean, phone_id=wrong.pk, reason="Her neighbour's number",
                 form_token="t-phone")

    assert jean.reference not in found_by_phone(call_handler, "07700 900982")
    assert jean.reference in found_by_phone(call_handler, "01785 000111")
    [entry] = entries(jean, Action.ERASURE)
    assert (entry.subject_type, entry.subject_id, entry.person_id, entry.reason) == (
        "people.personphone", str(wrong.pk), str(jean.pk), "Her neighbour's number")
    assert entry.detail == {"item": "phone", "fields": ["phones"], "kind": "mobile", "was_main": False}
    assert "900" not in str(entry.detail)


def test_removing_the_main_number_makes_the_next_one_main(call_handler, jean):
    add_phone(actor=call_handler, person=jean, number="07700 900 982", kind="mobile")
    add_phone(actor=call_handler, person=jean, number="01785 000 111", kind="home")
    jean.refresh_from_db()
    assert jean.phone_e164 == "+447700900982"
    main = PersonPhone.objects.get(person=jean, number="+447700900982")
    remove_phone(actor=call_handler, person=jean, phone_id=main.pk, reason="Not hers")
    jean.refresh_from_db()
    assert jean.phone_e164 == "+441785000111"
    assert jean.reference not in found_by_phone(call_handler, "07700 900982")
    assert entries(jean, Action.ERASURE)[-1].detail == {
        "item": "phone", "fields": ["phones", "phone_e164"], "kind": "mobile", "was_main": True}


def test_a_main_number_held_on_the_person_alone_can_be_removed(call_handler):
    caller = record_person(actor=call_handler, given_name="Rob", family_name="Hale", phone_e164="07700 900 555")
    assert caller.reference in found_by_phone(call_handler, "07700900555")
    remove_phone(actor=call_handler, person=caller, phone_id=None, reason="Typed the wrong caller's number")
    caller.refresh_from_db()
    assert caller.phone_e164 == ""
    assert caller.reference not in found_by_phone(call_handler, "07700900555")
    [entry] = entries(caller, Action.ERASURE)
    assert (entry.subject_type, entry.subject_id) == ("people.person", str(caller.pk))
    assert "555" not in str(entry.detail)
    with pytest.raises(PersonPhone.DoesNotExist):
        remove_phone(actor=call_handler, person=caller, phone_id=None, reason="again")


def test_correcting_a_phones_kind_is_an_alteration_naming_the_new_kind(call_handler, jean):
    phone = add_phone(actor=call_handler, person=jean, number="01785 000 111", kind="mobile")
    change_phone_kind(actor=call_handler, person=jean, phone_id=phone.pk, kind="home", reason="It is a landline",
                      form_token="t-kind")
    change_phone_kind(actor=call_handler, person=jean, phone_id=phone.pk, kind="home", reason="It is a landline",
                      form_token="t-kind")
    phone.refresh_from_db()
    assert phone.kind == "home"
    assert [e.detail for e in entries(jean, Action.ALTERATION)][-1] == {"fields": ["phones"], "kind": "home"}
    assert len(entries(jean, Action.ALTERATION)) == 2  # the add, then the one correction
    with pytest.raises(ValidationError) as caught:
        change_phone_kind(actor=call_handler, person=jean, phone_id=phone.pk, kind="pager", reason="x")
    assert set(caught.value.message_dict) == {"kind"}


def test_the_kind_of_a_main_number_held_on_the_person_alone_is_recorded_on_a_row(call_handler):
    caller = record_person(actor=call_handler, given_name="Rob", family_name="Hale", phone_e164="07700 900 555")
    phone = change_phone_kind(actor=call_handler, person=caller, phone_id=None, kind="work", reason="His work phone")
    assert (phone.number, phone.kind) == ("+447700900555", "work")
    assert caller.reference in found_by_phone(call_handler, "07700900555")


def test_removing_an_email_keeps_the_main_address_in_step_and_logs_no_address(call_handler, jean):
    add_email(actor=call_handler, person=jean, address="jean@example.org")
    add_email(actor=call_handler, person=jean, address="j.ashworth@example.net")
    main = PersonEmail.objects.get(person=jean, address="jean@example.org")
    remove_email(actor=call_handler, person=jean, email_id=main.pk, reason="Her daughter's address")
    jean.refresh_from_db()
    assert jean.email == "j.ashworth@example.net"
    [entry] = entries(jean, Action.ERASURE)
    assert entry.detail == {"item": "email", "fields": ["emails", "email"], "was_main": True}
    assert "example" not in str(entry.detail)


def test_a_main_address_held_on_the_person_alone_can_be_removed_once(call_handler):
    caller = record_person(actor=call_handler, given_name="Rob", family_name="Hale", email="Rob.Hale@Example.org")
    add_email(actor=call_handler, person=caller, address="rob@example.net")
    with pytest.raises(PersonEmail.DoesNotExist):  # the main address is not held on a row of its own
        remove_email(actor=call_handler, person=caller, email_id=PersonEmail.objects.get(person=caller).pk + 1000,
                     reason="No such row")
    remove_email(actor=call_handler, person=caller, email_id=None, reason="His work address, not his",
                 form_token="t-main-email")
    remove_email(actor=call_handler, person=caller, email_id=None, reason="His work address, not his",
                 form_token="t-main-email")  # the same form sent twice removes nothing more
    caller.refresh_from_db()
    assert caller.email == "rob@example.net"
    [entry] = entries(caller, Action.ERASURE)
    assert (entry.subject_type, entry.subject_id) == ("people.person", str(caller.pk))
    assert entry.detail == {"item": "email", "fields": ["emails", "email"], "was_main": True}
    # Now the main address is the row's: it is removed by its row, not as an address held alone.
    with pytest.raises(PersonEmail.DoesNotExist):
        remove_email(actor=call_handler, person=caller, email_id=None, reason="again")


def test_removing_an_identifier_names_its_kind_not_its_value(call_handler, jean):
    identifier = add_identifier(actor=call_handler, person=jean, kind="nhs_number", value="943 476 5919")
    remove_identifier(actor=call_handler, person=jean, identifier_id=identifier.pk, reason="Another patient's",
                      form_token="t-id")
    remove_identifier(actor=call_handler, person=jean, identifier_id=identifier.pk, reason="Another patient's",
                      form_token="t-id")
    assert not PersonIdentifier.objects.filter(person=jean).exists()
    [entry] = entries(jean, Action.ERASURE)
    assert (entry.subject_type, entry.subject_id) == ("people.personidentifier", str(identifier.pk))
    assert entry.detail == {"item": "identifier", "fields": ["identifiers"], "kind": "nhs_number"}
