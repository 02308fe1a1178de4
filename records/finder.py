"""Which records have reached their review date under the retention policy.

Reads only: each finder yields the records of one kind that are due today, with the rule and
dates that make them due. ``records.services.find_due_records`` turns them into the review queue.
Nothing here reads a record's content, only the dates and links that place it in a rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import CharField, DateTimeField, Exists, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Greatest
from django.utils import timezone

from . import rules
from .models import RecordKind, RetentionRule

PERSON_RULES = ("person-group-1", "person-group-2", "person-group-3")
CONTACT_RULE = "contact-no-crime"
CHAT_RULE = "chat-transcript"
MESSAGE_RULE = "outbox-message"
REPORT_RULE = "online-report-closed"
EXHIBIT_RULE = "exhibit-nfa"
STATEMENT_RULE = "statement-nfa"
REPORT_FILES_RULE = "report-files"


@dataclass(frozen=True)
class DueRecord:
    """A record due for review: what it is, under which rule, and from which date to which."""

    kind: str
    record_id: int
    reference: str
    rule: RetentionRule
    basis_date: date
    due_on: date


def _local_date(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def _start_of(day: date) -> datetime:
    """The first moment of ``day`` in Europe/London, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _cutoff(rule: RetentionRule, today: date) -> datetime:
    """Records whose basis is before this moment may be due under ``rule`` (one day of slack for time zones)."""
    return _start_of(rules.add_years(today, -(rule.review_after_years or 0))) + timedelta(days=1)


def person_groups() -> tuple[set[int], set[int]]:
    """The ids of persons in MoPI group 1 and in group 2, by their most serious link.

    Group 1, public protection: a MARAC referral, a high-risk DASH or DARA, a domestic abuse
    marker, or a link to a crime whose classification is a sexual offence. Group 2: a link to a
    violent or other serious crime. Everyone else is group 3.
    """
    from cases.models import Crime, HomeOfficeClassification, Suspect
    from contacts.models import DashAssessment, MaracReferral, RiskLevel
    from people.models import PersonLink, VulnerabilityKind, VulnerabilityMarker

    protection, serious = set(), set()
    for pk, code, name, category in HomeOfficeClassification.objects.values_list(
            "pk", "code", "name", "police_uk_category"):
        if rules.is_public_protection_offence(name):
            protection.add(pk)
        elif rules.is_serious_offence(code=code, category=category):
            serious.add(pk)

    def linked(classifications: set[int]) -> set[int]:
        crimes = Crime.objects.filter(classification_id__in=classifications)
        ids = set(crimes.exclude(victim=None).values_list("victim_id", flat=True))
        ids |= set(Suspect.objects.filter(crime__in=crimes).values_list("person_id", flat=True))
        ids |= set(PersonLink.objects.filter(crime_reference__in=crimes.values("reference"))
                   .values_list("person_id", flat=True))
        return ids

    group_1 = linked(protection)
    group_1 |= set(MaracReferral.objects.values_list("victim_id", flat=True))
    group_1 |= set(DashAssessment.objects.filter(risk_level=RiskLevel.HIGH).values_list("victim_id", flat=True))
    group_1 |= set(VulnerabilityMarker.objects.filter(kind=VulnerabilityKind.DOMESTIC_ABUSE)
                   .values_list("person_id", flat=True))
    group_2 = linked(serious) - group_1
    return group_1, group_2


def _persons_with_last_activity():
    """Live (not merged, not erased) persons with the time of the last thing the force recorded about them."""
    from cases.models import Crime, Suspect
    from contacts.models import ContactPerson
    from people.models import Person, PersonLink
    from people.services import ERASED_FAMILY_NAME

    def latest(queryset, column: str):
        return Coalesce(
            Subquery(queryset.values("person_key").annotate(last=Max(column)).values("last")[:1],
                     output_field=DateTimeField()),
            F("updated_at"),
        )

    return (
        Person.objects.filter(merged_into__isnull=True)
        .exclude(family_name=ERASED_FAMILY_NAME, given_name="")
        .annotate(
            last_contact=latest(ContactPerson.objects.filter(person=OuterRef("pk")).annotate(person_key=F("person_id")),
                                "contact__received_at"),
            last_link=latest(PersonLink.objects.filter(person=OuterRef("pk")).annotate(person_key=F("person_id")),
                             "recorded_at"),
            last_victim=latest(Crime.objects.filter(victim=OuterRef("pk")).annotate(person_key=F("victim_id")),
                               "reported_at"),
            last_suspect=latest(Suspect.objects.filter(person=OuterRef("pk")).annotate(person_key=F("person_id")),
                                "linked_at"),
        )
        .annotate(last_activity=Greatest("updated_at", "created_at", "last_contact", "last_link", "last_victim",
                                         "last_suspect"))
    )


