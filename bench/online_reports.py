#!/usr/bin/env python
"""Online reporting under load: sustained reports a minute, p95 latency, and none lost or duplicated.

Usage (PostgreSQL, your own database; it is migrated, and the reports already in it are counted
before and after, so it need not be empty):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_public_bench bench/online_reports.py \\
        --users 20 --duration 120 --workers 2

Starts uvicorn on the project's ASGI application (``--workers`` processes) and runs locust
headless in this process against it over loopback. Each simulated member of the public walks
the whole journey as a browser would: the start page, every question page (GET, then POST of
the answer with the form's CSRF token), check your answers, send. One journey in
``--double-share`` sends its report twice, as a double click or a retried request would.
Locust's users wait 0.5 to 2 s between pages (a fast typist; real people are slower).

The anchor, measured in the same run by the same users, is the start page: a GET that renders
a template and touches no table. Afterwards the database is asked how many reports carry the
keys the users sent: each key must be stored exactly once (none lost, none duplicated), and
the outbox must hold one acknowledgement per report. Prints a table, then one JSON line.
"""

from __future__ import annotations

# locust runs on gevent, which must patch the standard library before anything else imports it.
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" value="([0-9a-f]+)"')


def _wait_for(port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:  # noqa: S310
                if response.status in (200, 503):
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not start")


def _manage(*args: str, env: dict) -> str:
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout


COUNT_SCRIPT = """
import json, os
from notifications.models import Message
from public.models import OnlineReport
keys = json.load(open(os.environ["BENCH_KEYS_FILE"]))
stored = list(OnlineReport.objects.filter(submission_key__in=keys).values_list("submission_key", flat=True))
print(json.dumps({
    "total": OnlineReport.objects.count(), "stored": len(stored), "distinct": len(set(stored)),
    "acknowledgements": Message.objects.filter(template="report_received",
                                               reference__in=[f"report-received-{r}" for r in
                                               OnlineReport.objects.filter(submission_key__in=keys)
                                               .values_list("contact__reference", flat=True)]).count(),
}))
"""


def _journey_answers(day: date, number: int) -> list[tuple[str, dict]]:
    """One theft report's answers, page by page, varied a little by ``number``."""
    return [
        ("what", {"kind": "theft"}),
        ("when", {"date_day": str(day.day), "date_month": str(day.month), "date_year": str(day.year),
                  "time": f"{8 + number % 12:02d}:{number % 60:02d}"}),
        ("where", {"location": f"{number % 90 + 1} High Street, Stafford", "postcode": "ST16 2HS"}),
        ("stolen", {"items": f"Bicycle number {number}", "value": str(100 + number % 400)}),
        ("description", {"description": "Taken from outside the shop while I was inside for five minutes."}),
        ("suspect", {"suspect": "Teenager in a dark hoodie" if number % 3 else ""}),
        ("name", {"given_name": "Load", "family_name": f"Tester{number % 500}"}),
        ("contact", {"email": f"load.tester{number}@example.org", "phone": ""}),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="simulated members of the public at once")
    parser.add_argument("--spawn-rate", type=float, default=5.0)
    parser.add_argument("--duration", type=int, default=120, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--double-share", type=float, default=0.2, help="share of journeys that send twice")
    parser.add_argument("--port", type=int, default=8771)
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database of your own (the measurement is for production).")
    env = {**os.environ, "FIRSTCONTACT_MODE": "demo", "ALLOWED_HOSTS": "127.0.0.1,localhost",
           # Every simulated user comes from 127.0.0.1: the per-address limit would stop the test, not the server.
           "PUBLIC_REPORTS_PER_MINUTE": "1000000",
           # The outbox queues in the request; sending is a worker's job, not the reporter's wait.
           "NOTIFICATIONS_DELIVERY": "task", "LOG_LEVEL": "WARNING"}
    _manage("migrate", "--noinput", "-v0", env=env)

    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "uvicorn", "firstcontact.asgi:application", "--port", str(args.port),
         "--workers", str(args.workers), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )
    try:
        _wait_for(args.port)
        result = _run_locust(args)
    finally:
        server.terminate()
        server.wait(timeout=30)

    keys_file = ROOT / "var" / "bench-online-report-keys.json"
    keys_file.parent.mkdir(exist_ok=True)
    keys_file.write_text(json.dumps(sorted(result["keys"])))
    counts = json.loads(_manage("shell", "-c", COUNT_SCRIPT, env={**env, "BENCH_KEYS_FILE": str(keys_file)}).strip().splitlines()[-1])
    keys_file.unlink()

    minutes = result["seconds"] / 60
    summary = {
        "bench": "online_reports", "users": args.users, "workers": args.workers, "seconds": round(result["seconds"], 1),
        "reports_sent": len(result["keys"]), "double_submits": result["doubles"],
        "reports_per_minute": round(len(result["keys"]) / minutes, 1),
        "stored": counts["stored"], "distinct_stored": counts["distinct"], "acknowledgements": counts["acknowledgements"],
        "none_lost_none_duplicated": counts["stored"] == counts["distinct"] == len(result["keys"]),
        "requests": result["requests"], "failures": result["failures"],
        "p50_ms": result["p50"], "p95_ms": result["p95"], "p95_send_ms": result["p95_send"],
        "p95_question_ms": result["p95_question"], "anchor_start_page_p95_ms": result["p95_anchor"],
        "p95_vs_anchor": round(result["p95"] / result["p95_anchor"], 2) if result["p95_anchor"] else None,
    }
    print(f"{'journeys sent':<34}{summary['reports_sent']} ({summary['double_submits']} sent twice)")
    print(f"{'reports per minute':<34}{summary['reports_per_minute']}")
    print(f"{'stored / distinct':<34}{summary['stored']} / {summary['distinct_stored']}")
    print(f"{'requests / failures':<34}{summary['requests']} / {summary['failures']}")
    print(f"{'p50 / p95, all pages (ms)':<34}{summary['p50_ms']} / {summary['p95_ms']}")
    print(f"{'p95 send report (ms)':<34}{summary['p95_send_ms']}")
    print(f"{'p95 question POST (ms)':<34}{summary['p95_question_ms']}")
    print(f"{'p95 start page, anchor (ms)':<34}{summary['anchor_start_page_p95_ms']}")
    print(json.dumps(summary))
    return 0 if summary["none_lost_none_duplicated"] and not summary["failures"] else 1


def _run_locust(args) -> dict:
    import gevent
    from locust import HttpUser, between, events, task
    from locust.env import Environment

    keys: set[str] = set()
    counters = {"doubles": 0, "journeys": 0}
    day = date.today() - timedelta(days=1)  # noqa: DTZ011 - any recent date will do

    class Reporter(HttpUser):
        host = f"http://127.0.0.1:{args.port}"
        wait_time = between(0.5, 2.0)

        @task
        def report(self) -> None:
            counters["journeys"] += 1
            number = counters["journeys"]
            self.client.cookies.clear()
            start = self.client.get("/report/", name="start page (anchor)")
            page = self.client.get("/report/question/what/", name="question GET")
            token = CSRF.search(page.text).group(1)
            headers = {"Referer": self.host + "/report/"}
            for step, values in _journey_answers(day, number):
                response = self.client.post(f"/report/question/{step}/", {**values, "csrfmiddlewaretoken": token},
                                            name="question POST", headers=headers, allow_redirects=False)
                if response.status_code != 302:
                    response.failure(f"{step}: {response.status_code}")
                    return
                self.wait()
            check = self.client.get("/report/check/", name="check answers")
            key = KEY.search(check.text).group(1)
            data = {"csrfmiddlewaretoken": token, "submission_key": key}
            times = 2 if (number * 37) % 100 < args.double_share * 100 else 1
            for _ in range(times):
                sent = self.client.post("/report/check/", data, name="send report", headers=headers,
                                        allow_redirects=False)
                if sent.status_code != 302 or not sent.headers.get("Location", "").endswith("/report/done/"):
                    sent.failure(f"send: {sent.status_code}")
                    return
            counters["doubles"] += times - 1
            keys.add(key)
            del start

    environment = Environment(user_classes=[Reporter], events=events)
    runner = environment.create_local_runner()
    began = time.monotonic()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    gevent.sleep(args.duration)
    runner.quit()
    seconds = time.monotonic() - began
    stats = environment.stats

    def p95(name: str) -> float:
        for entry in stats.entries.values():
            if entry.name == name:
                return round(entry.get_response_time_percentile(0.95), 1)
        return 0.0

    total = stats.total
    return {
        "keys": keys, "doubles": counters["doubles"], "seconds": seconds, "requests": total.num_requests,
        "failures": total.num_failures, "p50": round(total.get_response_time_percentile(0.5), 1),
        "p95": round(total.get_response_time_percentile(0.95), 1), "p95_send": p95("send report"),
        "p95_question": p95("question POST"), "p95_anchor": p95("start page (anchor)"),
    }


if __name__ == "__main__":
    sys.exit(main())
