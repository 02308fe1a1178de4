"""Demo crimes: drawn from the demo force's crime-reporting contacts, reproducible, audited, and idempotent."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.tests.factories import UserFactory
from audit.chain import CONTENT_FIELDS, verify_chain
from audit.models import AuditEntry, ChainHead
from cases import rules
from cases.demo import plan_crime
from cases.models import Crime, CrimeStatus
from cases.selectors import weekly_compliance
from contacts.models import Contact, IncidentType
from contacts.services import record_contact

from .factories import crime_contact

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_the_plan_records_about_95_percent_within_24_hours_and_leaves_recent_ones_waiting():
    rng = np.random.default_rng(1)
    received = [NOW - timedelta(days=int(d)) for d in rng.integers(3, 700, size=4000)]
    plans = [plan_crime(rng, received_at=r, now=NOW, candidates=[1, 2]) for r in received]
    recorded = [(r, p) for r, p in zip(received, plans, strict=True) if p is not None]
    assert 0.87 < len(recorded) / len(plans) < 0.93
    judged = [(r, p) for r, p in recorded if p.recorded_at is not None]
    in_time = sum(p.recorded_at - r <= timedelta(hours=24) for r, p in judged)
    assert 0.93 < in_time / len(judged) < 0.97
    statuses = Counter(p.status for _, p in recorded)
    assert statuses[CrimeStatus.CLOSED] > statuses[CrimeStatus.UNDER_INVESTIGATION] > statuses[CrimeStatus.CANCELLED] > 0
    # A report from ten minutes ago that is not recorded at first contact is still on its clock.
    fresh = [plan_crime(np.random.default_rng(s), received_at=NOW - timedelta(minutes=10), now=NOW, candidates=[1])
             for s in range(200)]
    assert any(p is not None and p.status == CrimeStatus.AWAITING_RECORDING for p in fresh)


def test_outcomes_15_and_16_in_the_plan_carry_a_fitting_victim_decision():
    rng = np.random.default_rng(3)
    plans = [plan_crime(rng, received_at=NOW - timedelta(days=300), now=NOW, candidates=[1]) for _ in range(3000)]
    for plan in plans:
        if plan is not None and plan.outcome in (15, 16):
            assert plan.victim_decision in ({"supports"} if plan.outcome == 15 else {"does_not_support", "withdraws"})


@pytest.mark.django_db
def test_seed_crimes_gives_crime_contacts_audited_records_once(settings):
    settings.DEMO = True
    handler = UserFactory(role="call-handler")
    rng = np.random.default_rng(9)
    for days in rng.integers(0, 400, size=60):
        crime_contact(actor=handler, incident_code=str(rng.choice(["shoplifting", "criminal-damage", "burglary-residential"])),
                      received_at=timezone.now() - timedelta(days=int(days), minutes=5))
    record_contact(actor=handler, channel="101", incident_type=IncidentType.objects.get(code="noise"),
                   received_at=timezone.now() - timedelta(days=3), location_text="Park Road")
    out = StringIO()
    call_command("seed_crimes", "--demo", "--seed", "5", stdout=out)
    crimes = Crime.objects.all()
    crime_contacts = Contact.objects.filter(incident_type__category="crime").count()
    assert crime_contacts == 60
    assert 0.75 * crime_contacts < crimes.count() < crime_contacts
    assert "demo crimes" in out.getvalue()
    assert not crimes.filter(contact__incident_type__category="non_crime").exists()
    closed = crimes.filter(status=CrimeStatus.CLOSED)
    assert closed.exists() and not closed.filter(outcome__isnull=True).exists()
    for crime in crimes.filter(outcome__number__in=(15, 16)).select_related("outcome")[:50]:
        rules.VictimDecisionForOutcome.check(crime)
    assert not crimes.filter(status=CrimeStatus.CANCELLED, cancellation_code__isnull=True).exists()
    assert crimes.filter(victim__isnull=False).count() > crimes.count() / 2
    # Every crime has its collection entry, naming its victim.
    sample = crimes.filter(victim__isnull=False).first()
    entry = AuditEntry.objects.get(subject_type="cases.crime", subject_id=str(sample.pk), action="collection")
    assert entry.person_id == str(sample.victim_id)
    assert AuditEntry.objects.filter(subject_type="cases.crime", action="collection").count() == crimes.count()
    head = ChainHead.objects.get(pk=1)
    rows = AuditEntry.objects.order_by("seq").values(*CONTENT_FIELDS, "entry_hash")
    result = verify_chain(rows.iterator(), head_seq=head.seq, head_hash=head.last_hash)
    assert result.ok, result.problem
    rows = weekly_compliance(weeks=52)
    assert any(r.share_within_24_hours is not None for r in rows)

    before = (crimes.count(), AuditEntry.objects.count())
    call_command("seed_crimes", "--demo", "--seed", "5", verbosity=0)
    assert (Crime.objects.count(), AuditEntry.objects.count()) == before


def test_seed_crimes_refuses_outside_demo_mode(db, settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match="demo mode"):
        call_command("seed_crimes", "--demo", verbosity=0)
