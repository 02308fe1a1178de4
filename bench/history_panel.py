#!/usr/bin/env python
"""History panel under load: p95 response time at N concurrent clients against a seeded database.

Usage (PostgreSQL seeded with ``seed_demo --scale 100``):
    DATABASE_URL=postgres://... bench/history_panel.py --clients 20 --requests 2000 --workers 2 \
        [--anchor-root /path/to/an/earlier/checkout]

With ``--anchor-root``, the same load is run first against a server started from that
checkout (the anchor), then against this one, so both are measured in the same run on
the same machine load.

Starts uvicorn on the project's ASGI application, signs a call handler in (a session
made directly), and has ``--clients`` threads each request the panel for a caller and
their address, drawn half from the busiest callers (the longest histories) and half at
random. Times are measured at the client over loopback, so they include queueing in the
server: an upper bound on server time. Where the server sends a ``Server-Timing`` header
(the panel view times itself, sign-in checks and rendering included), its figures are
reported too: the server's own time without the wait for a free worker. Each request
writes its consultation entries to the audit chain, as in production. The last line
printed is JSON.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstcontact.settings")


def _setup_django():
    import django

    django.setup()


def _subjects(sample: int, seed: int) -> list[tuple[str, str]]:
    """(caller reference, address id) pairs: half the busiest callers, half random persons with an address."""
    from django.db.models import Count

    from contacts.models import Contact
    from people.models import HouseholdMembership, Person

    rng = random.Random(seed)
    busiest = list(
        Contact.objects.exclude(caller=None).values("caller_id").annotate(n=Count("pk")).order_by("-n")
        .values_list("caller_id", flat=True)[: sample // 2]
    )
    bounds = Person.objects.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    randoms = [rng.randint(low, high) for _ in range(sample - len(busiest))]
    ids = busiest + randoms
    references = dict(Person.objects.filter(pk__in=ids).values_list("pk", "reference"))
    addresses = dict(
        HouseholdMembership.objects.filter(person_id__in=ids, to_date=None).values_list("person_id", "address_id")
    )
    return [(references[pk], str(addresses.get(pk, ""))) for pk in ids if pk in references]


def _session_cookie() -> str:
    """A signed-in call handler's session id, made without the sign-in form (no password needed)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from accounts.services import sync_roles

    sync_roles()
    user, _ = User.objects.get_or_create(username="bench-history-panel", defaults={"first_name": "Bench"})
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get(name__iexact="Call handler"))
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _wait_for(port: int, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def _server_timing(header: str) -> dict[str, float]:
    """``name;dur=ms`` metrics of a Server-Timing header, in seconds (``view``: the panel view;
    ``queue``: the wait to be let into Django, where admission control is on)."""
    found = {}
    for metric in header.split(","):
        name, _, params = metric.strip().partition(";")
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "dur" and value:
                found[name.strip()] = float(value) / 1000
    return found


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=400)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--anchor-root", default="", help="a checkout to measure first, as the anchor")
    args = parser.parse_args(argv)

    _setup_django()
    from django.db import connection

    from contacts.models import Contact
    from people.models import Person

    contacts, persons = Contact.objects.count(), Person.objects.count()
    subjects = _subjects(args.sample, args.seed)
    vendor = connection.vendor
    from django.conf import settings

    runs = []
    roots = ([("anchor", Path(args.anchor_root).resolve())] if args.anchor_root else []) + [("this", ROOT)]
    for label, root in roots:
        # A fresh session per run, signed with this process's key (passed on to the server, whose
        # checkout may keep another demo key): a server that cannot read it would empty it.
        cookie = _session_cookie()
        connection.close()
        runs.append(_run(label, root, args, subjects, cookie, settings.SECRET_KEY))
    result = {
        "benchmark": "history_panel", "database": vendor, "contacts": contacts, "persons": persons,
        "clients": args.clients, "workers": args.workers, "target_p95_ms": 150, "runs": runs,
    }
    for run in runs:
        print(f"{run['label']}: {run['requests']} requests from {args.clients} clients to {args.workers} workers over "
              f"{vendor} ({contacts:,} contacts, {persons:,} persons): client p50 {run['p50_ms']} ms, "
              f"p95 {run['p95_ms']} ms; server p50 {run['server_p50_ms']} ms, p95 {run['server_p95_ms']} ms; "
              f"queue p50 {run['queue_p50_ms']} ms, p95 {run['queue_p95_ms']} ms; "
              f"{run['requests_per_second']} requests/s, {run['failures']} failures")
    if len(runs) == 2:
        anchor, this = runs
        result["p95_ratio_anchor_to_this"] = round(anchor["p95_ms"] / this["p95_ms"], 2)
        result["p50_ratio_anchor_to_this"] = round(anchor["p50_ms"] / this["p50_ms"], 2)
    print(json.dumps(result))
    return 0 if not any(run["failures"] for run in runs) else 1


def _run(label: str, root: Path, args, subjects: list[tuple[str, str]], cookie: str, secret_key: str) -> dict:
    """Start uvicorn from ``root``, warm it up, put the load on it, and return the figures."""
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "uvicorn", "firstcontact.asgi:application", "--port", str(args.port),
         "--workers", str(args.workers), "--log-level", "warning", "--no-access-log"],
        # As production runs (docs/operations.md), unless set otherwise: DEBUG off (it would keep
        # every query in memory) and a connection pool per worker.
        cwd=root, env={"DEBUG": "false", "DB_POOL_SIZE": "8", **os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost",
                       "SECRET_KEY": secret_key},
    )
    try:
        _wait_for(args.port)
        times: list[float] = []
        server_times: list[float] = []
        queue_times: list[float] = []
        failures: list[int] = []
        lock = threading.Lock()
        per_client = args.requests // args.clients

        def client(number: int) -> None:
            rng = random.Random(args.seed * 1000 + number)
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
            for _ in range(per_client):
                reference, address = rng.choice(subjects)
                path = f"/staff/contacts/history/?caller={reference}&address={address}"
                started = time.perf_counter()
                connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
                response = connection.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                timing = _server_timing(response.getheader("Server-Timing") or "")
                with lock:
                    times.append(elapsed)
                    if "view" in timing:
                        server_times.append(timing["view"])
                    if "queue" in timing:
                        queue_times.append(timing["queue"])
                    if response.status != 200:
                        failures.append(response.status)

        # Warm up each worker (imports, template loading, connection) before timing.
        for reference, address in subjects[:20]:
            warm = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
            warm.request("GET", f"/staff/contacts/history/?caller={reference}&address={address}",
                         headers={"Cookie": f"sessionid={cookie}"})
            warm.getresponse().read()
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "label": label, "root": str(root), "requests": len(times), "failures": len(failures),
        "p50_ms": round(1000 * statistics.median(times), 1), "p95_ms": round(1000 * _percentile(times, 0.95), 1),
        "p99_ms": round(1000 * _percentile(times, 0.99), 1), "max_ms": round(1000 * max(times), 1),
        "server_p50_ms": round(1000 * statistics.median(server_times), 1) if server_times else None,
        "server_p95_ms": round(1000 * _percentile(server_times, 0.95), 1) if server_times else None,
        "queue_p50_ms": round(1000 * statistics.median(queue_times), 1) if queue_times else None,
        "queue_p95_ms": round(1000 * _percentile(queue_times, 0.95), 1) if queue_times else None,
        "requests_per_second": round(len(times) / wall, 1),
    }


if __name__ == "__main__":
    sys.exit(main())
