"""Changing a person's record through the staff pages: each change audited with its reason, bad input named."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import Action, AuditEntry
from people.models import PersonIdentifier, PersonName, PersonPhone, VulnerabilityMarker
from people.selectors import search_people
from people.services import record_address, record_person, record_vulnerability

OPEN_REASON = "101 call from her daughter"


@pytest.fixture
def jean(call_handler):
    home = record_address(number_or_name="7", street="Wolverhampton Road", town="Stafford", postcode="ST17 4AW")
    return record_person(actor=call_handler, given_name="Jean", family_name="Ashworth",
                         date_of_birth=date(1941, 9, 2), address=home)


@pytest.fixture
def opened(client, call_handler, jean):
    """A call handler signed in with Jean's record open for a reason, as after the search page."""
    client.force_login(call_handler)
    response = client.post(f"/staff/people/{jean.reference}/", {"reason": OPEN_REASON})
    assert response.status_code == 200
    return client


def _token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def _alterations(person) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(person_id=str(person.pk), action=Action.ALTERATION).order_by("seq"))


def test_a_change_page_asks_why_the_record_is_open_first(client, call_handler, jean):
    client.force_login(call_handler)
    response = client.get(f"/staff/people/{jean.reference}/vulnerabilities/new/")
    assert response.status_code == 302 and response["Location"] == f"/staff/people/{jean.reference}/"


