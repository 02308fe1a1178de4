"""Reads for call-taking: finding the caller and the place, and the history panel beside the form.

Every person shown is logged as a consultation with the handler's reason (DPA 2018
Part 3 s.62); the reason defaults from the contact in hand. The panel's number of
queries is fixed: it does not grow with the length of anyone's history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.models import Action
from audit.services import REASON_REQUIRED, PendingEntry, append_entries, record_entry
from people.models import Address, HouseholdMembership, Person, VulnerabilityKind

from .models import AdviceArticle, Channel, Contact, ContactDraft, ContactOutcome, ContactPerson, PersonRole

VIEW_PERMISSION = "accounts.search_people"
NO_PERMISSION = "You do not have permission to view people's records."
SEARCH_LIMIT = 20
HISTORY_ROWS = 25
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CHILD_UNDER = 18
ELDERLY_FROM = 75
_REFERENCE = re.compile(r"^P\d{8}$", re.IGNORECASE)


def repeat_threshold() -> int:
    """Contacts in the window that make a repeat victim or location (force convention; default 2)."""
    return int(getattr(settings, "REPEAT_INCIDENT_THRESHOLD", 2))


def repeat_window_days() -> int:
    """The rolling window for repeats and history, in days (default 365: twelve months)."""
    return int(getattr(settings, "REPEAT_INCIDENT_WINDOW_DAYS", 365))


def _check(actor: Any, reason: str) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_perm(VIEW_PERMISSION):
        raise PermissionDenied(NO_PERMISSION)
    if not (reason or "").strip():
        raise PermissionDenied(f"reason: {REASON_REQUIRED}")
    return reason.strip()


def _log_views(actor: Any, reason: str, persons: list[Person], detail: dict[str, Any]) -> None:
    append_entries(
        PendingEntry(
            action=Action.CONSULTATION, subject_type="people.person", subject_id=str(person.pk), actor=actor,
            person_id=str(person.pk), reason=reason, detail=detail,
        )
        for person in persons
    )


@transaction.atomic
def find_callers(*, actor: Any, reason: str, query: str) -> list[Person]:
    """Persons matching a reference, a phone number or a name, each one shown logged as a consultation.

    Uses the person index's search (people.selectors.search_people) when it exists;
    until then a reference, an exact phone number, or an exact family name (with the
    given name if typed) finds the caller.
    """
    reason = _check(actor, reason)
    text = " ".join((query or "").split())
    if not text:
        return []
    from people import selectors as people_selectors

    search = getattr(people_selectors, "search_people", None)
    if search is not None and not _REFERENCE.match(text):
        results = search(actor=actor, reason=reason, query=text, limit=SEARCH_LIMIT)
        return [getattr(result, "person", result) for result in results]
    persons = Person.objects.all()
    if _REFERENCE.match(text):
        persons = persons.filter(reference=text.upper())
    elif re.fullmatch(r"[+\d][\d ()-]{5,}", text):
        from people.services import normalise_phone

        try:
            persons = persons.filter(phone_e164=normalise_phone(text))
        except Exception:  # noqa: BLE001 - a number that is not a phone number simply finds nobody
            return []
    else:
        *given, family = text.split(" ")
        persons = persons.filter(family_name__iexact=family)
        if given:
            persons = persons.filter(given_name__iexact=" ".join(given))
    found = list(persons.order_by("family_name", "given_name", "pk")[:SEARCH_LIMIT])
    _log_views(actor, reason, found, {"as": "search result"})
    return found


def find_addresses(*, query: str) -> list[Address]:
    """Gazetteer addresses by postcode (with or without its space) or by street name.

    An address alone is not anyone's personal data, so this read is not logged.
    """
    text = " ".join((query or "").upper().split())
    if not text:
        return []
    compact = text.replace(" ", "")
    if re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", compact):
        postcode = f"{compact[:-3]} {compact[-3:]}"
        addresses = Address.objects.filter(postcode=postcode)
    else:
        number, _, street = text.partition(" ")
        addresses = Address.objects.filter(street__iexact=text)
        if number[:1].isdigit() and street:
            addresses = addresses | Address.objects.filter(number_or_name__iexact=number, street__iexact=street)
    return list(addresses.order_by("street", "number_or_name", "pk")[:SEARCH_LIMIT])


def drafts_for(handler: Any) -> list[ContactDraft]:
    """The handler's unfinished contacts, newest first: what they can pick up again."""
    return list(ContactDraft.objects.filter(handler=handler)[:50])