def due_persons(today: date, policy: dict[str, RetentionRule]) -> Iterator[DueRecord]:
    """Person records due for review, each under the rule of its most serious link (MoPI groups 1–3)."""
    active = [policy[code] for code in PERSON_RULES if code in policy]
    if not active:
        return
    group_1, group_2 = person_groups()
    persons = _persons_with_last_activity()
    periodic = [rule for rule in active if rule.until_age is None]
    shortest = min((rule.review_after_years for rule in periodic), default=None)
    # Group 1 can only be due once the person is that old (or, without a date of birth, the record is):
    # filtered by date here, by group below, so no list of ids is sent to the database.
    oldest = rules.add_years(today, -max((rule.until_age or 0) for rule in active))
    maybe = Q(date_of_birth__lte=oldest) | Q(date_of_birth__isnull=True, created_at__lt=_start_of(oldest)
                                              + timedelta(days=1))
    if shortest is not None:
        maybe |= Q(last_activity__lt=_start_of(rules.add_years(today, -shortest)) + timedelta(days=1))
    for person in persons.filter(maybe).only("pk", "reference", "date_of_birth", "created_at", "updated_at").iterator(
            chunk_size=2000):
        code = PERSON_RULES[0] if person.pk in group_1 else PERSON_RULES[1] if person.pk in group_2 else PERSON_RULES[2]
        rule = policy.get(code)
        if rule is None:
            continue
        basis = _local_date(person.created_at if rule.until_age else person.last_activity)
        due = rules.review_date(basis=basis, review_after_years=rule.review_after_years, until_age=rule.until_age,
                                date_of_birth=person.date_of_birth)
        if rules.is_due(due_on=due, today=today):
            yield DueRecord(RecordKind.PERSON, person.pk, person.reference, rule, basis, due)


def due_contacts(today: date, policy: dict[str, RetentionRule]) -> Iterator[DueRecord]:
    """Contacts that led to no crime and no domestic abuse risk assessment, due after their closing date."""
    from contacts.models import Contact

    rule = policy.get(CONTACT_RULE)
    if rule is None:
        return
    contacts = (Contact.objects.filter(crimes__isnull=True, dash_assessments__isnull=True)
                .annotate(basis=Coalesce("closed_at", "received_at"))
                .filter(basis__lt=_cutoff(rule, today)).values_list("pk", "reference", "basis"))
    yield from _dated(RecordKind.CONTACT, contacts, rule, today)


def due_chats(today: date, policy: dict[str, RetentionRule]) -> Iterator[DueRecord]:
    """Ended live chats, due after the day they ended."""
    from chat.models import Chat, ChatStatus

    rule = policy.get(CHAT_RULE)
    if rule is None:
        return
    chats = (Chat.objects.filter(status=ChatStatus.CLOSED).annotate(basis=Coalesce("closed_at", "created_at"))
             .filter(basis__lt=_cutoff(rule, today)).values_list("pk", "reference", "basis"))
    yield from _dated(RecordKind.CHAT, chats, rule, today)


def due_messages(today: date, policy: dict[str, RetentionRule]) -> Iterator[DueRecord]:
    """Messages that have left the outbox (sent, delivered or failed), due after the last thing that happened."""
    from notifications.models import Message
    from notifications.services import ERASABLE_STATUSES

    rule = policy.get(MESSAGE_RULE)
    if rule is None:
        return
    messages = (Message.objects.filter(status__in=ERASABLE_STATUSES)
                .annotate(basis=Coalesce("delivered_at", "failed_at", "sent_at", "created_at"))
                .filter(basis__lt=_cutoff(rule, today)).values_list("pk", "reference", "basis"))
    yield from _dated(RecordKind.MESSAGE, messages, rule, today, short_reference=True)


def closed_reports():
    """Online reports that are finished with: closed without a crime, or every crime they became closed or cancelled.

    Each carries ``basis``, the moment the last of those happened (the contact's closing, or the
    latest closing or cancellation of its crimes, whichever is later).
    """
    from cases.models import OPEN_STATUSES, Crime
    from public.models import OnlineReport

    crimes = Crime.objects.filter(contact=OuterRef("contact_id"))
    last_crime = Subquery(
        crimes.values("contact").annotate(last=Max(Coalesce("closed_at", "cancelled_at"))).values("last")[:1],
        output_field=DateTimeField(),
    )
    return (
        OnlineReport.objects.exclude(Exists(crimes.filter(status__in=OPEN_STATUSES)))
        .annotate(crime_closed=last_crime)
        .filter(Q(crime_closed__isnull=False) | Q(contact__closed_at__isnull=False, crime_closed__isnull=True))
        # Greatest returns NULL on SQLite when either side is NULL: each side falls back on the other.
        .annotate(basis=Greatest(Coalesce("crime_closed", "contact__closed_at"),
                                 Coalesce("contact__closed_at", "crime_closed")))
    )


