"""The data protection officer's records work in a real browser: a retention decision and a subject access request."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Crime
from cases.services import close_crime
from cases.tests.factories import routed_crime
from evidence import samples
from evidence.services import receive_file
from people.models import Person
from people.services import record_person
from records.models import RetentionReview, SubjectAccessRequest
from records.services import find_due_records
from tests.browser.conftest import assert_accessible, sign_in

# reference_data (conftest.py): an earlier transactional test's flush emptied the retention rules.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def test_dpo_disposes_of_a_record_due_for_review(page, live_server, make_user, password):
    """I see why a record is due, am told what is missing, and dispose of it with a reason."""
    dpo = make_user("data-protection-officer", username="dpo-browser")
    old = record_person(actor=dpo, given_name="Gareth", family_name="Pryce")
    Person.objects.filter(pk=old.pk).update(created_at="2012-03-01T10:00:00Z", updated_at="2012-03-01T10:00:00Z")
    find_due_records()

    sign_in(page, live_server.url, dpo.username, password)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Records management").click()
    expect(page).to_have_title("Retention review – FirstContact")
    queue = page.get_by_test_id("review-queue").inner_text()
    assert old.reference in queue and "MoPI group 3" in queue and "1 Mar 2012" in queue
    assert_accessible(page)

    page.get_by_role("link", name=f"Person record {old.reference}").click()
    expect(page).to_have_title(f"Review person record {old.reference} – FirstContact")
    assert "1 March 2018" in page.get_by_test_id("why-due").inner_text()
    assert_accessible(page)
    page.get_by_label("Dispose of").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_title(f"Error: Review person record {old.reference} – FirstContact")
    assert "Enter the reason for your decision" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Dispose of").is_checked()
    assert_accessible(page)

    page.get_by_label("Reason").fill("No contact for over six years; no policing purpose remains")
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_title("Retention review – FirstContact")
    assert f"Person record {old.reference} disposed of" in page.locator(".govuk-notification-banner").inner_text()
    assert "No records are due for review" in page.get_by_test_id("queue-empty").inner_text()
    assert "no policing purpose remains" in page.get_by_test_id("decisions").inner_text()
    assert_accessible(page)
    assert Person.objects.get(pk=old.pk).given_name == ""
    assert RetentionReview.objects.get().status == "disposed"


def test_dpo_registers_a_subject_access_request_and_downloads_the_pack(page, live_server, make_user, password):
    """I find the requester, record when the request came, and download their pack from the register."""
    dpo = make_user("data-protection-officer", username="dpo-browser2")
    subject = record_person(actor=dpo, given_name="Ama", family_name="Owusu", date_of_birth=date(1984, 3, 9))

    sign_in(page, live_server.url, dpo.username, password)
    page.goto(f"{live_server.url}/staff/records/")
    page.get_by_role("link", name="Subject access requests").click()
    expect(page).to_have_title("Subject access requests – FirstContact")
    assert_accessible(page)

    page.get_by_role("link", name="Record a new request").click()
    page.get_by_role("button", name="Search").click()
    assert "Enter the name of the person who made the request" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Name").fill("Ama Owusu")
    page.get_by_role("button", name="Search").click()
    assert subject.reference in page.get_by_test_id("subject-results").inner_text()
    assert_accessible(page)

    page.get_by_test_id("subject-results").get_by_role("link", name="Record a request from this person").click()
    expect(page).to_have_title("Record a subject access request – FirstContact")
    assert_accessible(page)
    received = timezone.localdate() - timedelta(days=5)
    page.get_by_label("Day").fill(str(received.day))
    page.get_by_label("Month").fill(str(received.month))
    page.get_by_label("Year").fill(str(received.year))
    page.get_by_role("button", name="Record the request").click()
    expect(page).to_have_title("Subject access requests – FirstContact")
    sar = SubjectAccessRequest.objects.get()
    register = page.get_by_test_id("requests").inner_text()
    assert sar.reference in register and f"{sar.due_on:%-d %b %Y}" in register and "Open" in register
    assert sar.received_on == received
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("button", name=f"Download the pack for {sar.reference} (PDF)").click()
    assert download.value.suggested_filename == f"{sar.reference}-disclosure-pack.pdf"
    page.reload()
    assert "Pack produced" in page.get_by_test_id("requests").inner_text()
    assert_accessible(page)


def test_records_pages_work_at_phone_width(mobile_page, live_server, make_user, password):
    """On a phone, the queue, a decision and the register are usable and pass axe."""
    dpo = make_user("data-protection-officer", username="dpo-phone")
    old = record_person(actor=dpo, given_name="Lorna", family_name="Haddow")
    Person.objects.filter(pk=old.pk).update(created_at="2011-05-01T10:00:00Z", updated_at="2011-05-01T10:00:00Z")
    find_due_records()

    sign_in(mobile_page, live_server.url, dpo.username, password)
    mobile_page.goto(f"{live_server.url}/staff/records/retention/")
    assert old.reference in mobile_page.get_by_test_id("review-queue").inner_text()
    assert_accessible(mobile_page)
    mobile_page.get_by_role("link", name=f"Person record {old.reference}").click()
    mobile_page.get_by_label("Retain").check()
    mobile_page.get_by_role("button", name="Record the decision").click()
    summary = mobile_page.locator(".govuk-error-summary").inner_text()
    assert "Enter the reason for your decision" in summary and "Enter the date of the next review" in summary
    assert_accessible(mobile_page)
    mobile_page.goto(f"{live_server.url}/staff/records/subject-access/")
    assert_accessible(mobile_page)


def test_dpo_destroys_an_exhibit_of_a_crime_closed_with_no_further_action(
        page, live_server, make_user, password, settings, tmp_path):
    """I am warned that disposal destroys the file; afterwards the exhibit page keeps its hash and custody."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "media"}},
        "evidence_staging": {
            "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "staging"},
        },
    }
    dpo = make_user("data-protection-officer", username="dpo-browser3")
    supervisor = make_user("supervisor", username="super-browser")
    crime = routed_crime(actor=supervisor)
    photo = samples.png(seed=3)
    exhibit = receive_file(actor=supervisor, description="Photo of the forced door", produced_by="Jo Smith",
                           file=io.BytesIO(photo), filename="door.png", size=len(photo), crime=crime)
    close_crime(crime=crime, actor=supervisor, outcome=18)
    Crime.objects.filter(pk=crime.pk).update(closed_at="2018-05-02T10:00:00Z")
    find_due_records()

    sign_in(page, live_server.url, dpo.username, password)
    page.goto(f"{live_server.url}/staff/records/retention/")
    name = f"Exhibit {crime.reference} JS/1"
    page.get_by_role("link", name=name).click()
    assert "destroys the exhibit's file" in page.locator(".govuk-warning-text").inner_text()
    assert_accessible(page)
    page.get_by_label("Dispose of").check()
    page.get_by_label("Reason").fill("Closed with no further action over six years ago; no purpose remains")
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_title("Retention review – FirstContact")
    assert "disposed of" in page.locator(".govuk-notification-banner").inner_text()
    assert not default_storage.exists(exhibit.file.name)

    page.context.clear_cookies()
    sign_in(page, live_server.url, supervisor.username, password)
    page.goto(f"{live_server.url}/staff/evidence/exhibits/{exhibit.pk}/")
    assert "This exhibit was destroyed" in page.get_by_test_id("exhibit-destroyed").inner_text()
    assert exhibit.sha256 in page.get_by_test_id("sha256").inner_text()
    custody = page.get_by_test_id("custody").inner_text()
    assert "Destroyed" in custody and "authorised by dpo-browser3" in custody
    assert_accessible(page)
