"""Investigations for the demo force: full resolution queues, allocated crimes with plans, reviews (some overdue),
victim updates due and overdue, key decisions to tell, and bureau tasks.

Everything goes through the real services (so every step has its audit entry); the
dates are then moved back to when the demo says they happened, so that some reviews
and updates are overdue today. Each crime's draw comes from its own generator (seed,
crime id); a crime that already has an investigation is left alone, so a rerun adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import Team, User
from accounts.permissions import ROLES_BY_SLUG
from accounts.services import ensure_demo_teams, sync_roles
from contacts.models import Route

from . import services
from .models import (
    BureauTask,
    ContactMethod,
    ContactResult,
    Crime,
    CrimeStatus,
    Decision,
    DecisionKind,
    Enquiry,
    EnquiryStatus,
    Investigation,
    InvestigationState,
    ReviewQuality,
    SolvabilityFactor,
    SupervisorReview,
    UpdateChannel,
    VictimContactAttempt,
    VictimUpdate,
)

ACTOR_LABEL = "system: seed_investigations"
RECENT = timedelta(days=120)  # open crimes older than this have all been allocated by now
ALLOCATED_SHARE = 0.3  # of the recent ones; the rest wait in the queues

# Made-up investigators and supervisors for each resolution centre, beside the demo logins.
STAFF: dict[str, list[tuple[str, str, str, str]]] = {
    "Hanley Resolution Centre": [
        ("hanley-sup", "Ruth", "Adeyemi", "supervisor"),
        ("hanley-inv1", "Priya", "Shah", "resolution-investigator"),
        ("hanley-inv2", "Tom", "Riley", "resolution-investigator"),
    ],
    "Burton Resolution Centre": [
        ("burton-sup", "Grace", "Okafor", "supervisor"),
        ("burton-inv1", "Owen", "Price", "resolution-investigator"),
        ("burton-inv2", "Leah", "Morgan", "resolution-investigator"),
    ],
    "Cannock Resolution Centre": [
        ("cannock-sup", "Harry", "Walsh", "supervisor"),
        ("cannock-inv1", "Aisha", "Begum", "resolution-investigator"),
        ("cannock-inv2", "Callum", "Reid", "resolution-investigator"),
    ],
}
# The demo logins that work in Hanley (accounts.services.DEMO_USERS).
DEMO_LOGINS = {"Hanley Resolution Centre": [("resolver", "resolution-investigator"), ("supervisor", "supervisor")]}

ENQUIRIES = [
    ("Request CCTV from the premises", "Identify the offender and the time of the offence."),
    ("House-to-house enquiries with neighbours", "Find witnesses and private cameras."),
    ("Check pawnbrokers and online marketplaces for the property", "Trace the stolen property."),
    ("Run the vehicle registration through ANPR", "Establish the vehicle's movements."),
    ("Take a statement from the witness", "Record first-hand account."),
    ("Check intelligence for similar offences nearby", "Link to a series."),
]
DECISIONS = [
    (DecisionKind.GENERAL, "Investigate by phone and online; no attendance needed", "Grade 4; no forensic opportunity."),
    (DecisionKind.SUSPECT_ARRESTED, "Suspect arrested", "Identified from CCTV by a local officer."),
    (DecisionKind.SUSPECT_INTERVIEWED, "Suspect interviewed under caution", "Admissions made in part."),
    (DecisionKind.UNDER_INVESTIGATION, "Suspect released under investigation", "Awaiting CCTV download."),
    (DecisionKind.NOT_INVESTIGATED, "No further investigation", "No lines of enquiry remain proportionate."),
]
TASKS = {
    "victim_letter": "Please send the victim their crime reference and the Victims' Code leaflet.",
    "classification_check": "The victim now says force was used: please check whether this should be robbery.",
    "record_property": "Record the stolen phone's IMEI on the property register.",
}
UPDATES = [
    "We have asked the shop for its CCTV and will tell you when we have looked at it.",
    "Your case is still open; we are waiting for enquiries with neighbours to come back.",
    "A person has been arrested and interviewed; we will let you know the decision.",
]


@dataclass
class SeededInvestigations:
    queued: int
    allocated: int
    audit_entries_before: int


def _staff(team: Team, username: str, first: str, last: str, role_slug: str) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
    if created:
        user.set_unusable_password()  # colleagues in the demo's lists, not logins
        user.save()
    user.groups.add(Group.objects.get(name=ROLES_BY_SLUG[role_slug].name))
    user.teams.add(team)
    return user


def _teams_and_staff() -> dict[int, dict[str, list[User]]]:
    sync_roles()
    ensure_demo_teams()
    people: dict[int, dict[str, list[User]]] = {}
    for team in Team.objects.filter(kind=Team.Kind.RESOLUTION_CENTRE, active=True).order_by("name"):
        staff = {"resolution-investigator": [], "supervisor": []}
        for username, role in DEMO_LOGINS.get(team.name, []):
            user = User.objects.filter(username=username).first()
            if user is not None:
                staff[role].append(user)
        for username, first, last, role in STAFF.get(team.name, []):
            staff[role].append(_staff(team, username, first, last, role))
        people[team.pk] = staff
    return people


def _back(model, pk: int, **fields: datetime) -> None:
    # The demo's history: the service stamped "now"; move it to when the demo says it happened.
    model.objects.filter(pk=pk).update(**fields)


def _work(crime: Crime, inv: Investigation, rng: np.random.Generator, *, staff: dict[str, list[User]],
          now: datetime) -> None:
    """Allocate one crime and give it the history of an investigation some days old."""
    investigators = staff["resolution-investigator"]
    supervisors = staff["supervisor"] or investigators
    investigator = investigators[int(rng.integers(len(investigators)))]
    supervisor = supervisors[int(rng.integers(len(supervisors)))]
    age_days = int(rng.integers(1, 36))
    allocated = now - timedelta(days=age_days, hours=float(rng.uniform(0, 8)))
    services.allocate_investigation(crime=crime, actor=supervisor, investigator=investigator)
    today = timezone.localdate(now)
    factors = [f for f in SolvabilityFactor.values if rng.random() < 0.2]
    services.assess_solvability(crime=crime, actor=investigator, factors=factors)

    # Victim contact: usually reached after a try or two; a few not yet.
    reached = rng.random() < 0.85 and crime.victim_id is not None
    tries = int(rng.integers(1, 3)) if crime.victim_id else 0
    for n in range(tries):
        last = n == tries - 1
        attempt = services.record_contact_attempt(
            crime=crime, actor=investigator, method=str(rng.choice(ContactMethod.values)),
            result=ContactResult.SPOKE if (last and reached) else str(rng.choice(["no_answer", "message_left"])),
        )
        _back(VictimContactAttempt, attempt.pk, attempted_at=allocated + timedelta(hours=2 + 20 * n))
    if reached:
        Investigation.objects.filter(pk=inv.pk).update(first_contacted_at=allocated + timedelta(hours=2 + 20 * (tries - 1)))
        every = int(rng.choice([7, 14, 28]))
        services.agree_update_plan(crime=crime, actor=investigator, every_days=every,
                                   channel=str(rng.choice(UpdateChannel.values, p=[0.5, 0.3, 0.15, 0.05])))
    # Lines of enquiry, some done.
    for i in rng.choice(len(ENQUIRIES), size=int(rng.integers(1, 4)), replace=False):
        title, objective = ENQUIRIES[int(i)]
        enquiry = services.add_enquiry(crime=crime, actor=investigator, title=title, objective=objective,
                                       owner=investigator, due_on=today + timedelta(days=int(rng.integers(0, 10))))
        created = allocated + timedelta(hours=3)
        due = timezone.localdate(created) + timedelta(days=int(rng.integers(2, 14)))
        Enquiry.objects.filter(pk=enquiry.pk).update(created_at=created, due_on=due)
        if rng.random() < 0.4:
            services.update_enquiry(enquiry=enquiry, actor=investigator, status=EnquiryStatus.DONE,
                                    result="Completed; nothing further from this line.")
    # Decisions: the first always; a key decision on some, recent ones not yet told.
    kind, text, why = DECISIONS[0]
    first = services.record_decision(crime=crime, actor=investigator, kind=kind, decision=text, rationale=why)
    _back(Decision, first.pk, made_at=allocated + timedelta(hours=1))
    if rng.random() < 0.35:
        kind, text, why = DECISIONS[int(rng.integers(1, len(DECISIONS)))]
        key = services.record_decision(crime=crime, actor=investigator, kind=kind, decision=text, rationale=why)
        made = now - timedelta(days=int(rng.integers(0, min(age_days, 12) + 1)))
        enhanced = Investigation.objects.get(pk=inv.pk).enhanced_rights
        from . import rules

        _back(Decision, key.pk, made_at=made)
        Decision.objects.filter(pk=key.pk).update(
            tell_victim_by=rules.VictimsCodeRight6.deadline(timezone.localdate(made), enhanced=enhanced))
    # Updates given in the past, so the next is due (or overdue) by the plan.
    if reached and age_days > 7 and rng.random() < 0.7:
        update = services.record_victim_update(crime=crime, actor=investigator, channel=UpdateChannel.PHONE,
                                               message=UPDATES[int(rng.integers(len(UPDATES)))])
        sent = allocated + timedelta(days=int(rng.integers(1, max(2, age_days - 2))))
        _back(VictimUpdate, update.pk, sent_at=sent)
        Decision.objects.filter(told_in=update, made_at__gt=sent).update(told_victim_at=None)
    inv.refresh_from_db()
    if inv.update_every_days:
        last = crime.victim_updates.order_by("-sent_at").values_list("sent_at", flat=True).first()
        base = timezone.localdate(last) if last else timezone.localdate(inv.first_contacted_at or allocated)
        Investigation.objects.filter(pk=inv.pk).update(next_update_due_on=base + timedelta(days=inv.update_every_days))
    else:
        Investigation.objects.filter(pk=inv.pk).update(next_update_due_on=inv.contact_due_on)
    # Supervision: the allocation review is done on most; a later one sometimes; some are overdue.
    if rng.random() < 0.8:
        review = services.record_review(crime=crime, actor=supervisor, risk="Low; victim safe and supported.",
                                        outstanding_actions="CCTV awaited.", quality=str(rng.choice(
                                            ReviewQuality.values, p=[0.6, 0.3, 0.1])),
                                        new_actions="Chase the CCTV.")
        reviewed = allocated + timedelta(days=1)
        next_on = timezone.localdate(reviewed) + timedelta(days=7)
        SupervisorReview.objects.filter(pk=review.pk).update(reviewed_at=reviewed, next_review_on=next_on)
        Investigation.objects.filter(pk=inv.pk).update(next_review_due_on=next_on)
    else:
        Investigation.objects.filter(pk=inv.pk).update(next_review_due_on=timezone.localdate(allocated))
    Investigation.objects.filter(pk=inv.pk).update(allocated_at=allocated, queued_at=allocated - timedelta(hours=6))
    # Administrative work for the bureau now and then.
    if rng.random() < 0.15:
        kind = str(rng.choice(list(TASKS)))
        task = services.request_bureau_task(crime=crime, actor=investigator, kind=kind, instructions=TASKS[kind])
        _back(BureauTask, task.pk, requested_at=allocated + timedelta(days=1))


def _right_to_review(staff: dict[int, dict[str, list[User]]], *, now: datetime) -> None:
    """Two Victims' Right to Review requests: one decided (upheld), one waiting to be acknowledged.

    Each on a worked crime closed with outcome 21 by one supervisor; the decided one reviewed
    by another. Needs two supervisors; only the first run adds them.
    """
    from .models import ReviewRequest

    if ReviewRequest.objects.exists():
        return
    supervisors = list(dict.fromkeys(user for people in staff.values() for user in people["supervisor"]))
    if len(supervisors) < 2:
        return
    closer, reviewer = supervisors[:2]
    crimes = list(Crime.objects.filter(investigation__state=InvestigationState.ALLOCATED, victim__isnull=False)
                  .order_by("id")[:2])
    today = timezone.localdate(now)
    for n, crime in enumerate(crimes):
        decided = n == 0
        services.close_crime(crime=crime, actor=closer, outcome=21)
        Crime.objects.filter(pk=crime.pk).update(closed_at=now - timedelta(days=40 if decided else 12))
        crime.refresh_from_db()
        request = services.record_review_request(
            crime=crime, actor=closer, requested_on=today - timedelta(days=35 if decided else 4),
            channel="phone" if decided else "email",
            victim_reasons=("The neighbour saw the car and was never asked." if decided
                            else "The shop said it had CCTV; I do not think it was collected."),
        )
        if decided:
            services.acknowledge_review_request(request=request, actor=closer)
            services.decide_review_request(
                request=request, actor=reviewer, result="upheld",
                reasons="The neighbour was spoken to; they could not describe the driver or the number plate.",
            )


def routed_or_resolvable(now: datetime):
    """The demo's open crimes that the resolution centres work: routed there, or ungraded grade-4 history."""
    return (
        Crime.objects.filter(status__in=(CrimeStatus.RECORDED, CrimeStatus.UNDER_INVESTIGATION),
                             reported_at__lte=now, investigation__isnull=True)
        .filter(contact__route__in=(Route.RESOLUTION_CENTRE, ""))
        .exclude(contact__grade__in=(1, 2, 3))
        .select_related("contact__incident_type", "classification", "victim")
        .order_by("reported_at", "id")
    )


