"""Small real tasks for the scheduler's tests: each leaves a line in a file, so a run can be counted."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task


def _append(path: str, line: str) -> None:
    # One write() on a file opened for appending: lines from concurrent schedulers never interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


@task()
def note_run_task(path: str, label: str, seconds: float = 0.0) -> str:
    """Write ``label`` to the file at ``path`` (after ``seconds``, to make the run take time)."""
    if seconds:
        time.sleep(seconds)
    _append(path, label)
    return label


@task()
def fail_until_ready_task(path: str, ready: str) -> str:
    """Fail while the file ``ready`` is missing; once it exists, note the run in ``path``."""
    if not Path(ready).exists():
        raise RuntimeError(f"{ready} is not there yet")
    _append(path, "ran")
    return "ran"
