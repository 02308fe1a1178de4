"""Settings are read from the environment strictly; production mode is secure by default.

Each case starts Django in a fresh interpreter, as a server does, because settings
are read once at start-up.
"""

from __future__ import annotations

import json
import stat

import pytest

from .subprocess_env import PRODUCTION_KEY, run_django

SHOW = (
    "from django.conf import settings as s\n"
    "import json\n"
    "print(json.dumps({{k: getattr(s, k, None) for k in {names!r}}}, default=str))\n"
)


def shown(result) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def production(tmp_path, **env: str) -> dict[str, str]:
    return {
        "FIRSTCONTACT_MODE": "production",
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": "contact.example.police.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        **env,
    }


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"FIRSTCONTACT_MODE": "production", "ALLOWED_HOSTS": "contact.example.police.uk"}, "SECRET_KEY"),
        ({"FIRSTCONTACT_MODE": "production", "SECRET_KEY": "short", "ALLOWED_HOSTS": "x.example"}, "SECRET_KEY"),
        ({"FIRSTCONTACT_MODE": "production", "SECRET_KEY": PRODUCTION_KEY}, "ALLOWED_HOSTS"),
        ({"FIRSTCONTACT_MODE": "staging"}, "FIRSTCONTACT_MODE"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432"}, "DATABASE_URL"),
        ({"SESSION_IDLE_MINUTES": "an hour"}, "SESSION_IDLE_MINUTES"),
        ({"SESSION_IDLE_MINUTES": "1"}, "SESSION_IDLE_MINUTES"),
        ({"SECRET_KEY_FILE": "/nonexistent/firstcontact-key"}, "SECRET_KEY_FILE"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, env, named):
    result = run_django("", tmp_path, **env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured")
    assert named in last_line


def test_debug_cannot_be_switched_on_in_production(tmp_path):
    result = run_django("", tmp_path, **production(tmp_path, DEBUG="true"))
    assert result.returncode != 0
    assert "DEBUG" in result.stderr.strip().splitlines()[-1]


def test_production_mode_is_secure_by_default(tmp_path):
    names = [
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_HTTPONLY", "X_FRAME_OPTIONS",
    ]
    values = shown(run_django(SHOW.format(names=names), tmp_path, **production(tmp_path)))
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "X_FRAME_OPTIONS": "DENY",
    }


def test_production_responses_carry_hsts_and_a_content_security_policy(tmp_path):
    code = (
        "from django.test import Client\n"
        "import json\n"
        "c = Client(HTTP_HOST='contact.example.police.uk')\n"
        "plain = c.get('/healthz')\n"
        "tls = c.get('/healthz', secure=True)\n"
        "other_host = Client(HTTP_HOST='evil.example').get('/healthz', secure=True)\n"
        "print(json.dumps({'plain': [plain.status_code, plain.get('Location')],\n"
        "  'hsts': tls.get('Strict-Transport-Security'), 'csp': tls.get('Content-Security-Policy'),\n"
        "  'other_host': other_host.status_code}))\n"
    )
    result = run_django(code, tmp_path, **production(tmp_path))
    outcome = shown(result)
    # Plain HTTP is sent to HTTPS; over HTTPS the browser is told to stay on HTTPS for a year.
    assert outcome["plain"] == [301, "https://contact.example.police.uk/healthz"]
    assert outcome["hsts"] == "max-age=31536000; includeSubDomains"
    csp = outcome["csp"]
    assert "default-src 'self'" in csp
    # Scripts only from our own origin (a page that renders a nonce adds it to this directive).
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert outcome["other_host"] == 400


def test_secret_key_file_is_read(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(PRODUCTION_KEY[::-1] + "\n", encoding="utf-8")
    env = production(tmp_path, SECRET_KEY_FILE=str(key_file))
    del env["SECRET_KEY"]
    values = shown(run_django(SHOW.format(names=["SECRET_KEY"]), tmp_path, **env))
    assert values["SECRET_KEY"] == PRODUCTION_KEY[::-1]


def test_demo_mode_generates_a_key_once_and_keeps_it(tmp_path):
    first = shown(run_django(SHOW.format(names=["SECRET_KEY", "DEBUG"]), tmp_path))
    key_file = tmp_path / "demo-secret-key"
    assert key_file.read_text(encoding="utf-8") == first["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = shown(run_django(SHOW.format(names=["SECRET_KEY"]), tmp_path))
    assert second["SECRET_KEY"] == first["SECRET_KEY"]
    # A different var directory is a different installation with its own key.
    other = tmp_path / "other"
    third = shown(run_django(SHOW.format(names=["SECRET_KEY"]), other))
    assert third["SECRET_KEY"] != first["SECRET_KEY"]


def test_only_demo_mode_generates_a_key(tmp_path):
    env = production(tmp_path)
    del env["SECRET_KEY"]
    result = run_django("", tmp_path, **env)
    assert result.returncode != 0
    assert not (tmp_path / "demo-secret-key").exists()
