"""Erasing an online report at the end of its retention: the reporter's words and details go, a bare trace stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import Action, AuditEntry
from public.models import OnlineReport, SeriesLink, TrackingCode
from public.services import Incident, erase_online_report, send_tracking_code, submit_online_report

SECRET_WORDS = "grey hoodie with a red stripe"


def _report(key: str = "erase-1", **extra) -> OnlineReport:
    incident = Incident(
        kind="asb", occurred_at=timezone.now() - timedelta(days=1), location="Rear of 4 Mill Lane",
        description="Shouting and banging every night", answers={"What happened": "Shouting and banging"},
        offender_description=SECRET_WORDS, vehicle_registration="AB12CDE", asb_category="nuisance", **extra,
    )
    return submit_online_report(submission_key=key, incident=incident, given_name="Priya", family_name="Sharma",
                                email="priya@example.org")


@pytest.mark.django_db
def test_erasing_removes_the_content_and_logs_only_names_and_counts(dpo):
    report = _report()
    other = _report("erase-2")
    SeriesLink.objects.create(earlier=other, later=report, basis="offender", score=91.0)
    assert send_tracking_code(reference=report.contact.reference, contact_detail="priya@example.org")
    reporter_id = report.reporter_id

    counts = erase_online_report(actor=dpo, report=report, reason="Retention review: disposal", detail={"rule": "x"})

    report.refresh_from_db()
    assert report.answers == {} and report.email == "" and report.phone_e164 == ""
    assert report.offender_description == "" and report.vehicle_registration == "" and report.reporter_id is None
    assert not TrackingCode.objects.filter(report=report).exists()
    assert not SeriesLink.objects.exists()
    # The trace stays: the row, its contact, kind and time.
    assert report.kind == "asb" and report.contact_id and report.submitted_at
    assert counts == {"tracking_codes": 1, "series_links": 1, "fields": 5}
    entry = AuditEntry.objects.get(action=Action.ERASURE, subject_type="public.onlinereport")
    assert entry.person_id == str(reporter_id) and entry.detail["rule"] == "x"
    # phone_e164 was empty already (the reporter gave only an e-mail address), so it is not named.
    assert set(entry.detail["fields"]) == {"answers", "email", "offender_description", "reporter",
                                           "vehicle_registration"}
    for text in (SECRET_WORDS, "AB12CDE", "priya@example.org", "Shouting"):
        assert text not in str(entry.detail) and text not in entry.reason
    # The other report keeps its own content.
    other.refresh_from_db()
    assert other.offender_description == SECRET_WORDS


@pytest.mark.django_db
def test_erasing_again_changes_nothing_and_logs_nothing(dpo):
    report = _report()
    erase_online_report(actor=dpo, report=report, reason="Retention review: disposal")
    assert erase_online_report(actor=dpo, report=report, reason="Retention review: disposal") == {}
    assert AuditEntry.objects.filter(action=Action.ERASURE, subject_type="public.onlinereport").count() == 1
