"""The data protection officer's page: who may see it, filtering, validation, export, pagination."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.forms import DATE_ORDER
from audit.models import AuditEntry
from audit.services import LOG_PURPOSES, record_entry

from .helpers import run_sql, tampering, write_entries

SEARCH = reverse("audit:search")
EXPORT = reverse("audit:export")


def without_nonces(content: bytes) -> bytes:
    """The page with its per-request CSP nonces and CSRF tokens blanked, so two responses can be compared."""
    content = re.sub(rb'nonce="[^"]*"', b'nonce=""', content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b'name="csrfmiddlewaretoken" value=""', content)


def rows_shown(response) -> list[int]:
    """The seq of each entry in the results table, top to bottom."""
    html = response.content.decode()
    return [int(part.split('"', 1)[0]) for part in html.split('data-seq="')[1:]]


@pytest.fixture
def two_handlers_log(make_user):
    """Handler A consulted persons 11 and 12; handler B consulted person 11 and disclosed it."""
    handler_a = make_user("call-handler", username="handler-a")
    handler_b = make_user("investigator", username="handler-b")
    with transaction.atomic():
        record_entry(actor=handler_a, action="consultation", subject_type="people.person", subject_id="11",
                     person_id="11", reason="Caller's history at first contact")
        record_entry(actor=handler_a, action="consultation", subject_type="people.person", subject_id="12",
                     person_id="12", reason="Household check")
        record_entry(actor=handler_b, action="consultation", subject_type="cases.crime", subject_id="5",
                     person_id="11", reason="Investigation of crime 5")
        record_entry(actor=handler_b, action="disclosure", subject_type="people.person", subject_id="11",
                     person_id="11", reason="=HYPERLINK(\"http://x\")", recipients=["MARAC coordinator"])
    return handler_a, handler_b


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(SEARCH + "?person_id=11")
    assert response.status_code == 302
    assert reverse("accounts:sign-in") in response["Location"]


@pytest.mark.parametrize("url", [SEARCH, EXPORT])
@pytest.mark.parametrize("role", [None, "call-handler", "supervisor", "administrator"])
def test_staff_without_the_permission_are_refused_and_learn_nothing(client, make_user, two_handlers_log, url, role):
    """A refusal looks the same whether the person searched for has entries or not, and logs no search."""
    client.force_login(make_user(role, username="nosy"))
    with_entries = client.get(url + "?person_id=11")
    without_entries = client.get(url + "?person_id=999")
    assert with_entries.status_code == without_entries.status_code == 403
    assert without_nonces(with_entries.content) == without_nonces(without_entries.content)
    assert b"person_id" not in with_entries.content
    assert b"handler-a" not in with_entries.content
    assert AuditEntry.objects.count() == 4


def test_the_dpo_sees_every_entry_newest_first(client, dpo, two_handlers_log):
    client.force_login(dpo)
    response = client.get(SEARCH)
    assert response.status_code == 200
    # Entry 5 is the DPO's own search, logged before the results are read.
    assert rows_shown(response) == [5, 4, 3, 2, 1]
    html = response.content.decode()
    for heading in ("When", "Who", "Action", "Record", "Person", "Reason", "Recipients", "Source"):
        assert f'<th scope="col" class="govuk-table__header">{heading}</th>' in html
    assert "MARAC coordinator" in html
    assert "Caller&#x27;s history at first contact" in html


def test_filter_by_person(client, dpo, two_handlers_log):
    client.force_login(dpo)
    response = client.get(SEARCH, {"person_id": "11"})
    # 1, 3 and 4 are about person 11; 5 is this search, which is a consultation of person 11's log.
    assert rows_shown(response) == [5, 4, 3, 1]


def test_filter_by_user(client, dpo, two_handlers_log):
    client.force_login(dpo)
    assert rows_shown(client.get(SEARCH, {"username": "handler-a"})) == [2, 1]
    assert rows_shown(client.get(SEARCH, {"username": "handler-b"})) == [4, 3]


def test_a_renamed_user_is_found_under_either_name(client, dpo, two_handlers_log):
    handler_a, _ = two_handlers_log
    handler_a.username = "handler-a-renamed"
    handler_a.save()
    client.force_login(dpo)
    assert rows_shown(client.get(SEARCH, {"username": "handler-a"})) == [2, 1]
    assert rows_shown(client.get(SEARCH, {"username": "handler-a-renamed"})) == [2, 1]


def test_filters_combine(client, dpo, two_handlers_log):
    client.force_login(dpo)
    response = client.get(SEARCH, {"person_id": "11", "username": "handler-b", "action": "disclosure"})
    assert rows_shown(response) == [4]
    response = client.get(SEARCH, {"subject_type": "cases.crime"})
    assert rows_shown(response) == [3]


def test_filter_by_dates_in_london_time(client, dpo, two_handlers_log):
    """A day is a day in Europe/London: yesterday's entries drop out when 'From' is today."""
    with tampering():
        run_sql("UPDATE audit_auditentry SET occurred_at = %s WHERE seq = 1", [timezone.now() - timedelta(days=3)])
    client.force_login(dpo)
    today = timezone.localdate()
    response = client.get(SEARCH, {"date_from_day": today.day, "date_from_month": today.month,
                                   "date_from_year": today.year, "username": "handler-a"})
    assert rows_shown(response) == [2]
    earlier = today - timedelta(days=3)
    response = client.get(SEARCH, {"date_to_day": earlier.day, "date_to_month": earlier.month,
                                   "date_to_year": earlier.year})
    assert rows_shown(response) == [1]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from_day": "10", "date_from_month": "3", "date_from_year": "2026",
          "date_to_day": "9", "date_to_month": "3", "date_to_year": "2026"}, DATE_ORDER),
        ({"date_from_day": "31", "date_from_month": "2", "date_from_year": "2026"},
         "&#x27;From&#x27; date must be a real date, for example 27 3 2026"),
        ({"date_to_day": "1", "date_to_month": "1", "date_to_year": "2999"},
         "&#x27;To&#x27; date must be today or in the past"),
        ({"subject_type": "person"},
         "Record type must be an app and a record joined by a full stop, for example people.person"),
        ({"person_id": "9" * 65}, "Person ID must be 64 characters or fewer"),
        ({"action": "peek"}, "Action must be one of the actions listed"),
    ],
)
def test_bad_filters_get_a_message_naming_the_field(client, dpo, two_handlers_log, query, message):
    client.force_login(dpo)
    response = client.get(SEARCH, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert message.replace("'", "&#x27;") in html
    # What was typed is shown again, and nothing is searched or logged.
    typed = next(value for key, value in query.items() if key != "action") if "action" not in query else None
    if typed:
        assert f'value="{typed}"' in html
    assert rows_shown(response) == []
    assert AuditEntry.objects.count() == 4


def test_the_to_date_error_is_the_one_the_spec_names(client, dpo, db):
    assert DATE_ORDER == "'To' date must be the same as or after the 'From' date"


def test_each_search_is_logged_as_a_consultation_with_its_purpose(client, dpo, two_handlers_log):
    client.force_login(dpo)
    client.get(SEARCH, {"person_id": "11", "purpose": "self-monitoring"})
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.subject_type, entry.actor_id) == ("consultation", "audit.search", dpo.pk)
    assert entry.person_id == "11"
    assert entry.reason == LOG_PURPOSES["self-monitoring"]
    assert entry.detail == {"filters": {"person_id": "11"}}