def recent_contacts(*, handled_by: Any | None = None, limit: int = 50) -> list[Contact]:
    """The latest contacts (by one handler when given) for the call-taking queue."""
    contacts = Contact.objects.select_related("incident_type", "address", "caller")
    if handled_by is not None:
        contacts = contacts.filter(handled_by=handled_by)
    return list(contacts.order_by("-received_at", "-pk")[:limit])


@dataclass
class ResidentView:
    """A person at the address (or the caller), with what a handler must notice about them."""

    person: Person
    age: int | None
    relation: str
    factors: list[str] = field(default_factory=list)


@dataclass
class HistoryRow:
    contact: Contact
    roles: list[str]
    incident_type: str = ""

    @property
    def received_on(self) -> str:
        """The local date received, as "4 Nov 2026" (the template's date filter costs ten times as much)."""
        local = timezone.localtime(self.contact.received_at)
        return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


@dataclass
class HistoryPanel:
    """The caller's, household's and address's history in the window, with the flags derived from it."""

    since: Any
    threshold: int
    caller: Person | None
    address_ids: list[int]
    residents: list[ResidentView]
    rows: list[HistoryRow]
    total_contacts: int
    caller_count: int
    address_count: int
    repeat_victim: bool
    repeat_location: bool
    open_crimes: list[Any]
    dash_history: list[Any]
    marac_referrals: list[Any]

    @property
    def shown_more(self) -> int:
        return max(0, self.total_contacts - len(self.rows))


