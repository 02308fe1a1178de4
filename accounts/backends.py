"""Permissions for a signed-in member of staff in one small query a request.

Django's ModelBackend loads a user's permissions with two queries per request, each joining the
permission, content type and group tables, and builds both through the ORM: about a tenth of the
CPU of a busy staff page such as the history panel (docs/benchmarks.md). Here the permissions
each role (group) holds are kept in memory per process, and each request reads only which roles
the user holds and any permission given to them directly, by their ids, in one statement.

Who holds which role is therefore read fresh on every request: taking a role away from someone
applies at their next page. What a role allows changes only with a release (``sync_roles`` after
``migrate``, from ``accounts/permissions.py``; the admin shows roles read-only), and reaches every
server process within ``PERMISSION_CACHE_SECONDS`` (default 300); in the process that makes the
change it applies at once.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save


class _Catalogue:
    """Every permission's name by id, and the names each group holds, as of ``loaded_at``."""

    def __init__(self) -> None:
        names = {
            pk: f"{app_label}.{codename}"
            for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
        }
        held: dict[int, set[str]] = {}
        for group_id, permission_id in Group.permissions.through.objects.values_list("group_id", "permission_id"):
            held.setdefault(group_id, set()).add(names[permission_id])
        self.names = names
        self.groups = {pk: frozenset(perms) for pk, perms in held.items()}
        self.group_ids = set(Group.objects.values_list("pk", flat=True))
        self.loaded_at = time.monotonic()


_lock = threading.Lock()
_catalogue: _Catalogue | None = None


def _current(*, unknown: bool = False) -> _Catalogue:
    """The catalogue, loaded again when it is older than the setting or names an unknown id."""
    global _catalogue
    ttl = float(getattr(settings, "PERMISSION_CACHE_SECONDS", 300))
    with _lock:
        if unknown or _catalogue is None or time.monotonic() - _catalogue.loaded_at >= ttl:
            _catalogue = _Catalogue()
        return _catalogue


def forget() -> None:
    """Drop this process's catalogue (a role's permissions changed here)."""
    global _catalogue
    with _lock:
        _catalogue = None


def _statement() -> str:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    quote = connection.ops.quote_name
    roles = user_model.groups.through._meta
    direct = user_model.user_permissions.through._meta
    return (
        f"SELECT 'g', {quote(roles.get_field('group').column)} FROM {quote(roles.db_table)} "  # names from the models
        f"WHERE {quote(roles.get_field(user_model._meta.model_name).column)} = %s "
        f"UNION ALL SELECT 'p', {quote(direct.get_field('permission').column)} FROM {quote(direct.db_table)} "
        f"WHERE {quote(direct.get_field(user_model._meta.model_name).column)} = %s"
    )


class RolePermissionBackend:
    """Answers permission questions only; signing in stays with Django's ModelBackend.

    It is listed before ModelBackend (settings.AUTHENTICATION_BACKENDS), so it is asked first and
    fills the user's per-request permission set (``_perm_cache``, ModelBackend's own name for it),
    which ModelBackend then reads instead of querying again. It has no ``get_user``, so sessions
    (and the test client's ``force_login``) keep naming ModelBackend.
    """

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = self._load(user_obj)
        return user_obj._perm_cache

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return user_obj.is_active and perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return user_obj.is_active and any(
            perm[: perm.index(".")] == app_label for perm in self.get_all_permissions(user_obj))

    def _load(self, user: Any) -> set[str]:
        if user.is_superuser:
            return set(_current().names.values())
        with connection.cursor() as cursor:
            cursor.execute(_statement(), [user.pk, user.pk])
            rows = cursor.fetchall()
        catalogue = _current()
        if any((kind == "g" and pk not in catalogue.group_ids) or (kind == "p" and pk not in catalogue.names)
               for kind, pk in rows):
            catalogue = _current(unknown=True)  # a role or permission made since it was loaded
        perms: set[str] = set()
        for kind, pk in rows:
            if kind == "g":
                perms |= catalogue.groups.get(pk, frozenset())
            elif pk in catalogue.names:
                perms.add(catalogue.names[pk])
        return perms


def _roles_changed(**kwargs: Any) -> None:
    forget()


def connect_signals() -> None:
    """Forget the catalogue when a role or permission changes in this process (AccountsConfig.ready)."""
    m2m_changed.connect(_roles_changed, sender=Group.permissions.through, dispatch_uid="roles-changed-m2m")
    for name, signal in (("save", post_save), ("delete", post_delete)):
        for model in (Group, Permission):
            signal.connect(_roles_changed, sender=model, dispatch_uid=f"roles-changed-{name}-{model.__name__}")
