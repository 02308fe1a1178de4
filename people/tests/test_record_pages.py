"""The record-keeping pages of a person's record: link to a crime, move address, remove or correct a phone,
e-mail or identifier. Each asks for a reason, names bad input and keeps what was typed, and acts once."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from audit.models import Action, AuditEntry
from cases.tests.factories import routed_crime
from people.models import HouseholdMembership, PersonIdentifier, PersonLink, PersonPhone
from people.selectors import search_people
from people.services import add_identifier, add_phone, record_address, record_crime_link, record_person

OPEN_REASON = "101 call from her daughter"


@pytest.fixture
def jean(call_handler):
    home = record_address(number_or_name="7", street="Wolverhampton Road", town="Stafford", postcode="ST17 4AW")
    return record_person(actor=call_handler, given_name="Jean", family_name="Ashworth",
                         date_of_birth=date(1941, 9, 2), address=home, living_there_since=date(2001, 4, 1))


@pytest.fixture
def opened(client, call_handler, jean):
    """A call handler signed in with Jean's record open for a reason, as after the search page."""
    client.force_login(call_handler)
    assert client.post(f"/staff/people/{jean.reference}/", {"reason": OPEN_REASON}).status_code == 200
    return client


def _token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def _entries(person, action) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(person_id=str(person.pk), action=action).order_by("seq"))


# --- crimes ---------------------------------------------------------------------------------------

def test_linking_to_a_crime_refuses_an_unknown_reference_then_lists_the_crime(opened, call_handler, jean):
    crime = routed_crime(actor=call_handler)
    url = f"/staff/people/{jean.reference}/crimes/new/"
    form = opened.get(url).content.decode()
    assert "Crime reference" in form and "Their part in the crime" in form
    data = {"form_token": _token(form), "crime_reference": "CR000009999", "role": "witness",
            "reason": "Saw the theft from the bus stop"}
    bad = opened.post(url, data)
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "There is a problem" in html and "Enter a crime reference that exists, like CR000000042" in html
    assert 'href="#id_crime_reference"' in html
    assert 'value="CR000009999"' in html and 'value="Saw the theft from the bus stop"' in html
    assert re.search(r'value="witness" checked', html)

    data["crime_reference"] = crime.reference.lower()
    assert opened.post(url, data).status_code == 302
    assert opened.post(url, data).status_code == 302  # a double click
    assert PersonLink.objects.filter(person=jean).count() == 1
    [entry] = _entries(jean, Action.ALTERATION)
    assert entry.reason == "Saw the theft from the bus stop"

    record = opened.get(f"/staff/people/{jean.reference}/").content.decode()
    assert "Linked to the crime" in record
    crimes = record[record.index('data-testid="crimes"'):]
    assert crime.reference in crimes and "Shoplifting" in crimes and "Recorded" in crimes and "Witness" in crimes


def test_the_same_role_in_the_same_crime_is_refused_on_the_page(opened, call_handler, jean):
    crime = routed_crime(actor=call_handler)
    record_crime_link(actor=call_handler, person=jean, crime_reference=crime.reference, role="victim")
    response = opened.post(f"/staff/people/{jean.reference}/crimes/new/",
                           {"crime_reference": crime.reference, "role": "victim", "reason": "Her report"})
    assert response.status_code == 400
    assert f"They are already linked to {crime.reference} as victim" in response.content.decode()


def test_removing_a_link_asks_are_you_sure_and_needs_a_reason(opened, call_handler, jean):
    crime = routed_crime(actor=call_handler)
    link = record_crime_link(actor=call_handler, person=jean, crime_reference=crime.reference, role="suspect")
    url = f"/staff/people/{jean.reference}/crimes/{link.pk}/remove/"
    page = opened.get(url).content.decode()
    assert "Are you sure you want to remove this link to a crime?" in page
    assert crime.reference in page and "Shoplifting" in page and "Suspect" in page
    assert "govuk-button--warning" in page
    missing = opened.post(url, {"form_token": _token(page)})
    assert missing.status_code == 400 and "Enter the reason for removing it" in missing.content.decode()
    assert PersonLink.objects.filter(pk=link.pk).exists()

    data = {"form_token": _token(page), "reason": "A different Jean Ashworth"}
    assert opened.post(url, data).status_code == 302
    # The second click of a double click finds the link gone, and says it is done rather than "not found".
    again = opened.post(url, data)
    assert again.status_code == 302 and again["Location"] == f"/staff/people/{jean.reference}/"
    assert not PersonLink.objects.filter(pk=link.pk).exists()
    [entry] = _entries(jean, Action.ERASURE)
    assert entry.reason == "A different Jean Ashworth"


