#!/usr/bin/env python
"""Resolution queue page: server time with 50,000 open crimes waiting, against the same query without its index.

Usage (PostgreSQL; the database is created and migrated if missing, and filled once):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_bench_queue bench/resolution_queue.py --crimes 50000

Loads ``--crimes`` open crimes into the three resolution centres' queues (plus as many
again allocated or finished, so the table is not only the queue) with random vulnerability,
contact deadlines and solvability. Then, in one run, it requests the queue page through
Django's test client (server time: the view, its queries and the template, no network)
``--requests`` times for each centre, and again inside a transaction where the partial
index ``cases_inv_queue`` is dropped: the anchor, the naive ORM query the page would run
without it (PostgreSQL sorts every waiting row of the team for each page). The drop is
rolled back. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstcontact.settings")


def _fill(crimes: int, seed: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Team
    from cases.models import (
        Crime,
        CrimeStatus,
        HomeOfficeClassification,
        Investigation,
        InvestigationState,
        crime_reference,
    )

    teams = [Team.objects.get_or_create(name=name, defaults={"kind": Team.Kind.RESOLUTION_CENTRE})[0]
             for name in ("Hanley Resolution Centre", "Burton Resolution Centre", "Cannock Resolution Centre")]
    have = Investigation.objects.filter(state=InvestigationState.QUEUED).count()
    if have >= crimes:
        return
    rng = random.Random(seed)
    classifications = list(HomeOfficeClassification.objects.values_list("pk", flat=True))
    now = timezone.now()
    today = timezone.localdate()
    total = 2 * (crimes - have)
    start = (Crime.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with transaction.atomic():
        rows = []
        for i in range(total):
            reported = now - timedelta(minutes=rng.randint(10, 60 * 24 * 60))
            rows.append(Crime(
                pk=start + i, reference=crime_reference(start + i), classification_id=rng.choice(classifications),
                status=CrimeStatus.UNDER_INVESTIGATION if i % 2 else CrimeStatus.RECORDED, reported_at=reported,
                recorded_at=reported, location_text="High Street", created_at=reported,
            ))
        Crime.objects.bulk_create(rows, batch_size=5000)
        investigations = []
        for i, crime in enumerate(rows):
            waiting = i % 2 == 0
            investigations.append(Investigation(
                crime_id=crime.pk, team=rng.choice(teams),
                state=InvestigationState.QUEUED if waiting else rng.choice(
                    [InvestigationState.ALLOCATED, InvestigationState.FINISHED]),
                queued_at=crime.reported_at, vulnerable=rng.random() < 0.15,
                solvability_score=rng.randint(0, 5), enhanced_rights_derived=rng.random() < 0.2,
                contact_due_on=today + timedelta(days=rng.randint(-10, 7)),
            ))
        Investigation.objects.bulk_create(investigations, batch_size=5000)


def _viewer():
    from accounts.models import Team, User
    from accounts.tests.factories import UserFactory

    user = User.objects.filter(username="bench-supervisor").first() or UserFactory(
        username="bench-supervisor", role="supervisor")
    user.teams.add(Team.objects.get(name="Hanley Resolution Centre"))
    return user


def _measure(client, teams, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        for team in teams:
            started = time.perf_counter()
            response = client.get(f"/staff/crimes/resolution/?team={team.pk}")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
    return times


def _measure_reads(teams, requests: int) -> list[float]:
    """The page's own reads (first 50 in order, the total waiting, the team's workload), without HTTP or template."""
    from cases import selectors

    times = []
    for _ in range(requests):
        for team in teams:
            started = time.perf_counter()
            list(selectors.resolution_queue(team)[: selectors.QUEUE_PAGE])
            selectors.resolution_queue(team).count()
            selectors.team_workload(team)
            times.append((time.perf_counter() - started) * 1000)
    return times


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1), "n": len(ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crimes", type=int, default=50_000, help="open crimes waiting in the queues")
    parser.add_argument("--requests", type=int, default=60, help="page requests per centre per variant")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment

    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL: set DATABASE_URL=postgres://…")
    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    call_command("migrate", verbosity=0)
    load_started = time.perf_counter()
    _fill(args.crimes, args.seed)
    load_seconds = time.perf_counter() - load_started
    with connection.cursor() as cursor:
        # What autovacuum does in production after a bulk load: lets the count use an index-only scan.
        cursor.execute("VACUUM ANALYZE cases_investigation")
        cursor.execute("VACUUM ANALYZE cases_crime")

    from accounts.models import Team
    from cases.models import Investigation

    teams = list(Team.objects.filter(kind=Team.Kind.RESOLUTION_CENTRE).order_by("name"))
    client = Client()
    client.force_login(_viewer())
    waiting = Investigation.objects.filter(state="queued").count()
    _measure(client, teams, 3)  # warm caches and the template loader
    ours = _summary(_measure(client, teams, args.requests))
    ours_reads = _summary(_measure_reads(teams, args.requests))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX cases_inv_queue")
        _measure(client, teams, 3)
        anchor = _summary(_measure(client, teams, args.requests))
        anchor_reads = _summary(_measure_reads(teams, args.requests))
        transaction.set_rollback(True)
    result = {
        "bench": "resolution_queue", "database": "postgresql", "open_crimes_waiting": waiting,
        "load_seconds": round(load_seconds, 1), "ours": ours, "anchor_naive_no_index": anchor,
        "p95_ratio_anchor_over_ours": round(anchor["p95_ms"] / ours["p95_ms"], 2),
        "reads_ours": ours_reads, "reads_anchor": anchor_reads,
        "reads_p50_ratio_anchor_over_ours": round(anchor_reads["p50_ms"] / ours_reads["p50_ms"], 2),
        "target_p95_ms": 150, "meets_target": ours["p95_ms"] < 150, "load_average": os.getloadavg()[0],
    }
    print(f"page: ours p50 {ours['p50_ms']} ms p95 {ours['p95_ms']} ms; anchor p50 {anchor['p50_ms']} ms "
          f"p95 {anchor['p95_ms']} ms; reads: ours p50 {ours_reads['p50_ms']} ms, anchor p50 {anchor_reads['p50_ms']} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
