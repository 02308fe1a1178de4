"""The demo force's investigations: queues and histories, and a rerun adds nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases import selectors
from cases.investigation_demo import seed_demo_investigations
from cases.models import Crime, Investigation, InvestigationState

from .factories import routed_crime


def test_seeding_queues_crimes_works_older_ones_and_adds_nothing_the_second_time(call_handler):
    crimes = [routed_crime(actor=call_handler) for _ in range(8)]
    # Half of them are old enough to have been worked.
    Crime.objects.filter(pk__in=[c.pk for c in crimes[:4]]).update(reported_at=timezone.now() - timedelta(days=150))
    first = seed_demo_investigations(seed=42)
    assert first.queued == 8 and first.allocated >= 4
    assert Investigation.objects.filter(state=InvestigationState.QUEUED).exists()
    # Worked ones stay allocated, but for the two the right-to-review demo closes.
    worked = Investigation.objects.filter(state__in=(InvestigationState.ALLOCATED, InvestigationState.FINISHED))
    assert worked.count() == first.allocated
    assert all(inv.crime.enquiries.exists() and inv.crime.decisions.exists() for inv in worked)
    again = seed_demo_investigations(seed=42)
    assert (again.queued, again.allocated, again.audit_entries_before) == (0, 0, 0)
    assert selectors.team_workload(worked.first().team)