# --- moving house ---------------------------------------------------------------------------------

def test_moving_address_finds_addresses_by_postcode_and_keeps_everything_on_an_error(opened, jean):
    known = record_address(number_or_name="3", street="Greengate Street", town="Stafford", postcode="ST16 2DH")
    url = f"/staff/people/{jean.reference}/address/move/"
    first = opened.get(url).content.decode()
    assert "Postcode of the new address" in first and "Find addresses" in first

    bad = opened.post(url, {"step": "find", "postcode": "ST16"})
    assert bad.status_code == 400
    assert "Enter a full UK postcode, like ST16 2DH" in bad.content.decode()
    assert 'value="ST16"' in bad.content.decode()
    assert bad.content.decode().count("<title>Error:") == 1

    found = opened.post(url, {"step": "find", "postcode": "st162dh"}).content.decode()
    assert "ST16 2DH" in found and "3 Greengate Street, Stafford, ST16 2DH" in found
    assert f'value="{known.pk}"' in found and "The address is not listed" in found

    next_year = str(timezone.localdate().year + 1)
    data = {"form_token": _token(found), "postcode": "ST16 2DH", "address": "new", "number_or_name": "Flat 2",
            "street": "Greengate Street", "town": "Stafford", "from_date_day": "14", "from_date_month": "6",
            "from_date_year": next_year, "reason": "Moved into sheltered housing"}
    future = opened.post(url, data)
    assert future.status_code == 400
    html = future.content.decode()
    assert "The date they moved must be today or in the past" in html
    for typed in ("Flat 2", "Greengate Street", "Stafford", next_year, "Moved into sheltered housing"):
        assert f'value="{typed}"' in html
    assert re.search(r'value="new" checked', html)

    data["from_date_year"] = "2025"
    done = opened.post(url, data)
    assert done.status_code == 302
    assert opened.post(url, data).status_code == 302  # a refresh moves nobody twice
    assert HouseholdMembership.objects.filter(person=jean).count() == 2

    record = opened.get(f"/staff/people/{jean.reference}/").content.decode()
    addresses = record[record.index('data-testid="addresses"'):record.index("</table>", record.index('data-testid="addresses"'))]
    rows = addresses.split('<tr class="govuk-table__row">')[2:]
    assert "Flat 2 Greengate Street, Stafford, ST16 2DH" in rows[0] and "Current" in rows[0]
    assert "7 Wolverhampton Road, Stafford, ST17 4AW" in rows[1] and "Former" in rows[1]
    assert "13 Jun 2025" in rows[1]


def test_a_move_date_before_the_current_address_began_is_named(opened, jean):
    url = f"/staff/people/{jean.reference}/address/move/"
    response = opened.post(url, {"postcode": "ST16 2DH", "address": "new", "street": "Greengate Street",
                                 "from_date_day": "1", "from_date_month": "1", "from_date_year": "2000",
                                 "reason": "Old letter"})
    assert response.status_code == 400
    assert "must be after 1 April 2001, when they started living at their current address" in response.content.decode()
    assert HouseholdMembership.objects.filter(person=jean).count() == 1


# --- phones, e-mails, identifiers ------------------------------------------------------------------

