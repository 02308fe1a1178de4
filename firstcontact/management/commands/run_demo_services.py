"""``python manage.py run_demo_services -- <server command>``: the server with its task worker and scheduler.

For the demo and a training room, where one terminal runs everything: the django-tasks worker
and ``run_scheduler`` start as child processes beside the web server, and stop with it. In
production each runs as its own service instead (docs/operations.md).
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

STOP_WAIT_SECONDS = 15
RESTART_LIMIT = 5


class Command(BaseCommand):
    help = (
        "Start the task worker (db_worker) and the scheduler (run_scheduler) beside the server command given "
        "after --, and stop them when it stops or on Ctrl-C. For the demo; run them as services in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("server", nargs=argparse.REMAINDER, help="The server command and its arguments, after --.")

    def handle(self, *args: Any, server: list[str], **options: Any) -> None:
        server = server[1:] if server[:1] == ["--"] else server
        if not server:
            raise CommandError("Give the server command after --, e.g. run_demo_services -- uvicorn firstcontact.asgi:application")
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        helpers = {
            "task worker": [*manage, "db_worker", "--queue-name", "*", "--no-reload"],
            "scheduler": [*manage, "run_scheduler"],
        }
        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)

        # Each child has a session of its own, so Ctrl-C reaches only this process, which then stops
        # the server first and the helpers after it, each once and in order.
        children = {name: self._start(name, command) for name, command in helpers.items()}
        restarts = dict.fromkeys(helpers, 0)
        web = self._start("server", server)
        code = 0
        try:
            while not stopping:
                code = web.poll()
                if code is not None:
                    self.stdout.write(f"The server stopped (exit code {code}); stopping the worker and the scheduler.")
                    break
                for name, process in children.items():
                    if process.poll() is not None and restarts[name] < RESTART_LIMIT:
                        restarts[name] += 1
                        self.stderr.write(f"The {name} stopped (exit code {process.returncode}); starting it again.")
                        children[name] = self._start(name, helpers[name])
                time.sleep(0.5)
        finally:
            self._stop("server", web)
            for name, process in children.items():
                self._stop(name, process)
        if code:
            sys.exit(code)

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, start_new_session=True)  # noqa: S603
        self.stdout.write(f"Started the {name} (process {process.pid}): {' '.join(command)}")
        return process

    def _stop(self, name: str, process: subprocess.Popen) -> None:
        if process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.stderr.write(f"The {name} did not stop within {STOP_WAIT_SECONDS} s; killing it.")
            process.kill()
            process.wait()
        self.stdout.write(f"Stopped the {name} (process {process.pid}).")
