"""The demo force's records-management work: a few records due for review and one open subject access request.

The queue shows at least one record of each kind the demo can hold: persons, contacts, closed
online reports, the exhibit and the witness statement of a crime closed with no further action, and
the photo sent with an online report that never became a crime.

The demo force's own history is only two years old, so nothing in it has reached a review date.
This adds a handful of older records through the owning apps' services and dates them back (demo
only), then runs the same finder the scheduler runs. Safe to run again: a second run adds nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import services
from .models import SubjectAccessRequest

DEMO_NOTE = "Demo: request received by letter; identity checked against a passport copy."
DEMO_REPORT_KEY = "demo-retention-old-report"
DEMO_FILE_REPORT_KEY = "demo-retention-old-asb-photo"
DEMO_WITNESS = "Derek Lowe"

# (given name, family name, date of birth, years since the force last recorded anything about them)
OLD_PERSONS = [
    ("Gareth", "Pryce", date(1958, 4, 11), 7),
    ("Lorna", "Haddow", date(1971, 9, 23), 8),
    ("Ivor", "Tranter", None, 9),
]


@dataclass
class DemoRecords:
    queued: int
    request: str


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(11)))


def _data_protection_officer():
    User = get_user_model()
    perm = Q(groups__permissions__codename="handle_subject_access") | Q(
        user_permissions__codename="handle_subject_access")
    return User.objects.filter(perm, is_active=True).order_by("pk").first()


@transaction.atomic
def _old_records(actor) -> None:
    from contacts.models import Contact, IncidentType
    from contacts.services import record_contact
    from people.models import Person
    from people.services import record_person

    today = timezone.localdate()
    for given, family, born, years in OLD_PERSONS:
        person = record_person(actor=actor, given_name=given, family_name=family, date_of_birth=born,
                               reason="Demo force: an old record for the retention review")
        then = _at(today - timedelta(days=365 * years))
        Person.objects.filter(pk=person.pk).update(created_at=then, updated_at=then)
    noise = IncidentType.objects.filter(code="noise").first() or IncidentType.objects.order_by("pk").first()
    for years, place in ((7, "Outside the Co-op, Market Street"), (9, "Car park behind the leisure centre")):
        received = _at(today - timedelta(days=365 * years))
        contact = record_contact(actor=actor, channel="101", incident_type=noise, received_at=received,
                                 location_text=place, summary="Loud music late at night; advice given.")
        Contact.objects.filter(pk=contact.pk).update(closed_at=received + timedelta(minutes=20))


def _supervisor(fallback):
    User = get_user_model()
    perm = Q(groups__permissions__codename="supervise_investigations") | Q(
        user_permissions__codename="supervise_investigations")
    return User.objects.filter(perm, is_active=True).order_by("pk").first() or fallback


@transaction.atomic
def _old_report_with_evidence(actor) -> bool:
    """An online theft report from eight years ago whose crime was closed with no further action seven
    years ago, with the photo the reporter sent: the report and the exhibit are both due. False if present."""
    from cases.models import Crime
    from cases.services import close_crime
    from contacts.models import Contact
    from evidence import samples
    from evidence.models import CustodyEvent
    from evidence.services import receive_file
    from public.models import OnlineReport
    from public.services import Incident, submit_online_report

    if OnlineReport.objects.filter(submission_key=DEMO_REPORT_KEY).exists():
        return False
    today = timezone.localdate()
    reported, closed = _at(today - timedelta(days=365 * 8)), _at(today - timedelta(days=365 * 7))
    report = submit_online_report(
        submission_key=DEMO_REPORT_KEY, given_name="Nadia", family_name="Okafor", email="nadia.okafor@example.org",
        incident=Incident(kind="theft", occurred_at=reported - timedelta(hours=10), location="Allotments off Mill Lane",
                          description="The shed was forced and a strimmer taken.",
                          answers={"What was stolen": "A petrol strimmer"}),
    )
    crime = Crime.objects.get(contact=report.contact)
    photo = samples.png(seed=42)
    exhibit = receive_file(actor=None, actor_label="public: online report", crime=crime, file=io.BytesIO(photo),
                           filename="shed.png", size=len(photo), description="Photo of the forced shed door",
                           produced_by="Nadia Okafor")
    close_crime(crime=crime, actor=_supervisor(actor), outcome=18)
    OnlineReport.objects.filter(pk=report.pk).update(submitted_at=reported)
    Contact.objects.filter(pk=report.contact_id).update(received_at=reported, closed_at=closed)
    Crime.objects.filter(pk=crime.pk).update(reported_at=reported, closed_at=closed)
    type(exhibit).objects.filter(pk=exhibit.pk).update(received_at=reported)
    CustodyEvent.objects.filter(exhibit=exhibit).update(occurred_at=reported)
    return True


@transaction.atomic
def _old_statement(actor) -> bool:
    """A neighbour's witness statement for the old theft report's crime (closed with no further action seven
    years ago): due under statement-nfa. False if present, or if the old report is not there."""
    from cases.models import Crime
    from evidence.models import CustodyEvent, Statement
    from evidence.services import StatementDetails, take_statement
    from public.models import OnlineReport

    report = OnlineReport.objects.filter(submission_key=DEMO_REPORT_KEY).first()
    crime = report and Crime.objects.filter(contact=report.contact_id).first()
    if crime is None or Statement.objects.filter(crime=crime, maker_name=DEMO_WITNESS).exists():
        return False
    statement = take_statement(crime=crime, actor=_supervisor(actor), details=StatementDetails(
        maker_name=DEMO_WITNESS, maker_occupation="Retired postman", signature=DEMO_WITNESS, declaration_accepted=True,
        body="I keep the allotment next to Mrs Okafor's on Mill Lane. On the evening before she reported the theft "
             "I saw a man I did not know walking away from the sheds towards the river path at about nine o'clock. "
             "He was carrying something long wrapped in a coat. I could not see his face.",
    ))
    signed = crime.reported_at + timedelta(days=1)
    Statement.objects.filter(pk=statement.pk).update(signed_at=signed)
    CustodyEvent.objects.filter(statement=statement).update(occurred_at=signed)
    return True


@transaction.atomic
def _old_report_file(actor) -> bool:
    """An online report of fly-tipping from eight years ago, with the photo the reporter sent, closed seven years
    ago without a crime: the photo is due under report-files. False if present."""
    from contacts.models import Contact
    from evidence import samples
    from evidence.models import CustodyEvent, Exhibit
    from evidence.services import receive_file
    from public.models import OnlineReport
    from public.services import Incident, submit_online_report

    if OnlineReport.objects.filter(submission_key=DEMO_FILE_REPORT_KEY).exists():
        return False
    today = timezone.localdate()
    reported, closed = _at(today - timedelta(days=365 * 8)), _at(today - timedelta(days=365 * 7))
    report = submit_online_report(
        submission_key=DEMO_FILE_REPORT_KEY, given_name="Tomasz", family_name="Nowak", email="t.nowak@example.org",
        incident=Incident(kind="asb", occurred_at=reported - timedelta(hours=6), location="Lay-by on Quarry Road",
                          description="Bags of rubbish and an old mattress dumped in the lay-by again.",
                          answers={"What happened": "Fly-tipping"}, asb_category="environmental"),
    )
    photo = samples.png(seed=17)
    exhibit = receive_file(actor=None, actor_label="public: online report", contact=report.contact,
                           file=io.BytesIO(photo), filename="layby.png", size=len(photo),
                           description="Photo of the rubbish in the lay-by", produced_by="Tomasz Nowak")
    OnlineReport.objects.filter(pk=report.pk).update(submitted_at=reported)
    Contact.objects.filter(pk=report.contact_id).update(received_at=reported, closed_at=closed)
    Exhibit.objects.filter(pk=exhibit.pk).update(received_at=reported)
    CustodyEvent.objects.filter(exhibit=exhibit).update(occurred_at=reported)
    return True


def _older_kinds(actor) -> bool:
    """The records added since the demo first had a queue; True if any was added."""
    added = _old_report_with_evidence(actor)
    added = _old_statement(actor) or added
    return _old_report_file(actor) or added


def seed_demo_records() -> DemoRecords:
    """Old records queued for review and one open subject access request from a demo victim.

    A demo database seeded before closed online reports, evidence and statements were in the policy
    gets the old reports, the photos and the statement on the next run; nothing else is added twice.
    """
    from cases.models import Crime
    from people.models import Person

    actor = _data_protection_officer()
    existing = SubjectAccessRequest.objects.filter(notes=DEMO_NOTE).first()
    if existing is not None:
        added = actor is not None and _older_kinds(actor)
        return DemoRecords(queued=sum(services.find_due_records().values()) if added else 0,
                           request=existing.reference)
    if actor is None:
        raise RuntimeError("No data protection officer to act as: run manage.py demo_logins first.")
    _old_records(actor)
    _older_kinds(actor)
    queued = sum(services.find_due_records().values())
    victim = Crime.objects.exclude(victim=None).order_by("-reported_at", "pk").values_list("victim", flat=True).first()
    if victim is None:
        victim = Person.objects.filter(family_name="Pryce").values_list("pk", flat=True).first()
    request = services.record_subject_access_request(
        actor=actor, person=Person.objects.get(pk=victim), received_on=timezone.localdate() - timedelta(days=9),
        notes=DEMO_NOTE,
    )
    return DemoRecords(queued=queued, request=request.reference)
