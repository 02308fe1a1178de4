#!/usr/bin/env python
"""Call-time person search under load: latency and top-10 recall through the real HTTP endpoint.

Usage (PostgreSQL; the database is emptied of persons first when --load is given):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_bench bench/search.py --load 2000000 \\
        --clients 20 --queries 4000 --workers 2

``--load N`` generates N persons (names drawn with their UK frequencies from Faker's
en_GB lists, dates of birth over 95 years, a mobile number each) and loads them with
COPY, indexes dropped during the load and rebuilt after; the search columns are filled
from people.matching as the services would. Without ``--load`` the persons already in
the database are searched.

Then it starts uvicorn on the project's ASGI application (``--workers`` processes, as
docs/operations.md runs it), issues an API token with the people:read scope, and has
``--clients`` threads, each on one kept-alive connection, call GET /api/people/search
with queries made from persons drawn at random from the index, each with one slip:
a typo (substitution, deletion, insertion or transposition) in the family or given
name, the day and month of birth swapped, a nickname for the given name, or the phone
typed another way with the name misspelt. Times are taken at the client over loopback
(queueing in the server included). Each search writes its audit entry, as in
production.

The anchor, in the same run and with the same clients: the cheapest authenticated API
request the server answers, GET /api/people/persons/<a reference no one has> (token
check, one indexed lookup, a 404, no audit entry). It is the floor the web stack and the
machine set at that moment; a search can only be as fast as it. Prints a table, then
one JSON line.

``--name-only N`` adds N searches by name alone (no date of birth, no phone), each with one
typo in the family or given name or a nickname for the given name (in turn), timed twice: in
process (``search_people`` called in turn, one at a time) and through HTTP with the same clients. Without a date, a typed name cannot
tell namesakes apart, so besides the plain top-10 recall it reports the namesake recall: a
search counts as found when its top 10 holds the true person or someone with exactly the true
person's (folded) given and family names, who the handler could not have told apart either;
and the plain recall over the searches whose true name is borne by at most ten persons (so
that the top 10 can hold them all). By kind of slip it also reports both recalls and how often
the first result bears the true person's name (the true person or an exact namesake), which is
where the order of the scorer's name levels shows. Its figures go under the JSON key ``name_only``.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstcontact.settings")

KINDS = ("family_typo", "given_typo", "day_month_swap", "nickname", "phone_format")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _setup_django() -> None:
    import django

    django.setup()


# --- generating and loading persons ----------------------------------------------------------------

def _weighted(names) -> tuple[list[str], list[float]]:
    if isinstance(names, dict):
        return list(names), [float(w) for w in names.values()]
    names = list(names)
    return names, [1.0] * len(names)


def generate_rows(count: int, seed: int, start_id: int):
    """Yield person rows (tuples in COPY column order) with realistic name frequencies; fixed by the seed."""
    import numpy as np
    from faker.providers.person.en_GB import Provider

    from people import matching

    rng = np.random.default_rng(seed)
    female, fw = _weighted(Provider.first_names_female)
    male, mw = _weighted(Provider.first_names_male)
    family, lw = _weighted(Provider.last_names)
    # A long tail of rarer surnames (double-barrelled from the same list) so that not
    # everyone shares a few hundred surnames: about a third of the UK has a surname
    # outside the commonest 500.
    pairs = [f"{a}-{b}" for a, b in zip(rng.choice(family, 3000), rng.choice(family, 3000), strict=True)]
    family_all = family + pairs
    lw_all = np.array(lw + [float(np.median(lw)) / 4] * len(pairs))
    keys: dict[str, tuple[str, str]] = {}

    def key(name: str) -> tuple[str, str]:
        if name not in keys:
            folded = matching.fold(name)
            keys[name] = (folded, matching.phonetic_key(folded))
        return keys[name]

    fp, mp, lp = np.array(fw) / sum(fw), np.array(mw) / sum(mw), lw_all / lw_all.sum()
    first_day = date(1928, 1, 1).toordinal()
    span = date(2022, 12, 31).toordinal() - first_day
    now = "2026-01-01 00:00:00+00"
    chunk = 100_000
    pid = start_id
    for offset in range(0, count, chunk):
        n = min(chunk, count - offset)
        is_female = rng.random(n) < 0.5
        given_f = rng.choice(len(female), n, p=fp)
        given_m = rng.choice(len(male), n, p=mp)
        fam = rng.choice(len(family_all), n, p=lp)
        days = rng.integers(0, span, n)
        phones = rng.integers(0, 10**9, n)
        for i in range(n):
            given = female[given_f[i]] if is_female[i] else male[given_m[i]]
            surname = family_all[fam[i]]
            g_norm, g_key = key(given)
            f_norm, f_key = key(surname)
            yield (
                pid, f"P{pid:08d}", given, surname, date.fromordinal(first_day + int(days[i])).isoformat(),
                "female" if is_female[i] else "male", f"+447{int(phones[i]):09d}", "", now, now,
                g_norm, f_norm, g_key, f_key,
            )
            pid += 1


COLUMNS = ("id", "reference", "given_name", "family_name", "date_of_birth", "gender", "phone_e164", "email",
           "created_at", "updated_at", "given_norm", "family_norm", "given_key", "family_key")


def load_persons(count: int, seed: int) -> dict:
    """Replace the persons in the database with ``count`` generated ones, by COPY; returns timings."""
    from django.db import connection

    from people.models import Person

    timings = {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'people_person' "
                       "AND indexname NOT LIKE '%%_pkey' AND indexdef NOT LIKE 'CREATE UNIQUE%%'")
        indexes = cursor.fetchall()
        cursor.execute("TRUNCATE people_person RESTART IDENTITY CASCADE")
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        copy_sql = f"COPY people_person ({', '.join(COLUMNS)}) FROM STDIN"
        buffer = io.StringIO()
        written = 0
        with cursor.copy(copy_sql) as copy:
            for row in generate_rows(count, seed, 1):
                buffer.write("\t".join(str(v) for v in row))
                buffer.write("\n")
                written += 1
                if written % 50_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        timings["copy_seconds"] = round(time.perf_counter() - started, 1)
        rebuilt = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SELECT setval(pg_get_serial_sequence('people_person', 'id'), %s)", [count])
        cursor.execute("ANALYZE people_person")
        timings["index_seconds"] = round(time.perf_counter() - rebuilt, 1)
    timings["load_seconds"] = round(time.perf_counter() - started, 1)
    timings["persons"] = Person.objects.count()
    return timings


# --- queries with one slip -------------------------------------------------------------------------

def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: a letter substituted, dropped, added, or two neighbours swapped."""
    if len(word) < 3:
        return word + rng.choice(LETTERS)
    i = rng.randrange(1, len(word) - 1)  # callers and handlers rarely get the first letter wrong
    kind = rng.choice(("sub", "del", "ins", "swap"))
    if kind == "sub":
        return word[:i] + rng.choice([c for c in LETTERS if c != word[i].lower()]) + word[i + 1:]
    if kind == "del":
        return word[:i] + word[i + 1:]
    if kind == "ins":
        return word[:i] + rng.choice(LETTERS) + word[i:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


def _nickname_options() -> dict[str, list[str]]:
    """Each listed given name (folded) with the other names of its families, for nickname queries."""
    from people.nicknames import NICKNAME_FAMILIES

    options: dict[str, list[str]] = {}
    for family in NICKNAME_FAMILIES:
        for name in family:
            options.setdefault(name, []).extend(sorted(family - {name}))
    return options


def _pick_nickname(options: list[str], seed: int, pk: int) -> str:
    """One of a person's nicknames, drawn apart from the main stream: a change to the nickname table
    then alters only the queries of the names it touches, and runs before and after it stay comparable."""
    return random.Random(seed * 1_000_003 + pk).choice(options).capitalize()


def make_queries(count: int, seed: int) -> list[tuple[str, str, dict]]:
    """(kind, true reference, query parameters) drawn from persons in the index."""
    from people.models import Person

    rng = random.Random(seed)
    low = Person.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    high = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ids = [rng.randint(low, high) for _ in range(count * 2)] if high else []
    persons = {p.pk: p for p in Person.objects.filter(pk__in=ids).only(
        "reference", "given_name", "family_name", "date_of_birth", "phone_e164")}
    nickname_of = _nickname_options()
    queries = []
    for pk in ids:
        person = persons.get(pk)
        if person is None or person.date_of_birth is None:
            continue
        kind = KINDS[len(queries) % len(KINDS)]
        given, family, dob = person.given_name, person.family_name, person.date_of_birth
        params = {"name": f"{given} {family}", "dob": dob.isoformat()}
        if kind == "family_typo":
            params["name"] = f"{given} {typo(family, rng)}"
        elif kind == "given_typo":
            params["name"] = f"{typo(given, rng)} {family}"
        elif kind == "day_month_swap":
            if dob.day > 12 or dob.day == dob.month:
                continue
            params["dob"] = date(dob.year, dob.day, dob.month).isoformat()
        elif kind == "nickname":
            options = nickname_of.get(given.lower())
            if not options:
                continue
            params["name"] = f"{_pick_nickname(options, seed, pk)} {family}"
        elif kind == "phone_format":
            national = "0" + person.phone_e164[3:]
            params = {"name": f"{typo(given, rng)} {family}",
                      "phone": f"{national[:5]} {national[5:8]} {national[8:]}"}
        queries.append((kind, person.reference, params))
        if len(queries) >= count:
            break
    return queries


# A name borne by at most this many persons can have all of them in a top 10, the true person included.
FEW_NAMESAKES = 10


NAME_ONLY_KINDS = ("family_typo", "given_typo", "nickname")


def make_name_only_queries(count: int, seed: int) -> list[tuple[str, str, dict]]:
    """(kind, true reference, {"name": ...}) with one slip, and nothing else: a typo in the family or
    given name, or a nickname for the given name (persons whose name has none are skipped for it)."""
    from people.models import Person

    rng = random.Random(seed + 1)
    nickname_of = _nickname_options()
    low = Person.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    high = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ids = [rng.randint(low, high) for _ in range(count * 2)] if high else []
    persons = {p.pk: p for p in Person.objects.filter(pk__in=ids).only("reference", "given_name", "family_name")}
    queries = []
    for pk in ids:
        person = persons.get(pk)
        if person is None:
            continue
        given, family = person.given_name, person.family_name
        kind = NAME_ONLY_KINDS[len(queries) % len(NAME_ONLY_KINDS)]
        if kind == "given_typo":
            name = f"{typo(given, rng)} {family}"
        elif kind == "family_typo":
            name = f"{given} {typo(family, rng)}"
        else:
            options = nickname_of.get(given.lower())
            if not options:
                continue
            name = f"{_pick_nickname(options, seed, pk)} {family}"
        queries.append((kind, person.reference, {"name": name}))
        if len(queries) >= count:
            break
    return queries


def run_name_only_in_process(queries, *, warmup: int) -> dict:
    """Latency (ms, one search at a time) and recall of name-only searches called in process."""
    from django.contrib.auth import get_user_model

    from people.models import Person
    from people.selectors import search_people

    actor, _ = get_user_model().objects.get_or_create(username="search-benchmark", defaults={"is_superuser": True})
    truth = {p.reference: (p.given_norm, p.family_norm) for p in Person.objects.filter(
        reference__in=[ref for _, ref, _ in queries]).only("reference", "given_norm", "family_norm")}
    bearers = {pair: Person.objects.filter(given_norm=pair[0], family_norm=pair[1]).count() for pair in set(truth.values())}
    latencies: list[float] = []
    found: list[bool] = []
    namesake: list[bool] = []
    first: list[bool] = []
    kinds: list[str] = []
    few: list[bool] = []
    for i, (kind, reference, params) in enumerate(queries):
        started = time.perf_counter()
        results = search_people(actor=actor, reason="Search benchmark", name=params["name"], limit=10)
        elapsed = (time.perf_counter() - started) * 1000
        if i < warmup:
            continue
        latencies.append(elapsed)
        found.append(any(r.reference == reference for r in results))
        namesake.append(any((r.person.given_norm, r.person.family_norm) == truth[reference] for r in results))
        first.append(bool(results) and (results[0].reference == reference or (
            results[0].person.given_norm, results[0].person.family_norm) == truth[reference]))
        kinds.append(kind)
        if bearers[truth[reference]] <= FEW_NAMESAKES:
            few.append(found[-1])
    return {
        "queries": len(latencies), "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "recall_top10": round(sum(found) / len(found), 4),
        "namesake_recall_top10": round(sum(namesake) / len(namesake), 4),
        "few_namesakes": {"queries": len(few), "recall_top10": round(sum(few) / max(1, len(few)), 4)},
        "by_kind": {kind: _share_by_kind(kinds, kind, found=found, namesake=namesake, name_first=first)
                    for kind in NAME_ONLY_KINDS},
    }


def _share_by_kind(kinds: list[str], kind: str, **outcomes: list[bool]) -> dict:
    """For the searches of one kind: how many, and the share of each outcome that held."""
    picked = [i for i, k in enumerate(kinds) if k == kind]
    return {"queries": len(picked),
            **{name: round(sum(values[i] for i in picked) / max(1, len(picked)), 4) for name, values in outcomes.items()}}


# --- driving the server ----------------------------------------------------------------------------

def _wait_for(port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"The server did not answer on port {port} within {timeout:.0f} s.")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run(queries, *, port: int, token: str, clients: int, warmup: int) -> tuple[list[float], list[bool], list[str]]:
    latencies: list[float] = []
    found: list[bool] = []
    kinds: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    next_index = [0]
    headers = {"Authorization": f"Bearer {token}"}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= len(queries):
                break
            kind, reference, params = queries[i]
            path = "/api/people/search?" + urllib.parse.urlencode({**params, "reason": "Search benchmark"})
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                with lock:
                    errors.append(f"{response.status}: {body[:200]!r}")
                continue
            refs = [r["reference"] for r in json.loads(body)["results"]]
            if i >= warmup:
                with lock:
                    latencies.append(elapsed)
                    found.append(reference in refs)
                    kinds.append(kind)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"{len(errors)} requests failed, first: {errors[0]}", file=sys.stderr)
    return latencies, found, kinds


