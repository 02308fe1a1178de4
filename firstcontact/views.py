from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
def public_home(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "firstcontact/public_home.html")


@require_GET
def accessibility_statement(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "firstcontact/accessibility.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database reachable and every migration applied: 200; otherwise 503 saying which check failed."""
    checks = {"database": "ok", "migrations": "ok"}
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not reachable"
        checks["database"] = f"unreachable: {exc.__class__.__name__}"
        checks["migrations"] = "unknown"
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        checks["migrations"] = f"unknown: {exc.__class__.__name__}"
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    if pending:
        checks["migrations"] = f"{len(pending)} not applied"
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})
