"""The person-index pages and API: search, open a record for a reason, refusals, named errors."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.services import issue_api_token
from audit.models import Action, AuditEntry
from people.services import record_address, record_person, record_vulnerability

SEARCH_URL = "/staff/people/"
API_SEARCH = "/api/people/search"


@pytest.fixture
def robert(call_handler):
    home = record_address(number_or_name="12", street="Eastgate Street", town="Stafford", postcode="ST16 2DH")
    person = record_person(actor=call_handler, given_name="Robert", family_name="Smith",
                           date_of_birth=date(1984, 3, 5), phone_e164="07700 900123", address=home)
    record_vulnerability(actor=call_handler, person=person, kind="mental_health", from_date=date(2024, 1, 2),
                         source="Partner referral")
    return person


def test_the_search_page_finds_a_person_with_score_and_reasons(client, call_handler, robert):
    client.force_login(call_handler)
    response = client.get(SEARCH_URL, {"name": "Bob Smiht", "dob_day": "3", "dob_month": "5", "dob_year": "1984",
                                       "reason": "101 call about a theft"})
    assert response.status_code == 200
    html = response.content.decode()
    assert robert.reference in html
    assert "given name is a short or pet form of the other" in html
    assert "date of birth agrees with day and month swapped" in html
    entry = AuditEntry.objects.latest("seq")
    assert (entry.subject_type, entry.reason) == ("people.search", "101 call about a theft")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dob_day": "31", "dob_month": "2", "dob_year": "1990"}, "Date of birth must be a real date"),
        ({"dob_day": "1", "dob_month": "1", "dob_year": str(timezone.localdate().year + 1)},
         "Date of birth must be today or in the past"),
        ({"phone": "12345"}, "Enter a phone number"),
    ],
)
def test_bad_input_is_named_and_what_was_typed_is_kept(client, call_handler, robert, params, message):
    client.force_login(call_handler)
    before = AuditEntry.objects.count()
    response = client.get(SEARCH_URL, {"name": "Robert Smith", **params, "reason": "Checking"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert 'value="Robert Smith"' in html
    for value in params.values():
        assert f'value="{value}"' in html
    assert AuditEntry.objects.count() == before


def test_opening_a_record_asks_for_a_reason_that_defaults_from_the_search(client, call_handler, robert):
    client.force_login(call_handler)
    url = f"/staff/people/{robert.reference}/"
    asked = client.get(url, {"context": "101 call about a theft"})
    assert asked.status_code == 200
    assert 'value="101 call about a theft"' in asked.content.decode()
    assert not AuditEntry.objects.filter(subject_type="people.person", action=Action.CONSULTATION).exists()

    empty = client.post(url, {"reason": " "})
    assert empty.status_code == 400 and "Enter the reason for opening this record" in empty.content.decode()

    opened = client.post(url, {"reason": "101 call about a theft"})
    assert opened.status_code == 200
    html = opened.content.decode()
    assert "Mental health" in html and "Partner referral" in html and "ST16 2DH" in html
    entry = AuditEntry.objects.get(subject_type="people.person", action=Action.CONSULTATION)
    assert (entry.person_id, entry.reason) == (str(robert.pk), "101 call about a theft")


def test_staff_without_the_permission_are_refused_alike_for_any_reference(client, make_user, robert):
    client.force_login(make_user("analyst"))
    responses = [client.post(f"/staff/people/{ref}/", {"reason": "Curious"}) for ref in (robert.reference, "P99999999")]
    assert [r.status_code for r in responses] == [403, 403]
    # The pages differ only by the per-request script nonce and form token.
    bodies = [re.sub(r'(nonce|value)="[^"]*"', "", r.content.decode()) for r in responses]
    assert bodies[0] == bodies[1]
    assert client.get(SEARCH_URL, {"name": "Robert Smith", "reason": "x"}).status_code == 403
    assert not AuditEntry.objects.filter(action=Action.CONSULTATION).exists()


def test_the_api_searches_with_a_scoped_token_and_logs_under_its_name(client, robert):
    _, token = issue_api_token(name="Bench", scopes=["people:read"], issued_by=None)
    response = client.get(API_SEARCH, {"name": "Robert Smith", "dob": "1984-05-03", "phone": "+44 7700 900123",
                                       "reason": "Load test"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["reference"] == robert.reference
    assert first["score"] == 100
    assert {r["field"] for r in first["reasons"] if r["agrees"]} == {"family_name", "given_name", "date_of_birth", "phone"}
    entry = AuditEntry.objects.latest("seq")
    assert (entry.subject_type, entry.actor_label, entry.actor_id) == ("people.search", "api token: Bench", None)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"dob": "1990-02-31"}, "dob"), ({"dob": "yesterday"}, "dob"),
     ({"dob": (timezone.localdate() + timedelta(days=2)).isoformat()}, "dob"), ({"phone": "abc"}, "phone"),
     ({"name": "Rob\x00ert"}, "name")],
)
def test_the_api_names_the_bad_field(client, robert, params, field):
    _, token = issue_api_token(name="Bench", scopes=["people:read"], issued_by=None)
    response = client.get(API_SEARCH, {"name": "Robert Smith", **params, "reason": "Load test"},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_the_api_refuses_a_token_without_the_scope_and_staff_without_the_permission(client, make_user, robert):
    _, token = issue_api_token(name="Telephony", scopes=["telephony:write"], issued_by=None)
    assert client.get(API_SEARCH, {"name": "Robert Smith", "reason": "x"},
                      headers={"Authorization": f"Bearer {token}"}).status_code == 403
    client.force_login(make_user("analyst"))
    assert client.get(API_SEARCH, {"name": "Robert Smith", "reason": "x"}).status_code == 403
    assert client.get(f"/api/people/persons/{robert.reference}", {"reason": "x"}).status_code == 403
    assert not AuditEntry.objects.filter(action=Action.CONSULTATION).exists()


def test_the_api_opens_a_record_for_a_reason(client, call_handler, robert):
    client.force_login(call_handler)
    response = client.get(f"/api/people/persons/{robert.reference}", {"reason": "Checking a caller"})
    assert response.status_code == 200
    assert response.json()["vulnerabilities"] == ["mental_health"]
    assert client.get("/api/people/persons/P99999999", {"reason": "Checking"}).status_code == 404
