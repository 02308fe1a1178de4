"""Run Django start-up in a fresh interpreter with a chosen environment, as a server would start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

# Variables settings.py reads; a test starts from none of them so the outer test run cannot leak in.
SETTINGS_VARIABLES = (
    "FIRSTCONTACT_MODE", "FIRSTCONTACT_TESTING", "FIRSTCONTACT_VAR_DIR", "SECRET_KEY", "SECRET_KEY_FILE", "DEBUG",
    "ALLOWED_HOSTS", "DATABASE_URL", "TEST_DATABASE_NAME", "REDIS_URL", "SESSION_IDLE_MINUTES",
    "CSRF_TRUSTED_ORIGINS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "BEHIND_TLS_PROXY",
)
PRODUCTION_KEY = "k" * 20 + "-a-long-production-secret-for-tests-only-0123456789"


def run_django(code: str, var_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` after ``django.setup()`` with only ``env`` set among the settings variables."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    clean.update(
        DJANGO_SETTINGS_MODULE="firstcontact.settings",
        FIRSTCONTACT_VAR_DIR=str(var_dir),
        PYTHONDONTWRITEBYTECODE="1",
    )
    clean.update(env)
    script = "import django\ndjango.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