def run_anchor(*, port: int, token: str, clients: int, requests: int) -> list[float]:
    """Latencies (ms) of the floor request: token check, one indexed lookup, 404, nothing logged."""
    latencies: list[float] = []
    lock = threading.Lock()
    left = [requests]
    path = "/api/people/persons/P99999999?" + urllib.parse.urlencode({"reason": "Search benchmark anchor"})
    headers = {"Authorization": f"Bearer {token}"}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status == 404:
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", type=int, default=0, help="generate and load this many persons first (PostgreSQL)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--queries", type=int, default=4000)
    parser.add_argument("--warmup", type=int, default=200, help="first queries not counted (warms the caches)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=0, help="port for the server (default: a free one)")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--name-only", type=int, default=0, metavar="N",
                        help="also time N searches by name alone (one typo, no date or phone), in process and by HTTP")
    parser.add_argument("--anchor", type=int, default=1000,
                        help="floor requests (token check, one lookup, 404) with the same clients; 0 to skip")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.queries < 1 or args.workers < 1:
        parser.error("--clients, --queries and --workers must be at least 1")

    _setup_django()
    from django.db import connection

    from accounts.services import issue_api_token

    if connection.vendor != "postgresql":
        parser.error("the search benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load = {}
    if args.load:
        load = load_persons(args.load, args.seed)
        print(f"loaded {load['persons']:,} persons in {load['load_seconds']} s "
              f"(COPY {load['copy_seconds']} s, indexes {load['index_seconds']} s)")
    queries = make_queries(args.queries + args.warmup, args.seed)
    name_only_warmup = min(args.warmup, args.name_only)
    name_queries = make_name_only_queries(args.name_only + name_only_warmup, args.seed) if args.name_only else []
    name_only = run_name_only_in_process(name_queries, warmup=name_only_warmup) if name_queries else {}
    _, token = issue_api_token(name=f"search benchmark {time.time():.0f}", scopes=["people:read"], issued_by=None)
    persons = load.get("persons") or connection.cursor().execute("SELECT count(*) FROM people_person").fetchone()[0]
    connection.close()

    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    # As production runs: DEBUG off (it keeps every query in memory) and a connection pool per worker.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "firstcontact.settings", "DEBUG": "false",
           "DB_POOL_SIZE": os.environ.get("DB_POOL_SIZE", "8")}
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "uvicorn", "firstcontact.asgi:application", "--port", str(args.port),
         "--workers", str(args.workers), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )
    try:
        _wait_for(args.port)
        started = time.perf_counter()
        latencies, found, kinds = run(queries, port=args.port, token=token, clients=args.clients,
                                      warmup=args.warmup)
        wall = time.perf_counter() - started
        if name_queries:
            name_latencies, name_found, _ = run(name_queries, port=args.port, token=token, clients=args.clients,
                                                warmup=name_only_warmup)
            name_only["http"] = {"queries": len(name_latencies), "p50_ms": round(statistics.median(name_latencies), 1),
                                 "p95_ms": round(_percentile(name_latencies, 0.95), 1),
                                 "recall_top10": round(sum(name_found) / max(1, len(name_found)), 4)}
        anchor = run_anchor(port=args.port, token=token, clients=args.clients, requests=args.anchor)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if not latencies:
        print("No query was answered.", file=sys.stderr)
        return 1
    summary = {
        "persons": persons, "clients": args.clients, "workers": args.workers, "queries": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(_percentile(latencies, 0.95), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1), "throughput_per_s": round(len(queries) / wall, 1),
        "recall_top10": round(sum(found) / len(found), 4),
        "recall_by_kind": {k: round(sum(f for f, kk in zip(found, kinds, strict=True) if kk == k)
                                    / max(1, kinds.count(k)), 4) for k in KINDS},
        **({"load": load} if load else {}),
        **({"name_only": name_only} if name_only else {}),
    }
    if anchor:
        summary["anchor_floor"] = {"requests": len(anchor), "p50_ms": round(statistics.median(anchor), 1),
                                   "p95_ms": round(_percentile(anchor, 0.95), 1)}
        summary["p95_over_floor_p95"] = round(summary["p95_ms"] / max(0.1, summary["anchor_floor"]["p95_ms"]), 2)
    print(f"{'persons':<22}{summary['persons']:>12,}")
    print(f"{'clients / workers':<22}{args.clients:>8} / {args.workers}")
    print(f"{'queries timed':<22}{summary['queries']:>12,}")
    for key in ("p50_ms", "p95_ms", "p99_ms", "throughput_per_s", "recall_top10"):
        print(f"{key:<22}{summary[key]:>12}")
    for kind, value in summary["recall_by_kind"].items():
        print(f"  recall {kind:<14}{value:>12}")
    if anchor:
        floor = summary["anchor_floor"]
        print(f"{'anchor p50 / p95 ms':<22}{floor['p50_ms']:>8} / {floor['p95_ms']}")
        print(f"{'search p95 / floor p95':<22}{summary['p95_over_floor_p95']:>12}")
    if name_only:
        print(f"{'name only, in process':<22}p50 {name_only['p50_ms']} ms, p95 {name_only['p95_ms']} ms "
              f"({name_only['queries']} searches, one at a time)")
        if "http" in name_only:
            print(f"{'name only, HTTP':<22}p50 {name_only['http']['p50_ms']} ms, p95 {name_only['http']['p95_ms']} ms "
                  f"({args.clients} clients)")
        print(f"{'name only, recall':<22}true person {name_only['recall_top10']}, "
              f"true person or exact namesake {name_only['namesake_recall_top10']}, "
              f"true person among at most {FEW_NAMESAKES} namesakes {name_only['few_namesakes']['recall_top10']} "
              f"({name_only['few_namesakes']['queries']} searches)")
        for kind, shares in name_only["by_kind"].items():
            print(f"  {kind:<20}true person {shares['found']}, or namesake {shares['namesake']}, "
                  f"name first {shares['name_first']} ({shares['queries']} searches)")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