def test_adding_a_vulnerability_marker_is_audited_with_its_reason_and_made_once(opened, jean):
    url = f"/staff/people/{jean.reference}/vulnerabilities/new/"
    form = opened.get(url)
    assert form.status_code == 200 and "Jean Ashworth" in form.content.decode()
    # Reading the form page is a consultation under the reason the record was opened for.
    assert AuditEntry.objects.filter(person_id=str(jean.pk), action=Action.CONSULTATION, reason=OPEN_REASON).count() == 2
    data = {"form_token": _token(form.content.decode()), "kind": "elderly", "from_date_day": "3",
            "from_date_month": "11", "from_date_year": "2025", "source": "Adult social care referral",
            "reason": "Daughter says she is confused and wanders at night"}
    first = opened.post(url, data)
    assert first.status_code == 302 and first["Location"] == f"/staff/people/{jean.reference}/"
    again = opened.post(url, data)  # a double click or a refresh
    assert again.status_code == 302
    marker = VulnerabilityMarker.objects.get(person=jean)
    assert (marker.kind, marker.from_date, marker.source, marker.to_date) == (
        "elderly", date(2025, 11, 3), "Adult social care referral", None)
    [entry] = _alterations(jean)
    assert entry.reason == "Daughter says she is confused and wanders at night"
    assert entry.detail["fields"] == ["vulnerabilities"]

    # Back on the record (no second question): the marker with its dates and source.
    record = opened.get(first["Location"]).content.decode()
    assert "Vulnerability marker added" in record
    assert "Elderly" in record and "3 Nov 2025" in record and "Adult social care referral" in record


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        (("31", "2", "2025"), "Applies from must be a real date"),
        (("1", "1", str(timezone.localdate().year + 1)), "The start date must be today or in the past"),
        (("", "", ""), "Enter the date it applies from"),
    ],
)
def test_a_bad_start_date_is_named_and_what_was_typed_is_kept(opened, jean, boxes, message):
    url = f"/staff/people/{jean.reference}/vulnerabilities/new/"
    day, month, year = boxes
    response = opened.post(url, {"kind": "mental_health", "from_date_day": day, "from_date_month": month,
                                 "from_date_year": year, "source": "Street triage team", "reason": "Call today"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert 'value="Street triage team"' in html and 'value="Call today"' in html
    assert re.search(r'value="mental_health" checked', html)
    if year:
        assert f'value="{year}"' in html
    assert not VulnerabilityMarker.objects.exists()
    assert _alterations(jean) == []


def test_ending_a_marker_keeps_it_in_the_history_with_its_end_date(opened, call_handler, jean):
    marker = record_vulnerability(actor=call_handler, person=jean, kind="communication",
                                  from_date=date(2024, 5, 1), source="Contact C000000012")
    url = f"/staff/people/{jean.reference}/vulnerabilities/{marker.pk}/end/"
    page = opened.get(url).content.decode()
    assert "Language or communication needs" in page and "Contact C000000012" in page
    early = opened.post(url, {"to_date_day": "1", "to_date_month": "1", "to_date_year": "2024", "reason": "Interpreter no longer needed"})
    assert early.status_code == 400
    assert "The end date must be the same as or after the start date" in early.content.decode()
    done = opened.post(url, {"to_date_day": "20", "to_date_month": "11", "to_date_year": "2026",
                             "reason": "Interpreter no longer needed"})
    assert done.status_code == 302
    marker.refresh_from_db()
    assert marker.to_date == date(2026, 11, 20)
    assert _alterations(jean)[-1].detail == {"fields": ["vulnerabilities"], "kind": "communication", "ended": True}
    assert _alterations(jean)[-1].reason == "Interpreter no longer needed"


def test_a_marker_of_someone_else_cannot_be_ended_from_this_record(opened, call_handler, jean):
    other = record_person(actor=call_handler, given_name="Ann", family_name="Lee")
    marker = record_vulnerability(actor=call_handler, person=other, kind="child", from_date=date(2024, 5, 1),
                                  source="School")
    response = opened.post(f"/staff/people/{jean.reference}/vulnerabilities/{marker.pk}/end/",
                           {"to_date_day": "1", "to_date_month": "6", "to_date_year": "2025", "reason": "x"})
    assert response.status_code == 404
    marker.refresh_from_db()
    assert marker.to_date is None


def test_a_number_that_is_not_a_phone_number_is_named_and_kept(opened, jean):
    url = f"/staff/people/{jean.reference}/phones/new/"
    bad = opened.post(url, {"number": "12345", "kind": "home", "reason": "Daughter gave it"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Enter a phone number, like 01632 960 001" in html and 'value="12345"' in html
    good = opened.post(url, {"number": "01785 000 111", "kind": "home", "reason": "Daughter gave it"})
    assert good.status_code == 302
    assert PersonPhone.objects.get(person=jean).number == "+441785000111"
    jean.refresh_from_db()
    assert jean.phone_e164 == "+441785000111"
    assert _alterations(jean)[-1].reason == "Daughter gave it"


def test_a_future_or_impossible_date_of_birth_is_named_and_kept(opened, jean):
    url = f"/staff/people/{jean.reference}/details/"
    form = opened.get(url).content.decode()
    assert 'value="Ashworth"' in form and 'value="1941"' in form
    next_year = str(timezone.localdate().year + 1)
    future = opened.post(url, {"given_name": "Jean", "family_name": "Ashworth", "date_of_birth_day": "2",
                               "date_of_birth_month": "9", "date_of_birth_year": next_year, "gender": "female",
                               "reason": "Corrected from her bus pass"})
    assert future.status_code == 400
    assert "Date of birth must be today or in the past" in future.content.decode()
    assert f'value="{next_year}"' in future.content.decode()
    impossible = opened.post(url, {"given_name": "Jean", "family_name": "Ashworth", "date_of_birth_day": "30",
                                   "date_of_birth_month": "2", "date_of_birth_year": "1941", "gender": "female",
                                   "reason": "Corrected from her bus pass"})
    assert "Date of birth must be a real date" in impossible.content.decode()
    done = opened.post(url, {"given_name": "Jean", "family_name": "Ashworth", "date_of_birth_day": "9",
                             "date_of_birth_month": "2", "date_of_birth_year": "1941", "gender": "female",
                             "reason": "Corrected from her bus pass"})
    assert done.status_code == 302
    jean.refresh_from_db()
    assert (jean.date_of_birth, jean.gender) == (date(1941, 2, 9), "female")
    assert _alterations(jean)[-1].detail == {"fields": ["date_of_birth", "gender"]}


def test_identifiers_are_checked_against_their_format(opened, jean):
    url = f"/staff/people/{jean.reference}/identifiers/new/"
    bad = opened.post(url, {"kind": "nhs_number", "value": "943 476 5918", "reason": "From the GP"})
    assert bad.status_code == 400 and 'value="943 476 5918"' in bad.content.decode()
    assert "NHS number" in bad.content.decode()
    good = opened.post(url, {"kind": "nhs_number", "value": "943 476 5919", "reason": "From the GP"})
    assert good.status_code == 302
    assert PersonIdentifier.objects.get(person=jean).value == "943 476 5919"


def test_another_name_is_searched_like_the_current_one(opened, call_handler, jean):
    url = f"/staff/people/{jean.reference}/names/new/"
    missing = opened.post(url, {"kind": "birth", "given_name": "Jean", "family_name": "", "reason": "Marriage record"})
    assert "Enter the family name (surname)" in missing.content.decode()
    form = opened.get(url).content.decode()
    data = {"form_token": _token(form), "kind": "birth", "given_name": "Jean", "family_name": "Pargeter",
            "reason": "Marriage record"}
    assert opened.post(url, data).status_code == 302
    assert opened.post(url, data).status_code == 302
    assert PersonName.objects.filter(person=jean).count() == 1
    found = search_people(actor=call_handler, reason="Caller", name="Jean Pargeter", dob=date(1941, 9, 2))
    assert found[0].reference == jean.reference


def test_a_bad_email_is_named_and_a_good_one_added(opened, jean):
    url = f"/staff/people/{jean.reference}/emails/new/"
    bad = opened.post(url, {"address": "jean.ashworth@", "reason": "Given on the call"})
    assert "Enter an e-mail address in the correct format" in bad.content.decode()
    assert opened.post(url, {"address": "Jean.Ashworth@example.org", "reason": "Given on the call"}).status_code == 302
    jean.refresh_from_db()
    assert jean.email == "jean.ashworth@example.org"


def test_every_change_needs_a_reason(opened, jean):
    response = opened.post(f"/staff/people/{jean.reference}/emails/new/", {"address": "jean@example.org"})
    assert response.status_code == 400
    assert "Enter the reason for this change" in response.content.decode()
    assert _alterations(jean) == []


def test_staff_who_only_search_or_have_no_role_cannot_change_records(client, make_user, jean):
    for user in (make_user(None, username="norole2"), make_user("analyst", username="analyst2")):
        client.force_login(user)
        response = client.post(f"/staff/people/{jean.reference}/emails/new/",
                               {"address": "jean@example.org", "reason": "x"})
        assert response.status_code == 403
    assert _alterations(jean) == []


def test_the_reason_a_record_was_opened_for_lapses(opened, jean, monkeypatch):
    from people import views

    monkeypatch.setattr(views, "OPEN_FOR", timedelta(seconds=-1))
    asked = opened.get(f"/staff/people/{jean.reference}/")
    assert "Why are you opening record" in asked.content.decode()
