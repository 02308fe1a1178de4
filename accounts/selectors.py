"""Reads about staff accounts: what a signed-in member of staff is, and may do."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from .models import Team, User
from .permissions import PERMISSION_SENTENCES, Role
from .services import role_for


@dataclass(frozen=True)
class Section:
    """A part of FirstContact a member of staff may open from their home page."""

    title: str
    url: str
    description: str


@dataclass(frozen=True)
class HomePage:
    """What a member of staff's home page shows: who they are, what they may do, where to go."""

    name: str
    roles: list[Role]
    teams: list[Team]
    abilities: list[str]
    sections: list[Section]

    @property
    def has_role(self) -> bool:
        return bool(self.roles)


def sections_for(user: User) -> list[Section]:
    """The sections the user's permissions open, in the order of a working day's use.

    A section appears only when the permission it checks is held: showing a link
    that ends in "forbidden" wastes a call handler's time.
    """
    sections = []
    if user.has_perm("accounts.view_audit_log"):
        sections.append(
            Section("Audit log", reverse("audit:search"), "Search who looked at or changed whose record, and why.")
        )
    if user.has_perm("accounts.manage_users") and user.is_staff:
        sections.append(
            Section("Administration", reverse("admin:index"), "Add staff, change their roles and teams, and reference data.")
        )
    sections.append(
        Section(
            "API documentation",
            reverse("api:openapi-view"),
            "How other systems (telephony, online-report gateways) exchange data with FirstContact.",
        )
    )
    return sections


def home_page_for(user: User) -> HomePage:
    """Everything the role home page shows for ``user``; a user with no role gets no sections at all."""
    roles = role_for(user)
    abilities: list[str] = []
    for role in roles:
        for codename in role.permissions:
            sentence = PERMISSION_SENTENCES[codename]
            if sentence not in abilities:
                abilities.append(sentence)
    return HomePage(
        name=user.get_full_name() or user.username,
        roles=roles,
        teams=list(user.teams.filter(active=True)),
        abilities=abilities,
        sections=sections_for(user) if roles else [],
    )
