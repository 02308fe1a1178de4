"""`make demo`'s runner: the task worker and the scheduler start beside the server and stop with it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from firstcontact.tests.subprocess_env import SETTINGS_VARIABLES

# A stand-in for uvicorn: serves nothing, and stops with exit code 3 when the test creates the file.
SERVER = "import pathlib, sys, time\nwhile not pathlib.Path(sys.argv[1]).exists(): time.sleep(0.2)\nsys.exit(3)"


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(FIRSTCONTACT_VAR_DIR=str(var_dir), PYTHONDONTWRITEBYTECODE="1", LOG_LEVEL="INFO")
    return env


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A demo-mode SQLite database with every migration applied, made once for this module."""
    var_dir = tmp_path_factory.mktemp("demo-services")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=settings.BASE_DIR,  # noqa: S603
                   env=_env(var_dir), check=True, timeout=300)
    return var_dir


@pytest.fixture
def var_dir(migrated, tmp_path) -> Path:
    shutil.copytree(migrated, tmp_path / "var")
    return tmp_path / "var"


def _start(var_dir: Path, stop_file: Path) -> tuple[subprocess.Popen, Path]:
    log = var_dir / "services.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "run_demo_services", "--", sys.executable, "-c", SERVER, str(stop_file)],
            cwd=settings.BASE_DIR, env=_env(var_dir), stdout=out, stderr=subprocess.STDOUT,
        )
    return process, log


def _wait_for_work(var_dir: Path, log: Path) -> dict[str, int]:
    """Wait until the scheduler has run its jobs and the worker has finished the tasks they queued."""
    deadline = time.monotonic() + 120
    db = sqlite3.connect(var_dir / "firstcontact.sqlite3")
    try:
        while time.monotonic() < deadline:
            runs = db.execute("SELECT count(*) FROM scheduling_jobrun WHERE outcome = 'ok'").fetchone()[0]
            tasks = db.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
            ).fetchone()[0]
            if runs >= 3 and tasks >= 2:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the scheduler and the worker did no work:\n{log.read_text()}")
    finally:
        db.close()
    started = dict(re.findall(r"Started the (task worker|scheduler|server) \(process (\d+)\)", log.read_text()))
    return {name: int(pid) for name, pid in started.items()}


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A child that exited but is not yet reaped would still answer; ours are reaped by the runner.
    return False


def test_the_worker_and_scheduler_run_beside_the_server_and_stop_when_it_stops(var_dir, tmp_path):
    stop_file = tmp_path / "stop-server"
    process, log = _start(var_dir, stop_file)
    try:
        pids = _wait_for_work(var_dir, log)
        assert set(pids) == {"task worker", "scheduler", "server"}
        assert not any(_gone(pid) for pid in pids.values())
        stop_file.touch()
        assert process.wait(60) == 3  # the server's own exit code
    finally:
        if process.poll() is None:
            process.kill()
    assert all(_gone(pid) for pid in pids.values())
    output = log.read_text()
    assert "The server stopped (exit code 3); stopping the worker and the scheduler." in output
    assert "Stopped the task worker" in output and "Stopped the scheduler" in output


def test_a_stop_signal_stops_the_server_the_worker_and_the_scheduler(var_dir, tmp_path):
    process, log = _start(var_dir, tmp_path / "never")
    try:
        pids = _wait_for_work(var_dir, log)
        process.send_signal(signal.SIGINT)  # Ctrl-C in the terminal that ran make demo
        assert process.wait(60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert all(_gone(pid) for pid in pids.values())
    assert "Stopped the server" in log.read_text()