def test_removing_a_phone_from_the_page_stops_search_finding_her_by_it(opened, call_handler, jean):
    add_phone(actor=call_handler, person=jean, number="01785 000 111", kind="home")
    wrong = add_phone(actor=call_handler, person=jean, number="07700 900 982", kind="mobile")
    record = opened.get(f"/staff/people/{jean.reference}/").content.decode()
    assert f"/staff/people/{jean.reference}/phones/{wrong.pk}/remove/" in record
    url = f"/staff/people/{jean.reference}/phones/{wrong.pk}/remove/"
    page = opened.get(url).content.decode()
    assert "Are you sure you want to remove this phone number?" in page and "+447700900982" in page
    assert opened.post(url, {"form_token": _token(page), "reason": "Her neighbour's"}).status_code == 302
    found = search_people(actor=call_handler, reason="Caller", phone="07700 900982")
    assert jean.reference not in [r.reference for r in found]
    assert "+447700900982" not in opened.get(f"/staff/people/{jean.reference}/").content.decode()


def test_correcting_the_kind_of_a_phone(opened, call_handler, jean):
    phone = add_phone(actor=call_handler, person=jean, number="01785 000 111", kind="mobile")
    url = f"/staff/people/{jean.reference}/phones/{phone.pk}/kind/"
    page = opened.get(url).content.decode()
    assert re.search(r'value="mobile" checked', page) and "+441785000111" in page
    assert opened.post(url, {"kind": "home", "reason": "It is her landline"}).status_code == 302
    phone.refresh_from_db()
    assert phone.kind == "home"
    assert "+441785000111 (home)" in opened.get(f"/staff/people/{jean.reference}/").content.decode()


def test_a_main_number_with_no_row_of_its_own_can_be_removed(client, call_handler):
    caller = record_person(actor=call_handler, given_name="Rob", family_name="Hale", phone_e164="07700 900 555")
    client.force_login(call_handler)
    record = client.post(f"/staff/people/{caller.reference}/", {"reason": "Wrong number noticed"}).content.decode()
    url = f"/staff/people/{caller.reference}/phones/main/remove/"
    assert url in record
    assert client.post(url, {"reason": "Typed another caller's number"}).status_code == 302
    caller.refresh_from_db()
    assert caller.phone_e164 == ""
    assert client.get(url).status_code == 404


def test_removing_an_email_and_an_identifier(opened, call_handler, jean):
    from people.services import add_email

    email = add_email(actor=call_handler, person=jean, address="jean@example.org")
    identifier = add_identifier(actor=call_handler, person=jean, kind="nhs_number", value="943 476 5919")
    page = opened.get(f"/staff/people/{jean.reference}/emails/{email.pk}/remove/").content.decode()
    assert "Are you sure you want to remove this e-mail address?" in page and "jean@example.org" in page
    assert opened.post(f"/staff/people/{jean.reference}/emails/{email.pk}/remove/",
                       {"reason": "Her daughter's"}).status_code == 302
    page = opened.get(f"/staff/people/{jean.reference}/identifiers/{identifier.pk}/remove/").content.decode()
    assert "Are you sure you want to remove this identifier?" in page and "943 476 5919" in page
    assert opened.post(f"/staff/people/{jean.reference}/identifiers/{identifier.pk}/remove/",
                       {"reason": "Another patient's"}).status_code == 302
    jean.refresh_from_db()
    assert jean.email == "" and not PersonIdentifier.objects.filter(person=jean).exists()
    assert [e.detail["item"] for e in _entries(jean, Action.ERASURE)] == ["email", "identifier"]


def test_an_item_of_someone_else_is_not_found_from_this_record(opened, call_handler, jean):
    other = record_person(actor=call_handler, given_name="Ann", family_name="Lee")
    phone = add_phone(actor=call_handler, person=other, number="07700 900 111")
    response = opened.post(f"/staff/people/{jean.reference}/phones/{phone.pk}/remove/", {"reason": "x"})
    assert response.status_code == 404
    assert PersonPhone.objects.filter(pk=phone.pk).exists()


