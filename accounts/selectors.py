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


@dataclass(frozen=True)
class SectionSpec:
    """One part of FirstContact: its name, where it starts, who may open it, and what it is for."""

    title: str
    url_name: str
    app_name: str
    permission: str | None
    description: str
    staff_flag: bool = False  # the Django admin also needs the user's is_staff flag


# The one list behind both the staff navigation and the role home page, in the order of a
# working day's use. A new section is added here and nowhere else.
SECTIONS: list[SectionSpec] = [
    SectionSpec("Contacts", "contacts:queue", "contacts", "take_contacts",
                "Take a contact from any channel: caller, history, THRIVE, grade and route."),
    SectionSpec("Live chat", "chat:console", "chat", "handle_chats",
                "Answer live chats from the public, several at once; record them as contacts."),
    SectionSpec("People", "people:search", "people", "search_people",
                "Find a caller, their household and their history; every record opened is logged with a reason."),
    SectionSpec("Duplicates", "duplicates:queue", "duplicates", "review_duplicates",
                "Review possible duplicate persons; merge them, or undo a merge."),
    SectionSpec("Call quality", "contacts:quality", "contacts", "audit_contact_quality",
                "Sample each handler's contacts every month and score the vulnerability assessment."),
    SectionSpec("Audit log", "audit:search", "audit", "view_audit_log",
                "Search who looked at or changed whose record, and why."),
    SectionSpec("Records management", "records:retention", "records", "review_retention",
                "Review records due for retention review, and answer subject access requests."),
    SectionSpec("Crime recording", "cases:queue", "cases", "record_crimes",
                "Record crimes within 24 hours, check classifications and decide cancellations."),
    SectionSpec("Resolution queue", "cases:resolution-queue", "investigations", "work_resolution_queue",
                "Take the next crime from your resolution centre's queue and see each investigator's workload."),
    SectionSpec("Investigations", "cases:my-investigations", "investigations", "investigate_crimes",
                "Your investigations: plans, victim contact, decisions, reviews and victim updates due."),
    SectionSpec("Bureau tasks", "cases:bureau-tasks", "investigations", "work_bureau_tasks",
                "Administrative tasks officers hand to the crime admin bureau, reported back on the case."),
    SectionSpec("Evidence", "evidence:index", "evidence", "handle_evidence",
                "Exhibits, statements, upload links for victims and businesses, and evidential packages."),
    SectionSpec("Hotspots", "neighbourhoods:teams", "neighbourhoods", "view_hotspots",
                "Crime and ASB hotspots for your local policing team, patrol plans and their dosage."),
    SectionSpec("Demand", "demand:dashboard", "demand", "view_demand",
                "Contact-centre performance, the live queues, forecasts and the staff each interval needs."),
    SectionSpec("Outbox", "notifications:outbox", "notifications", "manage_notifications",
                "Messages sent to victims, the public and staff: delivered, waiting or failed; send a failed one again."),
    SectionSpec("Business reports", "public-staff:series", "public-staff", "investigate_crimes",
                "Possible series among business reports (same vehicle, offenders alike)."),
    SectionSpec("Business accounts", "public-staff:accounts", "public-staff", "manage_business_accounts",
                "Register businesses that report online, their sites and the staff who report for them."),
    SectionSpec("Scheduled jobs", "scheduling:jobs", "scheduling", "manage_users",
                "The jobs that run on a clock (messages due, duplicate search, audit checks) and how each run ended."),
    SectionSpec("Administration", "admin:index", "admin", "manage_users",
                "Add staff, change their roles and teams, issue API tokens and edit reference data.",
                staff_flag=True),
]


def _may_open(user: User, spec: SectionSpec) -> bool:
    if spec.permission and not user.has_perm(f"accounts.{spec.permission}"):
        return False
    return not spec.staff_flag or user.is_staff


def navigation_for(user: User) -> list[tuple[SectionSpec, str]]:
    """The sections in the staff navigation for ``user``, each with its URL."""
    if not user.is_authenticated:
        return []
    return [(spec, reverse(spec.url_name)) for spec in SECTIONS if _may_open(user, spec)]


def sections_for(user: User) -> list[Section]:
    """The sections the user's permissions open, in the order of a working day's use.

    A section appears only when the permission it checks is held: showing a link
    that ends in "forbidden" wastes a call handler's time.
    """
    sections = [Section(spec.title, url, spec.description) for spec, url in navigation_for(user)]
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
