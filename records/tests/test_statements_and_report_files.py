"""Witness statements of crimes closed with no further action, and the files sent with an online report
that never became a crime: found on their date, disposed of through the review page.

Files are real (the statement's signed PDF, the report's photo), in a temporary media directory.
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
from evidence.models import CustodyEvent, Exhibit, Statement
from evidence.services import (
    StatementDetails,
    erase_statement,
    produce_evidential_package,
    receive_file,
    take_statement,
)
from public.services import Incident, submit_online_report
from records.models import RetentionReview, ReviewStatus
from records.services import FILE_NOT_REPORT, STATEMENT_NOT_NFA, decide_review, find_due_records

from .conftest import at

CLOSED_ON = date(2019, 3, 4)
DUE_ON = date(2025, 3, 4)  # six years on (both defaults)
WORDS = "I saw a man in a green coat climb over the fence of number 4 at about ten past two."


@pytest.fixture
def supervisor(make_user):
    return make_user("supervisor", username="super1")


@pytest.fixture
def investigator_user(make_user):
    return make_user("resolution-investigator", username="resolver1", first_name="Jo", last_name="Smith")


def _statement(crime, actor) -> Statement:
    return take_statement(crime=crime, actor=actor, details=StatementDetails(
        maker_name="Ama Owusu", body=WORDS, signature="Ama Owusu", declaration_accepted=True, maker_age=16,
        maker_occupation="Student"))


def _closed_crime_with_statement(call_handler, supervisor, investigator_user, *, outcome: int = 18):
    crime = routed_crime(actor=call_handler)
    statement = _statement(crime, investigator_user)
    close_crime(crime=crime, actor=supervisor, outcome=outcome)
    Crime.objects.filter(pk=crime.pk).update(closed_at=at(CLOSED_ON))
    return crime, statement


def _dispose(client, review, token: str):
    return client.post(f"/staff/records/retention/{review.pk}/", {"decision": "dispose", "reason": "Period over",
                                                                  "form_token": token})


# --- statements ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_statement_is_due_six_years_after_a_no_further_action_closing_and_never_after_a_charge(
        call_handler, supervisor, investigator_user):
    crime, statement = _closed_crime_with_statement(call_handler, supervisor, investigator_user)
    _closed_crime_with_statement(call_handler, supervisor, investigator_user, outcome=1)  # charged: kept
    _statement(routed_crime(actor=call_handler), investigator_user)  # open crime: kept

    assert "statement-nfa" not in find_due_records(today=DUE_ON - timedelta(days=1), dry_run=True)
    assert find_due_records(today=DUE_ON, dry_run=True)["statement-nfa"] == 1
    find_due_records(today=DUE_ON)
    review = RetentionReview.objects.get(record_kind="statement")
    assert (review.record_id, review.record_reference, review.basis_date, review.due_on) == (
        statement.pk, f"{crime.reference} S1", CLOSED_ON, DUE_ON)


@pytest.mark.django_db
def test_disposing_of_a_statement_erases_its_words_and_pdf_and_keeps_a_trace(
        client, dpo, call_handler, supervisor, investigator_user, django_capture_on_commit_callbacks):
    crime, statement = _closed_crime_with_statement(call_handler, supervisor, investigator_user)
    stored, sha256 = statement.pdf.name, statement.sha256
    assert default_storage.exists(stored)
    find_due_records(today=DUE_ON)
    review = RetentionReview.objects.get(record_kind="statement")
    client.force_login(dpo)
    page = client.get(f"/staff/records/retention/{review.pk}/").content.decode()
    assert f"review witness statement {crime.reference.lower()} s1" in page.lower() and "erases the maker" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert _dispose(client, review, "tok-s").status_code == 302

    assert not default_storage.exists(stored)
    statement.refresh_from_db()
    assert (statement.maker_name, statement.body, statement.signature, statement.maker_occupation,
            statement.maker_age, statement.pdf.name) == ("Erased", "", "", "", None, "")
    # The trace: number, dates, who took it, the PDF's hash and the custody chain.
    assert statement.erased and statement.number == 1 and statement.sha256 == sha256
    assert statement.taken_by == investigator_user and statement.signed_at is not None
    assert list(CustodyEvent.objects.filter(statement=statement).values_list("event", flat=True)) == [
        "received", "destroyed"]
    entry = AuditEntry.objects.get(action=Action.ERASURE, subject_type="evidence.statement")
    assert entry.subject_id == str(statement.pk) and entry.person_id == str(crime.victim_id)
    assert entry.detail["rule"] == "statement-nfa" and entry.detail["retention_review"] == review.pk
    assert sorted(entry.detail["fields"]) == ["body", "maker_age", "maker_name", "maker_occupation", "signature"]
    assert "Owusu" not in str(entry.detail) and "green coat" not in str(entry.detail)
    review.refresh_from_db()
    assert review.status == ReviewStatus.DISPOSED

    # Afterwards: the PDF is gone from the pages, the crime page says so, and the finder never returns.
    client.force_login(investigator_user)
    assert client.get(f"/staff/evidence/statements/{statement.pk}/pdf").status_code == 410
    crime_page = client.get(f"/staff/evidence/crimes/{crime.reference}/").content.decode()
    assert "Erased on" in crime_page and "Ama Owusu" not in crime_page
    assert find_due_records(today=date(2040, 1, 1), dry_run=True).get("statement-nfa") is None
    # Erasing again changes and logs nothing.
    assert erase_statement(actor=dpo, statement=statement, reason="again") == {}
    assert AuditEntry.objects.filter(action=Action.ERASURE, subject_type="evidence.statement").count() == 1


@pytest.mark.django_db
def test_a_new_package_leaves_out_an_erased_statement(call_handler, supervisor, investigator_user, dpo,
                                                      django_capture_on_commit_callbacks):
    crime, statement = _closed_crime_with_statement(call_handler, supervisor, investigator_user)
    data = samples.png(seed=5)
    receive_file(actor=investigator_user, description="Photo", produced_by="Jo Smith", file=io.BytesIO(data),
                 filename="p.png", size=len(data), crime=crime)
    with django_capture_on_commit_callbacks(execute=True):
        erase_statement(actor=dpo, statement=statement, reason="Retention period over")
    package = produce_evidential_package(crime=crime, recipient="Civil claims team", reason="Claim against the force",
                                         actor=supervisor)
    assert list(package.statements.all()) == [] and package.exhibits.count() == 1


@pytest.mark.django_db
def test_a_statement_whose_crime_was_reopened_is_not_erased(dpo, call_handler, supervisor, investigator_user):
    crime, statement = _closed_crime_with_statement(call_handler, supervisor, investigator_user)
    find_due_records(today=DUE_ON)
    review = RetentionReview.objects.get(record_kind="statement")
    reopen_crime(crime=crime, actor=supervisor, reason="The witness came forward again")
    with pytest.raises(ValidationError) as error:
        decide_review(actor=dpo, review_id=review.pk, decision="dispose", reason="Period over")
    assert error.value.message_dict["decision"] == [STATEMENT_NOT_NFA.format(reference=crime.reference)]
    statement.refresh_from_db()
    assert statement.body == WORDS and default_storage.exists(statement.pdf.name)
    # The evidence service refuses on its own too, for any caller.
    with pytest.raises(ValidationError):
        erase_statement(actor=dpo, statement=statement, reason="Period over")


# --- files sent with an online report that never became a crime ---------------------------------------

def _report_with_photo(key: str, *, closed_on: date | None = CLOSED_ON) -> Exhibit:
    incident = Incident(kind="asb", occurred_at=timezone.now() - timedelta(days=1), location="Rear of 4 Mill Lane",
                        description="Rubbish dumped every night", answers={"What happened": "Fly-tipping"},
                        asb_category="environmental")
    report = submit_online_report(submission_key=key, incident=incident, given_name="Priya", family_name="Sharma",
                                  email="priya@example.org")
    data = samples.png(seed=len(key))
    exhibit = receive_file(actor=None, actor_label="public: online report", contact=report.contact,
                           description="Photo of the dumped rubbish", produced_by="Priya Sharma",
                           file=io.BytesIO(data), filename="rubbish.png", size=len(data))
    if closed_on is not None:
        Contact.objects.filter(pk=report.contact_id).update(closed_at=at(closed_on))
    return exhibit


@pytest.mark.django_db
def test_a_file_sent_with_a_report_that_never_became_a_crime_is_due_six_years_after_closing(
        call_handler, supervisor, investigator_user):
    exhibit = _report_with_photo("r-photo")
    _report_with_photo("r-open", closed_on=None)  # the report is still open: never due
    crime_exhibit = routed_crime(actor=call_handler)  # a crime's exhibit is not a report file
    data = samples.png(seed=9)
    receive_file(actor=investigator_user, description="Photo", produced_by="Jo Smith", file=io.BytesIO(data),
                 filename="p.png", size=len(data), crime=crime_exhibit)

    assert "report-files" not in find_due_records(today=DUE_ON - timedelta(days=1), dry_run=True)
    assert find_due_records(today=DUE_ON, dry_run=True)["report-files"] == 1
    find_due_records(today=DUE_ON)
    review = RetentionReview.objects.get(rule__code="report-files")
    assert (review.record_kind, review.record_id, review.record_reference, review.basis_date) == (
        "exhibit", exhibit.pk, f"{exhibit.contact.reference} {exhibit.reference}", CLOSED_ON)


@pytest.mark.django_db
def test_disposing_of_a_report_file_destroys_it_after_the_decision_commits(
        client, dpo, django_capture_on_commit_callbacks):
    exhibit = _report_with_photo("r-photo")
    stored, sha256 = exhibit.file.name, exhibit.sha256
    find_due_records(today=DUE_ON)
    review = RetentionReview.objects.get(rule__code="report-files")
    client.force_login(dpo)
    page = client.get(f"/staff/records/retention/{review.pk}/").content.decode()
    assert f'href="/staff/evidence/exhibits/{exhibit.pk}/"' in page
    # The data protection officer may open the exhibit's record (logged as a view), not its file.
    assert "Photo of the dumped rubbish" in client.get(f"/staff/evidence/exhibits/{exhibit.pk}/").content.decode()
    assert CustodyEvent.objects.filter(exhibit=exhibit, event="viewed", actor=dpo).count() == 1

    with django_capture_on_commit_callbacks(execute=False) as pending:
        assert _dispose(client, review, "tok-f").status_code == 302
    # Decided and recorded, but the file is removed only once the transaction has committed.
    assert default_storage.exists(stored) and pending
    for callback in pending:
        callback()
    assert not default_storage.exists(stored)

    exhibit.refresh_from_db()
    assert exhibit.destroyed and exhibit.file.name == "" and exhibit.sha256 == sha256
    event = CustodyEvent.objects.get(exhibit=exhibit, event="destroyed")
    assert event.authorised_by == dpo and event.reason.startswith("Retention review: disposal under rule report-files")
    assert AuditEntry.objects.filter(action=Action.ERASURE, subject_type="evidence.exhibit").count() == 1
    assert find_due_records(today=date(2040, 1, 1), dry_run=True).get("report-files") is None


@pytest.mark.django_db
def test_a_report_file_whose_contact_was_reopened_is_not_destroyed(dpo):
    exhibit = _report_with_photo("r-photo")
    find_due_records(today=DUE_ON)
    review = RetentionReview.objects.get(rule__code="report-files")
    Contact.objects.filter(pk=exhibit.contact_id).update(closed_at=None)
    with pytest.raises(ValidationError) as error:
        decide_review(actor=dpo, review_id=review.pk, decision="dispose", reason="Period over")
    assert error.value.message_dict["decision"] == [FILE_NOT_REPORT.format(reference=exhibit.contact.reference)]
    exhibit.refresh_from_db()
    assert not exhibit.destroyed and default_storage.exists(exhibit.file.name)