def _age(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _as_date(value: Any) -> date | None:
    """A date from a raw row: PostgreSQL gives a date, SQLite its ISO text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _as_datetime(value: Any) -> Any:
    """An aware datetime from a raw row: PostgreSQL gives one, SQLite a naive UTC one (or its text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _placeholders(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


# The panel is read in two hand-written statements (docs/first-contact.md, "The history panel";
# the measurements are in docs/benchmarks.md). The ORM version took 22 round trips and about 1 ms
# of Python to build each; these are plain SQL that runs unchanged on PostgreSQL and SQLite,
# except the name of the string aggregate.
#
# The people: everyone living now at the address given or at any of the caller's homes, and the
# caller wherever they live, each with their current vulnerability markers and whether they have
# any DASH assessment, MARAC referral or open crime (so that those lists are only read when there
# is something to show). An address with no one living there still gives one row, for its own
# open crimes.
_PEOPLE_SQL = """
WITH wanted AS (
    SELECT a.id AS address_id FROM {address} a WHERE a.id = %s
    UNION
    SELECT h.address_id FROM {membership} h WHERE h.person_id = %s AND h.to_date IS NULL
), present AS (
    SELECT w.address_id, h.person_id FROM wanted w
    LEFT JOIN {membership} h ON h.address_id = w.address_id AND h.to_date IS NULL
    UNION ALL
    SELECT NULL, p.id FROM {person} p WHERE p.id = %s
)
SELECT x.address_id, p.id, p.reference, p.given_name, p.family_name, p.date_of_birth,
    (SELECT {string_agg} FROM {marker} v
     WHERE v.person_id = p.id AND v.from_date <= %s AND (v.to_date IS NULL OR v.to_date >= %s)),
    EXISTS (SELECT 1 FROM {dash} d WHERE d.victim_id = p.id),
    EXISTS (SELECT 1 FROM {marac} r WHERE r.victim_id = p.id),
    EXISTS (SELECT 1 FROM {crime} k WHERE k.victim_id = p.id AND k.status IN ({open_statuses})),
    EXISTS (SELECT 1 FROM {crime} k WHERE k.address_id = x.address_id AND k.status IN ({open_statuses}))
FROM present x LEFT JOIN {person} p ON p.id = x.person_id
"""

# The contacts: each person's roles in contacts and the addresses' contacts within the window
# (two index scans), counted in the database, and only the latest rows sent back with the roles
# of the people shown. A busy address's thousands of contacts are counted, not fetched.
_CONTACTS_SQL = """
WITH hits AS (
    {branches}
), latest AS (
    SELECT contact_id, MAX(received_at) AS received_at FROM hits GROUP BY contact_id
    ORDER BY received_at DESC, contact_id DESC LIMIT %s
)
SELECT c.id, c.reference, c.received_at, c.grade, t.name, h.person_id, h.role,
    (SELECT COUNT(DISTINCT contact_id) FROM hits),
    (SELECT COUNT(DISTINCT contact_id) FROM hits WHERE person_id = %s AND role IN (%s, %s)),
    (SELECT COUNT(*) FROM hits WHERE person_id IS NULL)
FROM latest l
JOIN {contact} c ON c.id = l.contact_id
JOIN {incident_type} t ON t.id = c.incident_type_id
LEFT JOIN hits h ON h.contact_id = l.contact_id AND h.person_id IS NOT NULL
ORDER BY l.received_at DESC, l.contact_id DESC, h.person_id, h.role
"""
_PEOPLE_BRANCH = """SELECT r.contact_id, c.received_at, r.person_id, r.role
    FROM {contact_person} r JOIN {contact} c ON c.id = r.contact_id
    WHERE r.person_id IN ({ids}) AND c.received_at >= %s AND c.id <> %s"""
_ADDRESS_BRANCH = """SELECT c.id, c.received_at, NULL, NULL
    FROM {contact} c WHERE c.address_id IN ({ids}) AND c.received_at >= %s AND c.id <> %s"""


def _tables() -> dict[str, str]:
    from cases.models import Crime
    from people.models import VulnerabilityMarker

    from .models import DashAssessment, IncidentType, MaracReferral

    quote = connection.ops.quote_name
    models = {
        "address": Address, "membership": HouseholdMembership, "person": Person, "marker": VulnerabilityMarker,
        "dash": DashAssessment, "marac": MaracReferral, "crime": Crime, "contact": Contact,
        "contact_person": ContactPerson, "incident_type": IncidentType,
    }
    return {name: quote(model._meta.db_table) for name, model in models.items()}


@dataclass
class _Person:
    address_id: int | None
    person: Person | None
    kinds: list[str]
    has_dash: bool
    has_marac: bool
    has_open_crime: bool
    address_has_open_crime: bool


def _people(tables: dict[str, str], *, caller: Person | None, address: Address | None, today: date) -> list[_Person]:
    from cases.models import OPEN_STATUSES

    string_agg = "STRING_AGG(DISTINCT v.kind, ',')" if connection.vendor == "postgresql" else "GROUP_CONCAT(DISTINCT v.kind)"
    sql = _PEOPLE_SQL.format(**tables, string_agg=string_agg, open_statuses=_placeholders(list(OPEN_STATUSES)))
    caller_id = caller.pk if caller is not None else None
    params = [address.pk if address is not None else None, caller_id, caller_id, today, today,
              *OPEN_STATUSES, *OPEN_STATUSES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for address_id, pk, reference, given, family, born, kinds, dash, marac, crime, address_crime in rows:
        person = None
        if pk is not None:
            person = Person(id=pk, reference=reference, given_name=given, family_name=family,
                            date_of_birth=_as_date(born))
            person._state.adding, person._state.db = False, connection.alias
        found.append(_Person(address_id, person, sorted(kinds.split(",")) if kinds else [], bool(dash),
                             bool(marac), bool(crime), bool(address_crime)))
    return found


def _contact_rows(tables: dict[str, str], *, person_ids: list[int], address_ids: list[int], since: Any,
                  caller_id: int | None, excluded: int) -> tuple[list[tuple], int, int, int]:
    """The latest contacts' rows (one per person's role), and the total, caller and address counts."""
    branches, params = [], []
    if person_ids:
        branches.append(_PEOPLE_BRANCH.format(**tables, ids=_placeholders(person_ids)))
        params += [*person_ids, since, excluded]
    if address_ids:
        branches.append(_ADDRESS_BRANCH.format(**tables, ids=_placeholders(address_ids)))
        params += [*address_ids, since, excluded]
    if not branches:
        return [], 0, 0, 0
    sql = _CONTACTS_SQL.format(**tables, branches="\n    UNION ALL\n    ".join(branches))
    params += [HISTORY_ROWS, caller_id, PersonRole.CALLER, PersonRole.VICTIM]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return [], 0, 0, 0
    return rows, rows[0][7], rows[0][8], rows[0][9]


@transaction.atomic
def _log_panel_views(actor: Any, reason: str, persons: list[Person]) -> None:
    _log_views(actor, reason, persons, {"as": "history panel"})


def history_panel(
    *, actor: Any, reason: str, caller: Person | None = None, address: Address | None = None,
    exclude_contact: Contact | None = None,
) -> HistoryPanel:
    """Contacts in the last twelve months for the caller, their household and the address, and the flags.

    Repeat victim / repeat location: ``REPEAT_INCIDENT_THRESHOLD`` (default 2) or more
    contacts within ``REPEAT_INCIDENT_WINDOW_DAYS`` (default 365), the force convention
    in DOMAIN.md §6. Everyone shown is logged as consulted, with ``reason``. The number
    of queries does not depend on how much history there is: two statements read the panel,
    and the open crimes, DASH and MARAC lists are read only when someone shown has one.
    """
    reason = _check(actor, reason)
    now = timezone.now()
    today = timezone.localdate()
    since = now - timedelta(days=repeat_window_days())
    threshold = repeat_threshold()
    tables = _tables()

    people = _people(tables, caller=caller, address=address, today=today)
    # The address given first, then the caller's other homes.
    address_ids = [address.pk] if address is not None else []
    address_ids += sorted({p.address_id for p in people if p.address_id is not None} - set(address_ids))
    kind_names = dict(VulnerabilityKind.choices)
    residents_by_id: dict[int, ResidentView] = {}
    if caller is not None:
        residents_by_id[caller.pk] = ResidentView(caller, _age(caller.date_of_birth, today), "Caller")
    at_address = sorted((p for p in people if p.person is not None and p.address_id is not None),
                        key=lambda p: (p.person.date_of_birth is None, p.person.date_of_birth or today, p.person.pk))
    for row in at_address:
        if row.person.pk not in residents_by_id:
            residents_by_id[row.person.pk] = ResidentView(
                row.person, _age(row.person.date_of_birth, today), "Lives at the address")
    markers = {p.person.pk: p.kinds for p in people if p.person is not None}
    for resident in residents_by_id.values():
        if resident.age is not None and resident.age < CHILD_UNDER:
            resident.factors.append("Child")
        if resident.age is not None and resident.age >= ELDERLY_FROM:
            resident.factors.append("Elderly")
        for kind in markers.get(resident.person.pk, []):
            label = kind_names.get(kind, kind)
            if label not in resident.factors:
                resident.factors.append(label)
    person_ids = list(residents_by_id)

    excluded = exclude_contact.pk if exclude_contact is not None else -1
    rows, total, caller_count, address_count = _contact_rows(
        tables, person_ids=person_ids, address_ids=address_ids, since=since,
        caller_id=caller.pk if caller is not None else None, excluded=excluded)
    role_names = dict(PersonRole.choices)
    history: list[HistoryRow] = []
    for pk, reference, received_at, grade, incident_type, person_id, role, *_ in rows:
        if not history or history[-1].contact.pk != pk:
            contact = Contact(id=pk, reference=reference, received_at=_as_datetime(received_at), grade=grade)
            contact._state.adding, contact._state.db = False, connection.alias
            history.append(HistoryRow(contact, [], incident_type))
        if person_id is not None:
            history[-1].roles.append(f"{residents_by_id[person_id].person.full_name}: {role_names.get(role, role)}")

    crimes_wanted = any(p.has_open_crime or p.address_has_open_crime for p in people)
    dash_wanted = [p.person.pk for p in people if p.person is not None and p.has_dash]
    marac_wanted = [p.person.pk for p in people if p.person is not None and p.has_marac]
    dash_history, marac = _dash_history(dash_wanted, marac_wanted)
    panel = HistoryPanel(
        since=since, threshold=threshold, caller=caller, address_ids=address_ids,
        residents=list(residents_by_id.values()), rows=history, total_contacts=total,
        caller_count=caller_count if caller is not None else 0, address_count=address_count,
        repeat_victim=caller is not None and caller_count >= threshold,
        repeat_location=bool(address_ids) and address_count >= threshold,
        open_crimes=_open_crimes(person_ids, address_ids) if crimes_wanted else [],
        dash_history=dash_history, marac_referrals=marac,
    )
    _log_panel_views(actor, reason, [r.person for r in panel.residents])
    return panel


def _open_crimes(person_ids: list[int], address_ids: list[int]) -> list[Any]:
    """Open crimes for these victims or at these places (one query)."""
    from cases.models import OPEN_STATUSES, Crime

    return list(
        Crime.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(victim_id__in=person_ids) | Q(address_id__in=address_ids))
        .select_related("classification", "victim").order_by("-reported_at")[:HISTORY_ROWS]
    )


def _dash_history(dash_ids: list[int], marac_ids: list[int]) -> tuple[list[Any], list[Any]]:
    """DASH/DARA assessments and MARAC referrals for these persons (a query each, when wanted)."""
    from .models import DashAssessment, MaracReferral

    dash = list(
        DashAssessment.objects.filter(victim_id__in=dash_ids).select_related("victim", "checklist")
        .order_by("-assessed_at")[:HISTORY_ROWS]
    ) if dash_ids else []
    marac = list(
        MaracReferral.objects.filter(victim_id__in=marac_ids).select_related("victim")
        .order_by("-created_at")[:HISTORY_ROWS]
    ) if marac_ids else []
    return dash, marac


def search_advice(query: str, *, incident_type_id: int | None = None, limit: int = 10) -> list[AdviceArticle]:
    """Active advice articles whose title, keywords or text hold every word searched for.

    With no words, the articles for the contact's incident type come first.
    """
    articles = AdviceArticle.objects.filter(active=True)
    words = (query or "").split()
    for word in words[:8]:
        articles = articles.filter(Q(title__icontains=word) | Q(keywords__icontains=word) | Q(body__icontains=word))
    if not words:
        if incident_type_id is None:
            return []
        articles = articles.filter(incident_types=incident_type_id)
    return list(articles.order_by("title")[:limit])


@dataclass
class ResolutionShare:
    since: Any
    until: Any
    contacts: int
    resolved: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.resolved / self.contacts, 1) if self.contacts else None


def first_contact_resolution(*, since, until) -> ResolutionShare:
    """The share of 101 contacts received in a period that were resolved at first contact (advice or signpost).

    The denominator is every 101 contact received, so contacts never given an outcome
    count as not resolved: the figure cannot be flattered by leaving outcomes blank.
    """
    received = Contact.objects.filter(channel=Channel.NON_EMERGENCY, received_at__gte=since, received_at__lt=until)
    resolved = ContactOutcome.objects.filter(contact__in=received, resolved_at_first_contact=True).count()
    return ResolutionShare(since=since, until=until, contacts=received.count(), resolved=resolved)


def contact_timings(*, channels=None, grades=None, since=None, until=None) -> list[dict[str, Any]]:
    """Contacts as demand analysis sees them, oldest first: reference, channel, grade and the clock times.

    Each row holds ``reference``, ``channel``, ``grade``, ``received_at``, ``answered_at``
    and ``closed_at``, filtered by channel, grade and receipt in [since, until). Only
    these non-personal columns are read (no caller, address or text), so the read is
    not a consultation of anyone's record and is not logged.
    """
    qs = Contact.objects.all()
    if channels is not None:
        qs = qs.filter(channel__in=list(channels))
    if grades is not None:
        qs = qs.filter(grade__in=list(grades))
    if since is not None:
        qs = qs.filter(received_at__gte=since)
    if until is not None:
        qs = qs.filter(received_at__lt=until)
    return list(qs.order_by("received_at", "pk").values(
        "reference", "channel", "grade", "received_at", "answered_at", "closed_at"))


# --- Triage queue ------------------------------------------------------------------------------------

AWAITING_LIMIT = 50


def awaiting_assessment(*, limit: int = AWAITING_LIMIT) -> tuple[list[Contact], int]:
    """Contacts from every channel not yet assessed (no THRIVE, no grade), oldest first, and how many there are.

    Online and business reports and chats arrive without an assessment; a triage officer
    picks the oldest up and assesses it on the contact page. No person is shown here,
    only the channel, the time and what it is about, so nothing needs logging.
    """
    waiting = Contact.objects.filter(grade__isnull=True, thrive_assessments__isnull=True)
    rows = list(waiting.select_related("incident_type").order_by("received_at", "pk")[:limit])
    total = len(rows) if len(rows) < limit else waiting.count()
    return rows, total


# --- Scheduled appointments -------------------------------------------------------------------------


def appointment_teams() -> list[Any]:
    """The teams that see the public by appointment: local policing teams and resolution centres with a pattern."""
    from accounts.models import Team

    return list(
        Team.objects.filter(active=True, kind__in=[Team.Kind.LOCAL_POLICING, Team.Kind.RESOLUTION_CENTRE],
                            appointment_patterns__active=True).distinct().order_by("name")
    )


@dataclass
class FreeSlot:
    slot: Any
    free: int


def free_slots(*, team: Any, since: Any, days: int = 7, limit: int = 60) -> list[FreeSlot]:
    """A team's slots from ``since`` (never in the past) for ``days`` days with a seat free, earliest first."""
    from django.db.models import Count

    from .models import AppointmentSlot, AppointmentStatus

    start = max(since, timezone.now())
    slots = (
        AppointmentSlot.objects.filter(team=team, starts_at__gte=start, starts_at__lt=since + timedelta(days=days))
        .annotate(booked=Count("appointments", filter=Q(appointments__status=AppointmentStatus.BOOKED)))
        .order_by("starts_at")
    )
    return [FreeSlot(slot, slot.capacity - slot.booked) for slot in slots if slot.booked < slot.capacity][:limit]


def appointments_for(contact: Contact) -> list[Any]:
    """A contact's appointments, the booked one first, then moved and cancelled ones, newest first."""
    from .models import AppointmentStatus

    rows = list(contact.appointments.select_related("slot__team", "booked_by", "ended_by").order_by("-booked_at"))
    return sorted(rows, key=lambda a: a.status != AppointmentStatus.BOOKED)


@transaction.atomic
def team_day_list(*, actor: Any, team: Any, day: date) -> list[Any]:
    """A team's booked appointments on a day, with the caller of each; every caller shown is logged as consulted.

    The officers who keep the appointments need to know whom they are seeing: a
    consultation with the reason "Appointments of <team> on <day>".
    """
    from zoneinfo import ZoneInfo

    from .models import Appointment, AppointmentStatus

    zone = ZoneInfo(settings.TIME_ZONE)
    from datetime import datetime, time

    start = datetime.combine(day, time.min).replace(tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min).replace(tzinfo=zone)
    rows = list(
        Appointment.objects.filter(slot__team=team, status=AppointmentStatus.BOOKED, slot__starts_at__gte=start,
                                   slot__starts_at__lt=end)
        .select_related("slot", "contact__caller", "contact__incident_type", "contact__address")
        .order_by("slot__starts_at", "seat")
    )
    callers = {a.contact.caller.pk: a.contact.caller for a in rows if a.contact.caller is not None}
    _log_views(actor, f"Appointments of {team.name} on {day:%d/%m/%Y}", list(callers.values()),
               {"as": "appointment day list"})
    return rows


# --- Calendar export of appointments ------------------------------------------------------------------

CALENDAR_REASON = "calendar feed"
CALENDAR_FILE_REASON = "calendar file"
FEED_WEEKS = 4
FEED_WEEKS_MAX = 13
FEED_WEEKS_ERROR = f"weeks: give a whole number of weeks from 1 to {FEED_WEEKS_MAX}, for example 4."


@dataclass(frozen=True)
class CalendarEntry:
    """An appointment as a calendar event: ``series`` is the first booking of it (its id names the event
    for good, through every move), ``sequence`` how many times it changed since (moves, and a cancellation)."""

    appointment: Any
    series: int
    sequence: int


def _calendar_entries(appointments: list[Any]) -> list[CalendarEntry]:
    """Each appointment with its series and sequence, in one query however many there are.

    A move keeps the contact, so an appointment's earlier times are among its contact's appointments.
    """
    from .models import Appointment, AppointmentStatus

    earlier = dict(
        Appointment.objects.filter(contact_id__in={a.contact_id for a in appointments}).values_list("pk", "moved_from_id")
    )
    entries = []
    for appointment in appointments:
        first, moves = appointment.pk, 0
        while earlier.get(first) and moves <= len(earlier):
            first, moves = earlier[first], moves + 1
        cancelled = 1 if appointment.status == AppointmentStatus.CANCELLED else 0
        entries.append(CalendarEntry(appointment, first, moves + cancelled))
    return entries


def calendar_feed_for_token(token: str) -> Any:
    """The live subscription address a token opens, or None (revoked, unknown, or the team retired)."""
    from .models import TeamCalendarFeed
    from .services import calendar_token_digest

    if not token:
        return None
    return (TeamCalendarFeed.objects.select_related("team")
            .filter(token_hash=calendar_token_digest(token), revoked_at__isnull=True, team__active=True).first())


def live_calendar_feed(team: Any) -> Any:
    """The team's live subscription address (without its token, which is never kept), or None."""
    from .models import TeamCalendarFeed

    return TeamCalendarFeed.objects.select_related("created_by").filter(team=team, revoked_at__isnull=True).first()


def feed_weeks(raw: str | None) -> int:
    """The weeks a feed covers, from the ``weeks`` query parameter (default 4, at most 13)."""
    if raw is None or str(raw).strip() == "":
        return FEED_WEEKS
    text = str(raw).strip()
    if not text.isdigit() or not 1 <= int(text) <= FEED_WEEKS_MAX:
        raise ValidationError({"weeks": FEED_WEEKS_ERROR})
    return int(text)


@transaction.atomic
def team_calendar(*, team: Any, weeks: int = FEED_WEEKS, actor: Any = None, actor_label: str = "") -> list[CalendarEntry]:
    """A team's booked appointments from the start of today for ``weeks`` weeks, earliest first.

    Every fetch is logged as a consultation with the reason "calendar feed": one entry for
    the fetch (the team's feed, with the appointments in it) and one per caller whose
    appointment it holds. The actor is the signed-in user, or for a subscription address
    the feed itself (``actor_label``), since no one signs in to poll it.
    """
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from .models import Appointment, AppointmentStatus

    if not 1 <= int(weeks) <= FEED_WEEKS_MAX:
        raise ValidationError({"weeks": FEED_WEEKS_ERROR})
    start = datetime.combine(timezone.localdate(), time.min).replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    rows = list(
        Appointment.objects.filter(slot__team=team, status=AppointmentStatus.BOOKED, slot__starts_at__gte=start,
                                   slot__starts_at__lt=start + timedelta(weeks=int(weeks)))
        .select_related("slot__team", "contact__address").order_by("slot__starts_at", "seat")
    )
    callers: dict[int, list[str]] = {}
    for appointment in rows:
        if appointment.contact.caller_id:
            callers.setdefault(appointment.contact.caller_id, []).append(appointment.contact.reference)
    detail = {"as": "calendar feed", "team": team.name, "weeks": int(weeks)}
    entries = [PendingEntry(
        action=Action.CONSULTATION, subject_type="accounts.team", subject_id=str(team.pk), actor=actor,
        actor_label=actor_label, reason=CALENDAR_REASON, detail={**detail, "appointments": len(rows)},
    )]
    entries += [
        PendingEntry(action=Action.CONSULTATION, subject_type="people.person", subject_id=str(person_id), actor=actor,
                     actor_label=actor_label, person_id=str(person_id), reason=CALENDAR_REASON,
                     detail={**detail, "contacts": references})
        for person_id, references in callers.items()
    ]
    append_entries(entries)
    return _calendar_entries(rows)


def appointment_for_calendar_link(token: str) -> Any:
    """The appointment a caller's calendar link was made for, or None."""
    from .models import AppointmentCalendarLink
    from .services import calendar_token_digest

    if not token:
        return None
    link = AppointmentCalendarLink.objects.select_related("appointment").filter(
        token_hash=calendar_token_digest(token)).first()
    return link.appointment if link is not None else None


@transaction.atomic
def appointment_calendar(*, appointment: Any, actor: Any = None, actor_label: str = "",
                         reason: str = CALENDAR_FILE_REASON) -> CalendarEntry:
    """The latest state of an appointment as a calendar event, logged as a consultation of the caller's record.

    A link made for a time since moved opens the time agreed now (a higher SEQUENCE, so
    the caller's calendar moves the event rather than adding one); a cancelled one opens
    the cancellation.
    """
    from .models import Appointment

    latest = appointment
    for _ in range(100):  # a series is a handful of moves; the bound only guards against a cycle
        following = Appointment.objects.filter(moved_from=latest).first()
        if following is None:
            break
        latest = following
    latest = Appointment.objects.select_related("slot__team", "contact__address", "contact__caller").get(pk=latest.pk)
    record_entry(
        actor=actor, actor_label=actor_label, action=Action.CONSULTATION, subject_type="contacts.appointment",
        subject_id=latest.pk, person_id=latest.contact.caller_id, reason=reason,
        detail={"as": "calendar file", "contact": latest.contact.reference, "status": latest.status},
    )
    return _calendar_entries([latest])[0]


# --- Quality audit of calls --------------------------------------------------------------------------

QUALITY_PERMISSION = "accounts.audit_contact_quality"


@transaction.atomic
def quality_review_for(*, actor: Any, review_pk: int) -> Any:
    """A sampled contact as the auditor scores it: the record, THRIVE, grading, DASH; each person in it logged as consulted.

    An auditor does not search the person index; the people named in the sampled
    contact are shown with the reason "Quality audit of contact C…".
    """
    from .models import QualityReview

    if actor is None or not actor.has_perm(QUALITY_PERMISSION):
        raise PermissionDenied("You do not have permission to audit call quality.")
    review = (
        QualityReview.objects.select_related("sample__handler", "contact__incident_type", "contact__caller",
                                             "contact__address", "checklist", "reviewed_by")
        .filter(pk=review_pk).first()
    )
    if review is None:
        return None
    links = list(review.contact.people.select_related("person").order_by("role", "person__family_name"))
    persons = list({link.person.pk: link.person for link in links}.values())
    _log_views(actor, f"Quality audit of contact {review.contact.reference}", persons, {"as": "quality audit"})
    review.links = links
    return review


@dataclass
class QualityRow:
    """One handler's (or team's) month: contacts sampled, scored, the mean score, and items most often not met."""

    name: str
    team: str
    sampled: int = 0
    scored: int = 0
    total: int = 0
    missed: dict[str, int] = field(default_factory=dict)

    @property
    def mean(self) -> int | None:
        return round(self.total / self.scored) if self.scored else None

    def add(self, review: Any) -> None:
        self.sampled += 1
        if review.score is not None:
            self.scored += 1
            self.total += review.score
            for code, answer in (review.answers or {}).items():
                if answer == "no":
                    self.missed[code] = self.missed.get(code, 0) + 1


def quality_results(month: date) -> tuple[list[QualityRow], list[QualityRow], list[Any]]:
    """The month's results by handler and by team, and the reviews themselves (for the auditor's list).

    A handler in several teams counts in each; a handler in none counts under "No team".
    """
    from .models import QualityReview

    reviews = list(
        QualityReview.objects.filter(sample__month=month)
        .select_related("sample__handler", "contact__incident_type")
        .prefetch_related("sample__handler__teams").order_by("sample__handler__username", "contact__received_at")
    )
    by_handler: dict[int, QualityRow] = {}
    by_team: dict[str, QualityRow] = {}
    for review in reviews:
        handler = review.sample.handler
        teams = [t.name for t in handler.teams.all()] or ["No team"]
        by_handler.setdefault(handler.pk, QualityRow(str(handler), ", ".join(teams))).add(review)
        for team in teams:
            by_team.setdefault(team, QualityRow(team, team)).add(review)
    return list(by_handler.values()), sorted(by_team.values(), key=lambda r: r.name), reviews


def quality_feedback_for(handler: Any) -> list[Any]:
    """The scored reviews of a handler's own contacts, newest first: their feedback."""
    from .models import QualityReview

    return list(
        QualityReview.objects.filter(sample__handler=handler, reviewed_at__isnull=False)
        .select_related("contact__incident_type", "checklist", "sample").order_by("-reviewed_at")[:100]
    )