def test_the_export_streams_the_filtered_entries_as_csv(client, dpo, two_handlers_log):
    client.force_login(dpo)
    response = client.get(EXPORT, {"person_id": "11"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["seq", "when", "who", "action"]
    # The export's own disclosure (5) is logged before the rows are read.
    assert [row[0] for row in rows[1:]] == ["5", "4", "3", "1"]
    disclosure = dict(zip(rows[0], rows[2], strict=True))
    assert disclosure["who"] == "handler-b"
    assert disclosure["recipients"] == "MARAC coordinator"
    # A reason that a spreadsheet would run as a formula is written as text.
    assert disclosure["reason"] == "'=HYPERLINK(\"http://x\")"


def test_the_export_is_logged_as_a_disclosure_to_the_dpo(client, dpo, two_handlers_log):
    client.force_login(dpo)
    b"".join(client.get(EXPORT, {"username": "handler-a"}).streaming_content)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.subject_type, entry.subject_id) == ("disclosure", "audit.search", "export")
    assert entry.recipients == ["dpo1"]
    assert entry.detail == {"filters": {"username": "handler-a"}, "rows": 2, "format": "csv"}


def test_an_export_with_bad_filters_shows_the_errors(client, dpo, two_handlers_log):
    client.force_login(dpo)
    response = client.get(EXPORT, {"subject_type": "nonsense"})
    assert response.status_code == 400
    assert b"Record type must be" in response.content
    assert AuditEntry.objects.count() == 4


def test_results_are_paginated_fifty_to_a_page(client, dpo, db):
    write_entries(120)
    client.force_login(dpo)
    first = client.get(SEARCH)
    # 120 entries plus this search.
    assert rows_shown(first) == list(range(121, 71, -1))
    html = first.content.decode()
    assert 'class="govuk-pagination moj-pagination__pagination"' in html
    assert "Showing 1 to 50 of 121 total entries" in html
    assert 'href="?page=3"' in html and 'rel="next"' in html

    third = client.get(SEARCH, {"page": 3})
    # Another search has been logged since: 122 entries, the oldest 22 on page 3.
    assert rows_shown(third) == list(range(22, 0, -1))
    assert "Showing 101 to 122 of 122 total entries" in third.content.decode()
    assert 'rel="prev"' in third.content.decode()


def test_page_links_keep_the_filters(client, dpo, db):
    write_entries(60, person_id="7")
    client.force_login(dpo)
    html = client.get(SEARCH, {"person_id": "7"}).content.decode()
    assert 'href="?person_id=7&amp;page=2"' in html


def test_the_page_shows_the_last_verification(client, dpo, two_handlers_log):
    client.force_login(dpo)
    assert b"The log has not been checked yet" in client.get(SEARCH).content

    call_command("verify_audit", "--no-progress", stdout=io.StringIO())
    html = client.get(SEARCH).content.decode()
    assert "Chain intact when last checked" in html and "5 entries" in html

    with tampering():
        run_sql("UPDATE audit_auditentry SET reason = %s WHERE seq = 2", ["Nothing"])
    with pytest.raises(CommandError):
        call_command("verify_audit", "--no-progress")
    html = client.get(SEARCH).content.decode()
    assert "The log failed its last check" in html
    assert "first bad entry 2" in html


def test_the_audit_log_is_in_the_navigation_only_for_the_dpo(client, dpo, call_handler):
    client.force_login(dpo)
    assert f'href="{SEARCH}"'.encode() in client.get(reverse("accounts:home")).content
    client.force_login(call_handler)
    assert f'href="{SEARCH}"'.encode() not in client.get(reverse("accounts:home")).content
