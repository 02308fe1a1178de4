"""The crime admin bureau's pages: who may see them, what the queue shows, and the actions through forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from cases.models import CancellationCode, Crime, CrimeStatus, HomeOfficeClassification, OutcomeType
from cases.services import cancel_crime, record_crime_from_contact

from .factories import crime_contact


@pytest.fixture
def bureau(make_user):
    return make_user("crime-admin", username="cab1")


@pytest.fixture
def bureau_client(client, bureau):
    client.force_login(bureau)
    return client


def _waiting(actor, hours_ago: float, **kwargs) -> Crime:
    contact = crime_contact(actor=actor, received_at=timezone.now() - timedelta(hours=hours_ago), **kwargs)
    return record_crime_from_contact(contact=contact, actor=actor)


@pytest.mark.parametrize("role", ["call-handler", "investigator", None])
def test_only_the_bureau_may_open_the_queue_and_compliance_pages(client, make_user, role):
    client.force_login(make_user(role, username="someone"))
    assert client.get(reverse("cases:queue")).status_code == 403
    assert client.get(reverse("cases:compliance")).status_code == 403


def test_signed_out_staff_are_sent_to_sign_in(client):
    response = client.get(reverse("cases:queue"))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_the_queue_shows_each_clock_overdue_first(bureau_client, call_handler):
    overdue = _waiting(call_handler, hours_ago=24 + 1.5)
    soon = _waiting(call_handler, hours_ago=21, incident_code="criminal-damage")
    fresh = _waiting(call_handler, hours_ago=1)
    response = bureau_client.get(reverse("cases:queue"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Awaiting classification (3)" in html
    assert html.index(overdue.reference) < html.index(soon.reference) < html.index(fresh.reference)
    assert "Overdue by 1 h 30 min" in html or "Overdue by 1 h 29 min" in html
    assert "govuk-tag--orange" in html
    assert "2 h 59 min left" in html or "3 h 00 min left" in html
    assert "Criminal damage" in html


def test_the_queue_lists_unchecked_classifications_and_pending_cancellations(bureau_client, call_handler, bureau):
    contact = crime_contact(actor=call_handler)
    checked_later = record_crime_from_contact(contact=contact, actor=call_handler, classification="46")
    other = crime_contact(actor=call_handler, incident_code="criminal-damage")
    to_cancel = record_crime_from_contact(contact=other, actor=call_handler, classification="58A")
    cancel_crime(crime=to_cancel, actor=bureau, cancellation_code="C3", reason="Same damage as CR000000001")
    third = crime_contact(actor=call_handler, incident_code="burglary-residential")
    by_import = record_crime_from_contact(contact=third, actor=call_handler, classification="28E")
    cancel_crime(crime=by_import, actor=None, cancellation_code="C4", reason="Loaded twice by an import")
    html = bureau_client.get(reverse("cases:queue")).content.decode()
    assert "Classification checks (3)" in html and "46 Shoplifting" in html
    assert "Cancellations awaiting approval (2)" in html and "An automatic process" in html
    cancellations = html[html.index('data-testid="cancellations"'):]
    assert to_cancel.reference in cancellations and checked_later.reference not in cancellations


def test_the_queue_does_not_consult_anyones_record(bureau_client, call_handler):
    _waiting(call_handler, hours_ago=2)
    before = AuditEntry.objects.count()
    html = bureau_client.get(reverse("cases:queue")).content.decode()
    assert AuditEntry.objects.count() == before
    assert "Owusu" not in html


def test_recording_a_waiting_crime_through_the_page(bureau_client, call_handler):
    crime = _waiting(call_handler, hours_ago=2)
    page = bureau_client.get(reverse("cases:crime", args=[crime.reference])).content.decode()
    suggested = HomeOfficeClassification.objects.get(code="46")
    assert f'value="{suggested.pk}" selected' in page
    response = bureau_client.post(reverse("cases:classify", args=[crime.reference]), {"classification": suggested.pk})
    assert response.status_code == 302
    crime.refresh_from_db()
    assert crime.status == CrimeStatus.RECORDED and crime.classification_checked_at is not None


def test_a_cancellation_without_a_reason_keeps_the_code_chosen_and_names_the_field(bureau_client, call_handler):
    crime = record_crime_from_contact(contact=crime_contact(actor=call_handler), actor=call_handler, classification="46")
    response = bureau_client.post(
        reverse("cases:cancel", args=[crime.reference]), {"cancellation_code": CancellationCode.objects.get(code="C2").pk, "cancellation_reason": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Enter additional verifiable information" in html
    assert f'value="{CancellationCode.objects.get(code="C2").pk}" checked' in html
    assert "<title>Error: " in html
    crime.refresh_from_db()
    assert not crime.cancellation_pending


def test_closing_with_outcome_15_without_the_victims_decision_is_an_error_on_the_decision(bureau_client, call_handler):
    crime = record_crime_from_contact(contact=crime_contact(actor=call_handler), actor=call_handler, classification="46")
    url = reverse("cases:close", args=[crime.reference])
    fifteen = OutcomeType.objects.get(number=15).pk
    response = bureau_client.post(url, {"outcome": fifteen})
    assert response.status_code == 400
    assert "Outcomes 15 and 16 need the victim&#x27;s decision recorded first" in response.content.decode()
    response = bureau_client.post(url, {"outcome": fifteen, "victim_decision": "supports"})
    assert response.status_code == 302
    crime.refresh_from_db()
    assert crime.status == CrimeStatus.CLOSED and crime.victim_decision == "supports"


def test_the_asker_is_not_offered_approval_and_is_refused_if_they_try(bureau_client, call_handler, bureau):
    crime = record_crime_from_contact(contact=crime_contact(actor=call_handler), actor=call_handler, classification="46")
    cancel_crime(crime=crime, actor=bureau, cancellation_code="C4", reason="Wrong contact")
    page = bureau_client.get(reverse("cases:crime", args=[crime.reference])).content.decode()
    assert "Approve cancellation" not in page and "another member of the bureau must approve it" in page
    assert bureau_client.post(reverse("cases:approve-cancellation", args=[crime.reference])).status_code == 403
    crime.refresh_from_db()
    assert crime.status == CrimeStatus.RECORDED


def test_compliance_report_counts_reports_by_week(bureau_client, call_handler):
    _waiting(call_handler, hours_ago=30)  # unrecorded and past its clock: counts as late
    contact = crime_contact(actor=call_handler, received_at=timezone.now() - timedelta(hours=2))
    record_crime_from_contact(contact=contact, actor=call_handler, classification="46")
    html = bureau_client.get(reverse("cases:compliance")).content.decode()
    assert "50.0%</strong> recorded within 24 hours" in html


def test_an_unknown_crime_is_404(bureau_client):
    assert bureau_client.get(reverse("cases:crime", args=["CR999999999"])).status_code == 404


def test_administrators_edit_classifications_but_cannot_delete_them(client, make_user, bureau):
    url = reverse("admin:cases_homeofficeclassification_changelist")
    client.force_login(bureau)
    assert client.get(url).status_code in (302, 403)
    client.force_login(make_user("administrator", username="admin1", is_staff=True))
    response = client.get(url)
    assert response.status_code == 200 and "Shoplifting" in response.content.decode()
    shoplifting = HomeOfficeClassification.objects.get(code="46")
    delete = reverse("admin:cases_homeofficeclassification_delete", args=[shoplifting.pk])
    assert client.get(delete).status_code == 403


def test_the_queue_takes_the_same_number_of_queries_however_many_crimes_wait(bureau_client, call_handler):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert bureau_client.get(reverse("cases:queue")).status_code == 200
        return len(captured)

    _waiting(call_handler, hours_ago=3)
    queries()  # the first request of a session also writes the session's idle expiry (once a minute)
    few = queries()
    for hours in (4, 5, 6, 30):
        _waiting(call_handler, hours_ago=hours, incident_code="criminal-damage")
    assert queries() == few