def test_staff_who_only_search_cannot_remove_link_or_move(client, make_user, call_handler, jean):
    phone = add_phone(actor=call_handler, person=jean, number="07700 900 982")
    analyst = make_user("analyst", username="analyst3")
    client.force_login(analyst)
    for url, data in (
        (f"/staff/people/{jean.reference}/phones/{phone.pk}/remove/", {"reason": "x"}),
        (f"/staff/people/{jean.reference}/crimes/new/", {"crime_reference": "CR000000001", "role": "victim",
                                                         "reason": "x"}),
        (f"/staff/people/{jean.reference}/address/move/", {"step": "find", "postcode": "ST16 2DH"}),
    ):
        assert client.post(url, data).status_code == 403
    assert PersonPhone.objects.filter(pk=phone.pk).exists()
    assert _entries(jean, Action.ERASURE) == []


def test_a_record_opened_long_ago_is_asked_for_again_before_a_removal(client, call_handler, jean):
    phone = add_phone(actor=call_handler, person=jean, number="07700 900 982")
    client.force_login(call_handler)
    response = client.post(f"/staff/people/{jean.reference}/phones/{phone.pk}/remove/", {"reason": "x"})
    assert response.status_code == 302 and response["Location"] == f"/staff/people/{jean.reference}/"
    assert PersonPhone.objects.filter(pk=phone.pk).exists()


def test_a_crime_that_names_her_as_victim_is_listed_once_and_changed_on_the_crime(opened, call_handler, jean):
    reported = routed_crime(actor=call_handler, victim=jean)
    record = opened.get(f"/staff/people/{jean.reference}/").content.decode()
    crimes = record[record.index('data-testid="crimes"'):record.index("</table>", record.index('data-testid="crimes"'))]
    assert reported.reference in crimes and "Shoplifting" in crimes and "Victim" in crimes
    assert "Named on the crime" in crimes and "/remove/" not in crimes

    # Linked here as victim as well: one row, the link, which can be removed.
    link = record_crime_link(actor=call_handler, person=jean, crime_reference=reported.reference, role="victim")
    record = opened.get(f"/staff/people/{jean.reference}/").content.decode()
    crimes = record[record.index('data-testid="crimes"'):record.index("</table>", record.index('data-testid="crimes"'))]
    assert crimes.count(reported.reference) == 2  # the cell and the remove link's hidden text
    assert f"/crimes/{link.pk}/remove/" in crimes and "Named on the crime" not in crimes


def test_an_address_not_at_the_postcode_is_named_as_the_field_to_correct(opened, jean):
    elsewhere = record_address(number_or_name="9", street="Eastgate Street", postcode="ST16 2LZ")
    response = opened.post(f"/staff/people/{jean.reference}/address/move/", {
        "postcode": "ST16 2DH", "address": str(elsewhere.pk), "from_date_day": "14", "from_date_month": "6",
        "from_date_year": "2025", "reason": "Letter from the council"})
    assert response.status_code == 400
    assert "Select one of the addresses at this postcode, or that it is not listed" in response.content.decode()
    assert HouseholdMembership.objects.filter(person=jean).count() == 1


@pytest.mark.parametrize("path", ["address/move/", "phones/new/", "identifiers/new/", "details/"])
def test_each_change_page_leads_back_to_the_record_and_names_the_person_above_its_heading(opened, jean, path):
    """The move page and the change pages share one header: breadcrumbs to the search and the record,
    the person's name and reference as the caption, and the page's own heading, once each."""
    html = opened.get(f"/staff/people/{jean.reference}/{path}").content.decode()
    crumbs = re.search(r'<nav class="govuk-breadcrumbs".*?</nav>', html, re.S).group(0)
    assert 'href="/staff/people/">Find a person</a>' in crumbs
    assert f'href="/staff/people/{jean.reference}/">{jean.reference}</a>' in crumbs
    assert html.count('class="govuk-breadcrumbs"') == 1
    caption = re.search(r'<span class="govuk-caption-l">([^<]*)</span>\s*<h1 class="govuk-heading-l">([^<]+)</h1>', html)
    assert caption.group(1) == f"Jean Ashworth · {jean.reference}"
    title = re.search(r"<title>([^<]*)</title>", html).group(1)
    assert caption.group(2).strip() in title
