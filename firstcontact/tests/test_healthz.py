"""/healthz: 200 only when the database answers and every migration is applied."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from .subprocess_env import run_django


@pytest.mark.django_db
def test_healthy_when_the_database_answers_and_migrations_are_applied(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_unavailable_while_a_migration_is_not_applied(client):
    # The admin log's last migration only alters choices: cheap to undo and to redo.
    call_command("migrate", "admin", "0002", verbosity=0)
    try:
        response = client.get("/healthz")
    finally:
        call_command("migrate", "admin", verbosity=0)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"] == {"database": "ok", "migrations": "1 not applied"}
    assert client.get("/healthz").status_code == 200


def test_unavailable_when_the_database_cannot_be_reached(tmp_path):
    # Port 1 on this machine has no PostgreSQL behind it: the connection is refused, as when the server is down.
    result = run_django(
        "from django.test import Client\n"
        "import json\n"
        "r = Client().get('/healthz')\n"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))\n",
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:1/firstcontact",
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert outcome["body"]["checks"]["database"].startswith("unreachable")
    assert outcome["body"]["checks"]["migrations"] == "unknown"
