"""Business actions on staff accounts, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, Team, User
from .permissions import PERMISSIONS, ROLES, ROLES_BY_SLUG
from .scopes import SCOPES


def sync_roles() -> None:
    """Make each role's group hold exactly the permissions ``accounts.permissions`` lists for it."""
    content_type = ContentType.objects.get_for_model(User)
    by_codename = {}
    for codename, sentence in PERMISSIONS:
        perm, _ = Permission.objects.update_or_create(
            content_type=content_type, codename=codename, defaults={"name": sentence}
        )
        by_codename[codename] = perm
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.name)
        group.permissions.set([by_codename[c] for c in role.permissions])


def sync_roles_after_migrate(sender, **kwargs) -> None:  # noqa: ARG001 - signal signature
    sync_roles()


def role_for(user: User):
    """The roles (from ``accounts.permissions``) the user holds, in the order they are defined."""
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in ROLES if role.name in names]


# --- Demo logins -------------------------------------------------------------

DEMO_PASSWORD = "firstcontact-demo"  # noqa: S105 - printed on purpose; demo mode only.

DEMO_TEAMS: list[tuple[str, str]] = [
    ("Force Contact Centre", Team.Kind.CONTACT_CENTRE),
    ("Hanley Resolution Centre", Team.Kind.RESOLUTION_CENTRE),
    ("Burton Resolution Centre", Team.Kind.RESOLUTION_CENTRE),
    ("Cannock Resolution Centre", Team.Kind.RESOLUTION_CENTRE),
    ("Crime Admin Bureau", Team.Kind.CRIME_ADMIN),
    ("Headquarters", Team.Kind.HEADQUARTERS),
    # Ten local policing teams, named for the districts of the demo force's area.
    ("Stoke-on-Trent North LPT", Team.Kind.LOCAL_POLICING),
    ("Stoke-on-Trent South LPT", Team.Kind.LOCAL_POLICING),
    ("Newcastle-under-Lyme LPT", Team.Kind.LOCAL_POLICING),
    ("Stafford LPT", Team.Kind.LOCAL_POLICING),
    ("Cannock Chase LPT", Team.Kind.LOCAL_POLICING),
    ("East Staffordshire LPT", Team.Kind.LOCAL_POLICING),
    ("Lichfield LPT", Team.Kind.LOCAL_POLICING),
    ("Tamworth LPT", Team.Kind.LOCAL_POLICING),
    ("South Staffordshire LPT", Team.Kind.LOCAL_POLICING),
    ("Staffordshire Moorlands LPT", Team.Kind.LOCAL_POLICING),
]

# role slug -> (username, first name, last name, team)
DEMO_USERS: dict[str, tuple[str, str, str, str]] = {
    "call-handler": ("handler", "Casey", "Handler", "Force Contact Centre"),
    "triage-officer": ("triage", "Tariq", "Triage", "Force Contact Centre"),
    "resolution-investigator": ("resolver", "Rosa", "Resolver", "Hanley Resolution Centre"),
    "investigator": ("investigator", "Ivan", "Investigator", "Stafford LPT"),
    "supervisor": ("supervisor", "Sam", "Supervisor", "Hanley Resolution Centre"),
    "crime-admin": ("crimeadmin", "Cleo", "Admin", "Crime Admin Bureau"),
    "contact-centre-manager": ("manager", "Morgan", "Manager", "Force Contact Centre"),
    "analyst": ("analyst", "Ana", "Analyst", "Headquarters"),
    "quality-auditor": ("auditor", "Quinn", "Auditor", "Force Contact Centre"),
    "neighbourhood-inspector": ("inspector", "Nia", "Inspector", "Stoke-on-Trent North LPT"),
    "administrator": ("admin", "Alex", "Administrator", "Headquarters"),
    "data-protection-officer": ("dpo", "Dana", "Protection", "Headquarters"),
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


def ensure_demo_teams() -> list[Team]:
    """Create the demo force's teams if they are missing (safe to run again)."""
    teams = []
    for name, kind in DEMO_TEAMS:
        team, _ = Team.objects.get_or_create(name=name, defaults={"kind": kind})
        teams.append(team)
    return teams


@transaction.atomic
def ensure_demo_users() -> list[DemoLogin]:
    """Create one login per role for the demo force, resetting the demo password (demo mode only)."""
    if not settings.DEMO:
        raise ImproperlyConfigured("Demo logins may only be created in demo mode (FIRSTCONTACT_MODE=demo).")
    sync_roles()
    ensure_demo_teams()
    logins = []
    for slug, (username, first, last, team_name) in DEMO_USERS.items():
        role = ROLES_BY_SLUG[slug]
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        user.set_password(DEMO_PASSWORD)
        user.is_staff = slug == "administrator"
        user.save()
        user.groups.set([Group.objects.get(name=role.name)])
        user.teams.set([Team.objects.get(name=team_name)])
        logins.append(DemoLogin(username=username, password=DEMO_PASSWORD, role=role.name))
    return logins


# --- API tokens ----------------------------------------------------------------

TOKEN_PREFIX_LENGTH = 8


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_api_token(
    *, name: str, scopes: list[str], issued_by: User | None, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for an integration; returns the record and the token, which is never shown again."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValidationError(
            {"scopes": f"Unknown scope {', '.join(unknown)}. Scopes accepted: {', '.join(sorted(SCOPES))}."}
        )
    if not scopes:
        raise ValidationError({"scopes": "Give at least one scope."})
    if not name.strip():
        raise ValidationError({"name": "Give the token a name that says which system uses it."})
    token = "fc_" + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        name=name.strip(),
        prefix=token[:TOKEN_PREFIX_LENGTH],
        digest=_digest(token),
        scopes=sorted(set(scopes)),
        issued_by=issued_by,
        expires_at=expires_at,
    )
    return record, token


LAST_USED_PRECISION = timedelta(minutes=1)


def authenticate_api_token(token: str) -> ApiToken | None:
    """The live token matching ``token``, or None (expired, revoked or unknown look the same)."""
    if not token:
        return None
    record = ApiToken.objects.filter(digest=_digest(token), revoked_at__isnull=True).first()
    if record is None:
        return None
    now = timezone.now()
    if record.expires_at is not None and record.expires_at <= now:
        return None
    # "Last used" is for an administrator judging whether a token is still needed, so minute
    # precision is enough. Writing it on every request made every client sharing a token queue on
    # that one row's lock and a commit (bench/search.py at 20 clients); now at most once a minute.
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
    return record


@transaction.atomic
def revoke_api_token(*, token: ApiToken) -> None:
    """Revoke a token at once; requests with it are refused from now on."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
