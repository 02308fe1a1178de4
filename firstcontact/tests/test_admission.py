"""Admission control in the ASGI handler: at most N requests inside Django at once per process."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.testing import ApplicationCommunicator

from firstcontact.admission import BUSY_MESSAGE, AdmissionControlledASGIHandler
from firstcontact.tests import admission_urls

pytestmark = pytest.mark.urls("firstcontact.tests.admission_urls")


async def _get(app, path: str, query: str = "") -> tuple[int, dict[str, str], bytes, float]:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
    }
    started = time.perf_counter()
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(timeout=10)
    body = b""
    while True:
        message = await communicator.receive_output(timeout=10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(timeout=1)
    headers = {key.decode().lower(): value.decode() for key, value in start["headers"]}
    return start["status"], headers, body, time.perf_counter() - started


def _queue_ms(headers: dict[str, str]) -> float | None:
    for metric in headers.get("server-timing", "").split(","):
        name, _, rest = metric.strip().partition(";dur=")
        if name == "queue":
            return float(rest)
    return None


@pytest.fixture(autouse=True)
def _reset_counter():
    admission_urls.inside.update(now=0, most=0)


def _run(main):
    """``asyncio.run(main())`` in a thread of its own: a browser test earlier in the run may have
    left an event loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def _run_together(app, count: int, *, seconds: float = 0.2):
    async def main():
        return await asyncio.gather(*(_get(app, "/slow", f"seconds={seconds}") for _ in range(count)))

    return _run(main)


def test_no_more_than_the_limit_run_at_once_and_the_rest_wait_their_turn():
    results = _run_together(AdmissionControlledASGIHandler(limit=2, timeout=30), 6)
    assert [status for status, *_ in results] == [200] * 6
    assert admission_urls.inside["most"] == 2
    waits = sorted(_queue_ms(headers) for _, headers, *_ in results)
    # Two went straight in; the others waited for one, then two, turns of 0.2 s.
    assert waits[1] < 100
    assert waits[2] >= 150 and waits[-1] >= 350


def test_without_a_limit_every_request_runs_at_once():
    results = _run_together(AdmissionControlledASGIHandler(limit=0, timeout=30), 6)
    assert [status for status, *_ in results] == [200] * 6
    assert admission_urls.inside["most"] == 6
    assert all(_queue_ms(headers) is None for _, headers, *_ in results)


def test_a_request_not_admitted_in_time_is_told_to_come_back():
    app = AdmissionControlledASGIHandler(limit=1, timeout=0.2)

    async def main():
        first = asyncio.ensure_future(_get(app, "/slow", "seconds=1"))
        await asyncio.sleep(0.05)
        second = await _get(app, "/slow", "seconds=0")
        return await first, second

    (first_status, *_), (status, headers, body, elapsed) = _run(main)
    assert first_status == 200
    assert status == 503
    assert headers["retry-after"] == "5"
    assert body.decode() == BUSY_MESSAGE
    assert elapsed < 0.9  # answered when its wait ran out, not after the slow request


def test_the_health_check_is_never_held_back():
    app = AdmissionControlledASGIHandler(limit=1, timeout=30)

    async def main():
        slow = asyncio.ensure_future(_get(app, "/slow", "seconds=1"))
        await asyncio.sleep(0.05)
        health = await _get(app, "/healthz")
        return await slow, health

    _, (status, headers, _, elapsed) = _run(main)
    assert status == 200
    assert elapsed < 0.5
    assert _queue_ms(headers) is None