def seed_demo_investigations(*, seed: int, now: datetime | None = None) -> SeededInvestigations:
    """Fill the resolution queues and give older crimes an investigation's history; running again adds nothing."""
    from audit.models import AuditEntry

    now = now or timezone.now()
    before = AuditEntry.objects.count()
    staff = _teams_and_staff()
    teams = list(Team.objects.filter(pk__in=staff).order_by("name"))
    if not teams:
        return SeededInvestigations(0, 0, 0)
    system = None  # the seed acts as the system; entries carry ACTOR_LABEL through the audit context
    queued = allocated = 0
    for crime in routed_or_resolvable(now):
        rng = np.random.default_rng([seed, crime.pk])
        team = teams[int(rng.integers(len(teams)))]
        with transaction.atomic():
            inv = services.queue_for_resolution(crime=crime, actor=system, team=team)
            queued += 1
            age = now - crime.reported_at
            draw = rng.random()
            if staff[team.pk]["resolution-investigator"] and (
                age > RECENT or (age > timedelta(days=2) and draw < ALLOCATED_SHARE)
            ):
                _work(crime, inv, rng, staff=staff[team.pk], now=now)
                allocated += 1
            else:
                Investigation.objects.filter(pk=inv.pk).update(queued_at=crime.recorded_at or crime.reported_at)
    with transaction.atomic():
        _right_to_review(staff, now=now)
    return SeededInvestigations(queued, allocated, AuditEntry.objects.count() - before)
