"""Every permission FirstContact checks, with the sentence an administrator reads, and the roles.

One module, so that "who can do what" is answered in one place. A permission's
codename is what code checks (``user.has_perm("accounts.<codename>")``); its
sentence is what the administration screens show. A role is a Django group
whose permissions are exactly the ones listed for it here; ``sync_roles()``
makes the database agree with this module.
"""

from __future__ import annotations

from dataclasses import dataclass

# (codename, the sentence an administrator reads)
PERMISSIONS: list[tuple[str, str]] = [
    ("take_contacts", "Can take 999, 101 and chat contacts and record THRIVE assessments"),
    ("handle_chats", "Can answer live chats from the public, several at once, and transfer them"),
    ("manage_appointments", "Can book, move and cancel scheduled (grade 3) appointments with the public"),
    ("triage_contacts", "Can resolve 101 contacts at first contact by advice or signposting"),
    ("search_people", "Can search the person index and view a person's history (a reason is recorded)"),
    ("review_duplicates", "Can review probable duplicate persons, merge them and undo a merge"),
    ("work_resolution_queue", "Can work crimes in a resolution centre's queue"),
    ("investigate_crimes", "Can investigate crimes allocated to them and record victim updates"),
    ("supervise_investigations", "Can allocate crimes, review investigations and approve outcomes"),
    ("handle_evidence", "Can receive, view and download evidence and send the public an upload link"),
    ("disclose_evidence", "Can produce an evidential package for a named recipient (a disclosure)"),
    ("work_bureau_tasks", "Can take and complete administrative tasks handed to the crime admin bureau"),
    ("record_crimes", "Can record and classify crimes and work the data-quality queue (crime admin bureau)"),
    ("view_demand", "Can view contact-centre performance, forecasts and staffing"),
    ("manage_demand", "Can import call data and change forecasting and staffing settings"),
    ("audit_contact_quality", "Can sample contacts and score the quality of the vulnerability assessment"),
    ("view_hotspots", "Can view crime and ASB hotspots and patrol plans"),
    ("plan_patrols", "Can set patrol plans for a local policing team and log patrols"),
    ("manage_business_accounts", "Can register businesses that report online, their sites and their staff"),
    ("manage_notifications", "Can see messages queued to victims and the public, and retry ones that failed"),
    ("manage_reference_data", "Can change reference data: incident types, partner agencies, grading rules"),
    ("manage_users", "Can add staff, change their roles and teams, and issue API tokens"),
    ("view_audit_log", "Can search the audit log of personal data by person and by user"),
    ("review_retention", "Can review records due for retention review and record decisions"),
    ("handle_subject_access", "Can record subject access requests and produce a data subject's disclosure pack"),
]


@dataclass(frozen=True)
class Role:
    slug: str
    name: str
    summary: str
    permissions: tuple[str, ...]


ROLES: list[Role] = [
    Role(
        "call-handler",
        "Call handler",
        "Answers 999, 101 and live chat; assesses THRIVE and vulnerability; grades and routes each contact.",
        ("take_contacts", "handle_chats", "manage_appointments", "search_people"),
    ),
    Role(
        "triage-officer",
        "101 triage officer",
        "Resolves 101 contacts at first contact by advice or by signposting to a partner agency.",
        ("take_contacts", "handle_chats", "triage_contacts", "manage_appointments", "search_people"),
    ),
    Role(
        "resolution-investigator",
        "Resolution-centre investigator",
        "Works crimes that need no attendance: contacts victims, gathers evidence, builds the evidential package.",
        ("work_resolution_queue", "investigate_crimes", "handle_evidence", "disclose_evidence", "search_people"),
    ),
    Role(
        "investigator",
        "Investigator",
        "Investigates allocated crimes to a plan and keeps victims updated.",
        ("investigate_crimes", "handle_evidence", "disclose_evidence", "search_people"),
    ),
    Role(
        "supervisor",
        "Supervisor",
        "Allocates crimes, scrutinises investigations on schedule and approves outcomes.",
        (
            "supervise_investigations", "investigate_crimes", "work_resolution_queue", "search_people", "view_demand",
            "review_duplicates", "handle_evidence", "disclose_evidence", "handle_chats",
        ),
    ),
    Role(
        "crime-admin",
        "Crime admin bureau",
        "Records crimes within 24 hours, checks classification and clears the data-quality queue.",
        ("record_crimes", "work_bureau_tasks", "search_people", "review_duplicates", "manage_business_accounts"),
    ),
    Role(
        "contact-centre-manager",
        "Contact-centre manager",
        "Watches the live queues and performance, and plans staff to meet forecast demand.",
        ("view_demand", "manage_demand", "audit_contact_quality", "handle_chats", "manage_notifications"),
    ),
    Role(
        "analyst",
        "Analyst",
        "Studies demand, forecasts and hotspots.",
        ("view_demand", "manage_demand", "view_hotspots"),
    ),
    Role(
        "quality-auditor",
        "Quality auditor",
        "Samples contacts per handler and scores the vulnerability assessment.",
        ("audit_contact_quality",),
    ),
    Role(
        "neighbourhood-inspector",
        "Neighbourhood inspector",
        "Directs a local policing team's patrols at crime and ASB hotspots.",
        ("view_hotspots", "plan_patrols"),
    ),
    Role(
        "administrator",
        "Administrator",
        "Manages staff accounts, roles, teams, API tokens and reference data.",
        ("manage_users", "manage_reference_data", "manage_business_accounts", "manage_notifications"),
    ),
    Role(
        "data-protection-officer",
        "Data protection officer",
        "Checks who looked at whose record and why, reviews retention and answers subject access requests.",
        ("view_audit_log", "review_retention", "handle_subject_access", "search_people"),
    ),
]

ROLES_BY_SLUG = {role.slug: role for role in ROLES}
PERMISSION_SENTENCES = dict(PERMISSIONS)

_known = set(PERMISSION_SENTENCES)
for _role in ROLES:
    _unknown = set(_role.permissions) - _known
    if _unknown:
        raise RuntimeError(f"Role {_role.slug} names unknown permissions: {sorted(_unknown)}")
