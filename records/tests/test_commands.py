"""The scheduler's command and the demo seed."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.tests.factories import routed_crime
from records.models import RetentionReview, ReviewStatus, SubjectAccessRequest

from .conftest import dated_person


def test_dry_run_prints_counts_by_rule_and_queues_nothing(dpo):
    dated_person(dpo, on=date(2012, 1, 1))
    dated_person(dpo, on=date(2013, 1, 1), given_name="Una")
    out = StringIO()
    call_command("review_retention", "--dry-run", "--date", "2026-06-01", stdout=out)
    assert "Other persons (MoPI group 3) (person-group-3): 2" in out.getvalue()
    assert "2 record(s) would be queued for retention review." in out.getvalue()
    assert not RetentionReview.objects.exists()

    call_command("review_retention", "--date", "2026-06-01", stdout=StringIO())
    assert RetentionReview.objects.filter(status=ReviewStatus.DUE).count() == 2


def test_a_bad_date_is_refused_with_the_format(db):
    with pytest.raises(CommandError, match="--date must be a real date as YYYY-MM-DD"):
        call_command("review_retention", "--date", "2026-02-30")


def test_the_demo_puts_records_in_the_queue_and_one_open_request_and_runs_twice_safely(dpo):
    routed_crime(actor=dpo)
    out = StringIO()
    call_command("seed_records", "--demo", stdout=out)
    assert RetentionReview.objects.filter(status=ReviewStatus.DUE, record_kind="person").count() == 3
    assert RetentionReview.objects.filter(status=ReviewStatus.DUE, record_kind="contact").count() == 3
    # The reports: one whose crime was closed with no further action, one that never became a crime.
    assert RetentionReview.objects.filter(status=ReviewStatus.DUE, record_kind="report").count() == 2
    # The photo of the first (exhibit-nfa), the photo sent with the second (report-files), and a witness
    # statement of the first's crime (statement-nfa).
    due = dict(RetentionReview.objects.filter(status=ReviewStatus.DUE, record_kind__in=["exhibit", "statement"])
               .values_list("rule__code", "record_reference"))
    assert set(due) == {"exhibit-nfa", "report-files", "statement-nfa"}
    assert due["statement-nfa"].endswith(" S1") and due["report-files"].endswith(" TN/1")
    request = SubjectAccessRequest.objects.get()
    assert request.status == "open"
    assert request.reference in out.getvalue()

    call_command("seed_records", "--demo", stdout=StringIO())
    assert SubjectAccessRequest.objects.count() == 1
    # Persons 3, contacts 3 (the report with no crime is also a contact with no crime), reports 2,
    # exhibits 2, statement 1.
    assert RetentionReview.objects.count() == 11
