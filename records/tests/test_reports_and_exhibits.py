"""Closed online reports and the exhibits of crimes closed with no further action: found, queued and disposed of.

Files are real, in a temporary MEDIA and staging directory.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from audit.models import Action, AuditEntry
from cases.models import Crime
from cases.services import close_crime, reopen_crime
from cases.tests.factories import routed_crime
from contacts.models import Contact
from evidence import samples
from evidence.models import CustodyEvent
from evidence.services import receive_file
from public.models import OnlineReport
from public.services import Incident, submit_online_report
from records.models import RetentionDecision, RetentionReview, ReviewStatus
from records.services import EXHIBIT_NOT_NFA, decide_review, find_due_records

from .conftest import at

CLOSED_ON = date(2019, 3, 4)
DUE_ON = date(2025, 3, 4)  # six years on (both defaults)


@pytest.fixture
def supervisor(make_user):
    return make_user("supervisor", username="super1")


def _report(key: str, kind: str = "asb") -> OnlineReport:
    incident = Incident(kind=kind, occurred_at=timezone.now() - timedelta(days=1), location="Rear of 4 Mill Lane",
                        description="Shouting every night", answers={"What happened": "Shouting"},
                        offender_description="Tall man, green coat", asb_category="nuisance" if kind == "asb" else "")
    return submit_online_report(submission_key=key, incident=incident, given_name="Priya", family_name="Sharma",
                                email="priya@example.org")


def _closed_report(key: str = "r-1") -> OnlineReport:
    report = _report(key)
    Contact.objects.filter(pk=report.contact_id).update(closed_at=at(CLOSED_ON))
    return report


def _nfa_exhibit(call_handler, supervisor, investigator_user, *, outcome: int = 18, closed_on: date = CLOSED_ON):
    crime = routed_crime(actor=call_handler)
    data = samples.png(seed=7)
    exhibit = receive_file(actor=investigator_user, description="Photo of the broken window", produced_by="Jo Smith",
                           file=io.BytesIO(data), filename="window.png", size=len(data), crime=crime)
    close_crime(crime=crime, actor=supervisor, outcome=outcome)
    Crime.objects.filter(pk=crime.pk).update(closed_at=at(closed_on))
    return crime, exhibit


@pytest.fixture
def investigator_user(make_user):
    return make_user("resolution-investigator", username="resolver1", first_name="Jo", last_name="Smith")


# --- found at the right date ----------------------------------------------------------------------

@pytest.mark.django_db
def test_a_report_closed_without_a_crime_is_due_six_years_after_it_was_closed():
    report = _closed_report()
    _report("still-open")  # never closed: never due
    assert find_due_records(today=DUE_ON - timedelta(days=1), dry_run=True).get("online-report-closed") is None
    assert find_due_records(today=DUE_ON) == {"online-report-closed": 1, "contact-no-crime": 1}
    review = RetentionReview.objects.get(record_kind="report")
    assert (review.record_id, review.record_reference, review.basis_date, review.due_on) == (
        report.pk, report.contact.reference, CLOSED_ON, DUE_ON)


@pytest.mark.django_db
def test_a_report_that_became_a_crime_is_due_only_once_its_crime_is_closed(supervisor):
    report = _report("theft-1", kind="theft")
    crime = Crime.objects.get(contact=report.contact)
    Contact.objects.filter(pk=report.contact_id).update(closed_at=at(date(2018, 1, 1)))
    assert "online-report-closed" not in find_due_records(today=date(2040, 1, 1), dry_run=True)
    close_crime(crime=crime, actor=supervisor, outcome=14)
    Crime.objects.filter(pk=crime.pk).update(closed_at=at(CLOSED_ON))
    # The period runs from the crime's closing, the later of the two.
    assert "online-report-closed" not in find_due_records(today=DUE_ON - timedelta(days=1), dry_run=True)
    assert find_due_records(today=DUE_ON, dry_run=True)["online-report-closed"] == 1


@pytest.mark.django_db
def test_exhibits_are_due_six_years_after_a_no_further_action_closing_and_never_after_a_charge(
        call_handler, supervisor, investigator_user):
    crime, exhibit = _nfa_exhibit(call_handler, supervisor, investigator_user, outcome=18)
    _nfa_exhibit(call_handler, supervisor, investigator_user, outcome=1)  # charged: kept under its own regime
    open_crime = routed_crime(actor=call_handler)
    data = samples.png(seed=8)
    receive_file(actor=investigator_user, description="Photo", produced_by="Jo Smith", file=io.BytesIO(data),
                 filename="p.png", size=len(data), crime=open_crime)

    assert "exhibit-nfa" not in find_due_records(today=DUE_ON - timedelta(days=1), dry_run=True)
    assert find_due_records(today=DUE_ON, dry_run=True)["exhibit-nfa"] == 1
    find_due_records(today=DUE_ON)
    review = RetentionReview.objects.get(record_kind="exhibit")
    assert (review.record_id, review.record_reference, review.basis_date) == (
        exhibit.pk, f"{crime.reference} JS/1", CLOSED_ON)


# --- disposed of through the page -----------------------------------------------------------------

def _dispose(client, review, token: str):
    return client.post(f"/staff/records/retention/{review.pk}/", {"decision": "dispose", "reason": "Period over",
                                                                  "form_token": token})


@pytest.mark.django_db
def test_disposing_of_an_exhibit_destroys_its_file_and_keeps_its_custody(
        client, dpo, call_handler, supervisor, investigator_user, django_capture_on_commit_callbacks):
    crime, exhibit = _nfa_exhibit(call_handler, supervisor, investigator_user)
    stored = exhibit.file.name
    find_due_records(today=DUE_ON)
    review = RetentionReview.objects.get(record_kind="exhibit")
    client.force_login(dpo)
    page = client.get(f"/staff/records/retention/{review.pk}/").content.decode()
    assert "destroys the exhibit" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert _dispose(client, review, "tok-x").status_code == 302

    assert not default_storage.exists(stored)
    exhibit.refresh_from_db()
    assert exhibit.destroyed and exhibit.file.name == "" and len(exhibit.sha256) == 64
    event = CustodyEvent.objects.get(exhibit=exhibit, event="destroyed")
    assert event.actor == dpo and event.authorised_by == dpo
    assert event.reason.startswith("Retention review: disposal under rule exhibit-nfa")
    assert event.detail["retention_review"] == review.pk
    review.refresh_from_db()
    assert review.status == ReviewStatus.DISPOSED
    assert RetentionDecision.objects.get().decision == "dispose"
    # Disposed of once: the finder does not bring it back.
    assert find_due_records(today=date(2040, 1, 1), dry_run=True).get("exhibit-nfa") is None


@pytest.mark.django_db
def test_an_exhibit_whose_crime_was_reopened_is_not_destroyed(
        dpo, call_handler, supervisor, investigator_user):
    crime, exhibit = _nfa_exhibit(call_handler, supervisor, investigator_user)
    find_due_records(today=DUE_ON)
    review = RetentionReview.objects.get(record_kind="exhibit")
    reopen_crime(crime=crime, actor=supervisor, reason="New CCTV came in")
    with pytest.raises(ValidationError) as error:
        decide_review(actor=dpo, review_id=review.pk, decision="dispose", reason="Period over")
    assert error.value.message_dict["decision"] == [EXHIBIT_NOT_NFA.format(reference=crime.reference)]
    exhibit.refresh_from_db()
    assert not exhibit.destroyed and default_storage.exists(exhibit.file.name)


@pytest.mark.django_db
def test_disposing_of_a_report_erases_what_the_reporter_told_us(client, dpo):
    report = _closed_report()
    find_due_records(today=DUE_ON)
    review = RetentionReview.objects.get(record_kind="report")
    client.force_login(dpo)
    assert _dispose(client, review, "tok-r").status_code == 302
    report.refresh_from_db()
    assert report.answers == {} and report.email == "" and report.offender_description == ""
    assert report.reporter_id is None and report.kind == "asb"
    entry = AuditEntry.objects.get(action=Action.ERASURE, subject_type="public.onlinereport")
    assert entry.detail["rule"] == "online-report-closed" and "green coat" not in str(entry.detail)


@pytest.mark.django_db
def test_the_queue_names_the_new_kinds(client, dpo, call_handler, supervisor, investigator_user):
    _closed_report()
    crime, _ = _nfa_exhibit(call_handler, supervisor, investigator_user)
    find_due_records(today=DUE_ON)
    client.force_login(dpo)
    page = client.get("/staff/records/retention/").content.decode()
    assert "Closed online report" in page
    assert f"Exhibit {crime.reference} JS/1" in page
