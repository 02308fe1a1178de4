"""Admission control: at most N requests at a time inside Django in each server process.

Under ASGI, Django hands every request to a thread of its own. With twenty handlers' requests
arriving together, a process would run twenty views at once, interleaved on one interpreter
lock: each takes twenty times as long, and every return from the database waits for the lock
again behind the others. This handler makes the rest wait their turn in the event loop (where
waiting costs nothing) and lets ``MAX_CONCURRENT_REQUESTS`` through at a time, in the order they
came. The same work is done, but each admitted request runs with little company and finishes in
its own time. docs/architecture.md records the measurements behind the default.

The gate sits where Django has read the request body and built the request, and is left as soon
as the response exists: a slow upload or a streamed download does not hold a place. A request
that cannot be admitted within ``ADMISSION_TIMEOUT_SECONDS`` is answered ``503 Service
Unavailable`` with ``Retry-After`` rather than left waiting. ``/healthz`` is never held back, so a
busy server is not mistaken for a dead one. The response's ``Server-Timing`` header gains
``queue;dur=…``: how long the request waited to be admitted.

Only the ASGI server uses this handler; the test client and WSGI are unchanged.
"""

from __future__ import annotations

import asyncio
import time

import django
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponse

EXEMPT_PATHS = frozenset({"/healthz"})
BUSY_MESSAGE = "The service is busy. Please try again in a few seconds."


class AdmissionControlledASGIHandler(ASGIHandler):
    """Django's ASGI handler with a first-come, first-served gate in front of each request."""

    def __init__(self, *, limit: int | None = None, timeout: float | None = None):
        super().__init__()
        self.limit = int(settings.MAX_CONCURRENT_REQUESTS if limit is None else limit)
        self.timeout = float(settings.ADMISSION_TIMEOUT_SECONDS if timeout is None else timeout)
        # One gate per event loop, made on first use inside the loop that serves the process.
        self._gates: dict[int, asyncio.Semaphore] = {}

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(id(loop))
        if gate is None:
            gate = self._gates[id(loop)] = asyncio.Semaphore(self.limit)
        return gate

    async def get_response_async(self, request: HttpRequest) -> HttpResponse:
        if self.limit <= 0 or request.path in EXEMPT_PATHS:
            return await super().get_response_async(request)
        gate = self._gate()
        arrived = time.perf_counter()
        try:
            await asyncio.wait_for(gate.acquire(), timeout=self.timeout)
        except TimeoutError:
            response = HttpResponse(BUSY_MESSAGE, status=503, content_type="text/plain; charset=utf-8")
            response["Retry-After"] = "5"
            return response
        waited = time.perf_counter() - arrived
        try:
            response = await super().get_response_async(request)
        finally:
            gate.release()
        timing = f"queue;dur={1000 * waited:.1f}"
        existing = response.get("Server-Timing")
        response["Server-Timing"] = f"{existing}, {timing}" if existing else timing
        return response


def get_asgi_application() -> AdmissionControlledASGIHandler:
    """Like ``django.core.asgi.get_asgi_application``, with the admission gate."""
    django.setup(set_prefix=False)
    return AdmissionControlledASGIHandler()