def due_reports(today: date, policy: dict[str, RetentionRule]) -> Iterator[DueRecord]:
    """Closed online reports (no crime, or every crime closed or cancelled), due after the day they were closed."""
    rule = policy.get(REPORT_RULE)
    if rule is None:
        return
    reports = closed_reports().filter(basis__lt=_cutoff(rule, today)).values_list("pk", "contact__reference", "basis")
    yield from _dated(RecordKind.REPORT, reports, rule, today)


def nfa_exhibits():
    """Exhibits not yet destroyed whose crime is closed with a no-further-action outcome (rules.nfa_outcomes)."""
    from cases.models import CrimeStatus
    from evidence.models import Exhibit

    return Exhibit.objects.filter(destroyed_at__isnull=True, crime__status=CrimeStatus.CLOSED,
                                  crime__outcome__number__in=rules.nfa_outcomes())


def due_exhibits(today: date, policy: dict[str, RetentionRule]) -> Iterator[DueRecord]:
    """Exhibits of crimes closed with no further action, due after the day the crime was closed."""
    rule = policy.get(EXHIBIT_RULE)
    if rule is None:
        return
    # An exhibit reference (JS/1) is unique only within its crime: the queue shows both.
    exhibits = (nfa_exhibits().filter(crime__closed_at__lt=_cutoff(rule, today))
                .annotate(shown=Concat("crime__reference", Value(" "), "reference", output_field=CharField()))
                .values_list("pk", "shown", "crime__closed_at"))
    yield from _dated(RecordKind.EXHIBIT, exhibits, rule, today)


def nfa_statements():
    """Statements not yet erased whose crime is closed with a no-further-action outcome (rules.nfa_outcomes)."""
    from cases.models import CrimeStatus
    from evidence.models import Statement

    return Statement.objects.filter(erased_at__isnull=True, crime__status=CrimeStatus.CLOSED,
                                    crime__outcome__number__in=rules.nfa_outcomes())


def due_statements(today: date, policy: dict[str, RetentionRule]) -> Iterator[DueRecord]:
    """Written statements of crimes closed with no further action, due after the day the crime was closed."""
    rule = policy.get(STATEMENT_RULE)
    if rule is None:
        return
    # A statement number (S1) is unique only within its crime: the queue shows both.
    statements = (nfa_statements().filter(crime__closed_at__lt=_cutoff(rule, today))
                  .annotate(shown=Concat("crime__reference", Value(" S"), Cast("number", CharField()),
                                         output_field=CharField()))
                  .values_list("pk", "shown", "crime__closed_at"))
    yield from _dated(RecordKind.STATEMENT, statements, rule, today)


def report_files():
    """Exhibits not yet destroyed that are still held against a closed contact that never became a crime.

    These are the photos and other files sent with an online report (or through an upload link for
    it) before any crime existed: recording a crime moves them to the crime, so a file still held
    against its contact belongs to a report that never became one.
    """
    from cases.models import Crime
    from evidence.models import Exhibit

    return Exhibit.objects.filter(destroyed_at__isnull=True, crime__isnull=True,
                                  contact__closed_at__isnull=False).exclude(
        Exists(Crime.objects.filter(contact=OuterRef("contact_id"))))


def due_report_files(today: date, policy: dict[str, RetentionRule]) -> Iterator[DueRecord]:
    """Files sent with an online report that never became a crime, due after the day its contact was closed."""
    rule = policy.get(REPORT_FILES_RULE)
    if rule is None:
        return
    exhibits = (report_files().filter(contact__closed_at__lt=_cutoff(rule, today))
                .annotate(shown=Concat("contact__reference", Value(" "), "reference", output_field=CharField()))
                .values_list("pk", "shown", "contact__closed_at"))
    yield from _dated(RecordKind.EXHIBIT, exhibits, rule, today)


def _dated(kind: str, rows, rule: RetentionRule, today: date, *, short_reference: bool = False) -> Iterator[DueRecord]:
    for pk, reference, moment in rows.iterator(chunk_size=2000):
        basis = _local_date(moment)
        due = rules.review_date(basis=basis, review_after_years=rule.review_after_years, until_age=None,
                                date_of_birth=None)
        if rules.is_due(due_on=due, today=today):
            # An outbox reference is the caller's idempotency key (up to 200 characters); the queue shows the id.
            shown = f"M{pk:08d}" if short_reference else (reference or f"{kind} {pk}")
            yield DueRecord(kind, pk, shown[:20], rule, basis, due)


FINDERS = (due_persons, due_contacts, due_chats, due_messages, due_reports, due_exhibits, due_report_files,
           due_statements)


def active_policy() -> dict[str, RetentionRule]:
    return {rule.code: rule for rule in RetentionRule.objects.filter(active=True)}


def due_records(today: date) -> Iterator[DueRecord]:
    """Every record due for review on ``today``, kind by kind."""
    policy = active_policy()
    for finder in FINDERS:
        yield from finder(today, policy)
