"""Demand reads other apps only through their selectors and services, never their models."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

DEMAND = Path(__file__).resolve().parent.parent
# The audit app's Action choices are the vocabulary of record_entry, not another app's data.
ALLOWED = {"demand", "audit"}


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_demand_module_imports_another_apps_models():
    ours = {config.name for config in apps.get_app_configs() if Path(config.path).parent == DEMAND.parent}
    assert {"contacts", "people", "cases"} <= ours
    offenders = []
    for path in DEMAND.rglob("*.py"):
        if "tests" in path.relative_to(DEMAND).parts or "migrations" in path.relative_to(DEMAND).parts:
            continue
        for module in _imported_modules(path):
            app = module.split(".")[0]
            if module.endswith(".models") and app in ours and app not in ALLOWED:
                offenders.append(f"{path.relative_to(DEMAND)}: {module}")
    assert offenders == []
