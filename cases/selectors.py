"""Reads for the crime admin bureau: the queues, one crime, and the NCRS compliance figures.

The queues show crime references, offences, places and clocks, not the victim's
details, so working them is not a consultation of anyone's personal record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Team

from . import compliance
from .models import (
    OPEN_STATUSES,
    BureauTask,
    Crime,
    CrimeStatus,
    Decision,
    Investigation,
    InvestigationState,
    ReviewRequest,
    ReviewRequestStatus,
)
from .services import QUEUE_ORDER

QUEUE_PAGE = 50


def _with_related(queryset: QuerySet[Crime]) -> QuerySet[Crime]:
    return queryset.select_related("classification", "contact__incident_type", "cancellation_code")


def awaiting_recording() -> QuerySet[Crime]:
    """Crimes waiting for a classification, oldest report (nearest the 24-hour limit) first."""
    return _with_related(Crime.objects.filter(status=CrimeStatus.AWAITING_RECORDING)).order_by("reported_at", "id")


def awaiting_classification_check() -> QuerySet[Crime]:
    """Recorded crimes whose classification the bureau has not yet checked, oldest first."""
    return _with_related(
        Crime.objects.filter(
            status__in=(CrimeStatus.RECORDED, CrimeStatus.UNDER_INVESTIGATION), classification_checked_at__isnull=True
        )
    ).order_by("recorded_at", "id")


def cancellations_awaiting_approval() -> QuerySet[Crime]:
    """Open crimes with a cancellation asked for and not yet decided, oldest request first."""
    return _with_related(
        Crime.objects.filter(
            status__in=OPEN_STATUSES, cancellation_requested_at__isnull=False, cancelled_at__isnull=True
        ).select_related("cancellation_requested_by")
    ).order_by("cancellation_requested_at", "id")


def with_clocks(crimes, now: datetime) -> list[tuple[Crime, compliance.Clock]]:
    """Pair each crime with its recording clock at ``now``."""
    return [(crime, compliance.recording_clock(crime.reported_at, now)) for crime in crimes]


def crime_by_reference(reference: str) -> Crime | None:
    """One crime with what its bureau page shows, or None."""
    return (
        _with_related(Crime.objects.filter(reference=reference))
        .select_related("outcome", "classification_checked_by", "cancelled_by", "closed_by", "cancellation_requested_by")
        .first()
    )


def weekly_compliance(*, weeks: int = 12, now: datetime | None = None) -> list[compliance.WeekCompliance]:
    """NCRS compliance for the last ``weeks`` weeks; a crime cancelled before it was ever recorded is left out."""
    now = now or timezone.now()
    since = datetime.combine(
        compliance.week_start(now) - timedelta(weeks=weeks - 1), datetime.min.time(), tzinfo=compliance.LONDON
    )
    times = (
        Crime.objects.filter(reported_at__gte=since)
        .exclude(status=CrimeStatus.CANCELLED, recorded_at__isnull=True)
        .values_list("reported_at", "recorded_at")
    )
    return compliance.weekly_compliance(times.iterator(chunk_size=5000), now=now, weeks=weeks)


# --- Investigation (issue 6) -------------------------------------------------------------------------


def resolution_centres() -> QuerySet[Team]:
    """The active resolution centres, by name."""
    return Team.objects.filter(kind=Team.Kind.RESOLUTION_CENTRE, active=True).order_by("name")


def home_resolution_centre(user: Any) -> Team | None:
    """The user's own resolution centre, if they belong to one."""
    return user.teams.filter(kind=Team.Kind.RESOLUTION_CENTRE, active=True).order_by("name").first()


def resolution_queue(team: Team) -> QuerySet[Investigation]:
    """The crimes waiting in a resolution centre's queue, in the order they should be taken.

    Vulnerable victims first, then the victim-contact deadline (Victims' Code), then
    solvability (most factors first), then the time queued. One read of the partial
    index ``cases_inv_queue``; no person data is shown, so it is not a consultation.
    """
    return (
        Investigation.objects.filter(team=team, state=InvestigationState.QUEUED)
        .order_by(*QUEUE_ORDER)
        .select_related("crime__classification")
        .only(
            "id", "vulnerable", "contact_due_on", "solvability_score", "queued_at", "enhanced_rights_derived",
            "enhanced_rights_override", "team_id", "state",
            "crime__reference", "crime__reported_at", "crime__location_text",
            "crime__classification__code", "crime__classification__name",
        )
    )


@dataclass(frozen=True)
class Workload:
    """One investigator's open investigations and what is overdue on them."""

    investigator: Any
    open: int
    reviews_overdue: int
    updates_overdue: int
    not_contacted: int


def team_workload(team: Team, *, today: date | None = None) -> list[Workload]:
    """Each member of the team who can investigate, with their open investigations and what is overdue."""
    today = today or timezone.localdate()
    members = [
        user for user in team.members.filter(is_active=True).order_by("last_name", "first_name", "username")
        if user.has_perm("accounts.investigate_crimes")
    ]
    allocated = Investigation.objects.filter(state=InvestigationState.ALLOCATED, investigator__in=members)
    counts = {
        row["investigator"]: row
        for row in allocated.values("investigator").annotate(
            open=Count("id"),
            reviews_overdue=Count("id", filter=Q(next_review_due_on__lt=today)),
            updates_overdue=Count("id", filter=Q(next_update_due_on__lt=today)),
            not_contacted=Count("id", filter=Q(first_contacted_at__isnull=True)),
        )
    }
    return [
        Workload(user, counts.get(user.pk, {}).get("open", 0), counts.get(user.pk, {}).get("reviews_overdue", 0),
                 counts.get(user.pk, {}).get("updates_overdue", 0), counts.get(user.pk, {}).get("not_contacted", 0))
        for user in members
    ]


def allocatable_investigators(team: Team | None) -> list[Any]:
    """Who a supervisor may allocate to: active staff who can investigate, the team's own first."""
    from accounts.models import User

    users = [u for u in User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")
             .prefetch_related("groups__permissions", "user_permissions", "teams")
             if u.has_perm("accounts.investigate_crimes")]
    if team is None:
        return users
    return sorted(users, key=lambda u: team not in u.teams.all())


def my_investigations(user: Any) -> QuerySet[Investigation]:
    """The investigations allocated to ``user`` that are still open, soonest review first."""
    return (
        Investigation.objects.filter(investigator=user, state=InvestigationState.ALLOCATED)
        .select_related("crime__classification", "team")
        .order_by("next_review_due_on", "crime__reported_at")
    )


def overdue_reviews(*, today: date | None = None) -> QuerySet[Investigation]:
    """Open investigations whose supervisor review is overdue, oldest due first."""
    today = today or timezone.localdate()
    return (
        Investigation.objects.filter(state=InvestigationState.ALLOCATED, next_review_due_on__lt=today)
        .select_related("crime__classification", "investigator", "supervisor", "team")
        .order_by("next_review_due_on", "id")
    )


def overdue_reviews_by(*, today: date | None = None) -> dict[str, list[tuple[str, int]]]:
    """How many reviews are overdue for each supervisor and for each team (no supervisor yet counts as such)."""
    rows = overdue_reviews(today=today)
    by_supervisor = rows.values("supervisor__username", "supervisor__first_name", "supervisor__last_name").annotate(
        n=Count("id")).order_by("-n")
    by_team = rows.values("team__name").annotate(n=Count("id")).order_by("-n")
    return {
        "supervisor": [
            (f"{r['supervisor__first_name']} {r['supervisor__last_name']}".strip() or r["supervisor__username"]
             or "No supervisor yet", r["n"]) for r in by_supervisor
        ],
        "team": [(r["team__name"] or "Not in a resolution centre", r["n"]) for r in by_team],
    }


@dataclass(frozen=True)
class VictimsCodeDue:
    """What the Victims' Code dashboard lists: updates and key decisions, due soon and overdue."""

    updates_overdue: list[Investigation]
    updates_due: list[Investigation]
    decisions_overdue: list[Decision]
    decisions_due: list[Decision]
    no_plan: int


def victims_code_due(*, user: Any | None = None, today: date | None = None, within_days: int = 3) -> VictimsCodeDue:
    """Victim updates due within ``within_days`` or overdue, and key decisions not yet told; mine only if ``user``."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=within_days)
    inv = Investigation.objects.filter(state=InvestigationState.ALLOCATED).select_related(
        "crime__classification", "investigator")
    decisions = Decision.objects.filter(told_victim_at__isnull=True, tell_victim_by__isnull=False).exclude(
        crime__status__in=(CrimeStatus.CANCELLED,)).select_related("crime", "made_by")
    if user is not None:
        inv = inv.filter(investigator=user)
        decisions = decisions.filter(crime__investigation__investigator=user)
    return VictimsCodeDue(
        updates_overdue=list(inv.filter(next_update_due_on__lt=today).order_by("next_update_due_on")[:QUEUE_PAGE]),
        updates_due=list(inv.filter(next_update_due_on__gte=today, next_update_due_on__lte=soon)
                         .order_by("next_update_due_on")[:QUEUE_PAGE]),
        decisions_overdue=list(decisions.filter(tell_victim_by__lt=today).order_by("tell_victim_by")[:QUEUE_PAGE]),
        # Every key decision still to tell, not just the next few days': there are at most five working days to go.
        decisions_due=list(decisions.filter(tell_victim_by__gte=today).order_by("tell_victim_by")[:QUEUE_PAGE]),
        no_plan=inv.filter(update_plan_agreed_at__isnull=True).count(),
    )


def bureau_tasks(*, status: str | None = None) -> QuerySet[BureauTask]:
    """Tasks handed to the crime admin bureau, oldest first."""
    tasks = BureauTask.objects.select_related("crime", "requested_by", "taken_by").order_by("requested_at", "id")
    return tasks.filter(status=status) if status else tasks


@dataclass(frozen=True)
class TimelineEvent:
    """One thing that happened on a case: when, what, and who did it."""

    when: datetime
    what: str
    who: str
    kind: str


def _who(user: Any) -> str:
    if user is None:
        return "FirstContact"
    return user.get_full_name() or user.username


def case_timeline(crime: Crime) -> list[TimelineEvent]:
    """Everything that happened on a crime, oldest first: report, recording, allocation, contact, plan, reviews,
    decisions, updates, bureau tasks, closure and reopening.

    Built from the case's own records, not from the audit log, so it reads the same
    whoever asks; the evidential package uses it.
    """
    events = [TimelineEvent(crime.reported_at, "Reported", "the public", "reported")]
    if crime.recorded_at:
        label = crime.classification or "a classification"
        events.append(TimelineEvent(crime.recorded_at, f"Recorded as {label}", "", "recorded"))
    if crime.classification_checked_at:
        events.append(TimelineEvent(crime.classification_checked_at, "Classification checked by the bureau",
                                    _who(crime.classification_checked_by), "classification_checked"))
    inv = Investigation.objects.filter(crime=crime).select_related("team", "investigator", "allocated_by").first()
    if inv is not None:
        if inv.team_id:
            events.append(TimelineEvent(inv.queued_at, f"Queued at {inv.team}", "", "queued"))
        if inv.allocated_at:
            events.append(TimelineEvent(inv.allocated_at, f"Allocated to {_who(inv.investigator)}",
                                        _who(inv.allocated_by), "allocated"))
    for a in crime.contact_attempts.select_related("attempted_by"):
        events.append(TimelineEvent(a.attempted_at, f"Victim contact by {a.get_method_display().lower()}: "
                                    f"{a.get_result_display().lower()}", _who(a.attempted_by), "victim_contact"))
    for e in crime.enquiries.select_related("created_by"):
        events.append(TimelineEvent(e.created_at, f"Line of enquiry added: {e.title}", _who(e.created_by), "enquiry"))
        if e.finished_at:
            events.append(TimelineEvent(e.finished_at, f"Line of enquiry {e.get_status_display().lower()}: {e.title}",
                                        _who(e.owner), "enquiry_finished"))
    for s in crime.suspects.select_related("linked_by", "person"):
        events.append(TimelineEvent(s.linked_at, f"Suspect linked ({s.person.reference})", _who(s.linked_by),
                                    "suspect"))
    for d in crime.decisions.select_related("made_by"):
        events.append(TimelineEvent(d.made_at, f"{d.get_kind_display()}: {d.decision}", _who(d.made_by), "decision"))
    for r in crime.reviews.select_related("reviewed_by"):
        events.append(TimelineEvent(r.reviewed_at, f"Supervisor review ({r.get_kind_display().lower()}), quality "
                                    f"{r.get_quality_display().lower()}", _who(r.reviewed_by), "review"))
    for u in crime.victim_updates.select_related("sent_by"):
        events.append(TimelineEvent(u.sent_at, f"Victim updated by {u.get_channel_display().lower()}",
                                    _who(u.sent_by), "victim_update"))
    for t in crime.bureau_tasks.select_related("requested_by", "taken_by"):
        events.append(TimelineEvent(t.requested_at, f"Handed to the bureau: {t.get_kind_display()}",
                                    _who(t.requested_by), "bureau_task"))
        if t.completed_at:
            events.append(TimelineEvent(t.completed_at, f"Bureau task done: {t.get_kind_display()}", _who(t.taken_by),
                                        "bureau_task_done"))
    if crime.victim_decision_recorded_at:
        events.append(TimelineEvent(crime.victim_decision_recorded_at,
                                    f"Victim's decision recorded: {crime.get_victim_decision_display().lower()}", "",
                                    "victim_decision"))
    for o in crime.reopenings.select_related("reopened_by", "previous_outcome"):
        events.append(TimelineEvent(o.reopened_at, f"Reopened (was closed with outcome {o.previous_outcome.number}): "
                                    f"{o.reason}", _who(o.reopened_by), "reopened"))
    for v in crime.review_requests.select_related("recorded_by", "acknowledged_by", "reviewer"):
        online = v.channel == "online" and v.recorded_by is None
        events.append(TimelineEvent(v.recorded_at, "Victim asked for a review of the decision not to charge"
                                    + (" (online, from Track my report)" if online else ""),
                                    "The victim" if online else _who(v.recorded_by), "vrr_requested"))
        if v.acknowledged_at:
            events.append(TimelineEvent(v.acknowledged_at, "Request for a review acknowledged",
                                        _who(v.acknowledged_by), "vrr_acknowledged"))
        if v.decided_at:
            what = v.get_result_display() if v.result else "Request for a review refused as ineligible"
            events.append(TimelineEvent(v.decided_at, f"Right to review: {what}", _who(v.reviewer), "vrr_decided"))
    if crime.closed_at and crime.outcome_id:
        events.append(TimelineEvent(crime.closed_at, f"Closed with outcome {crime.outcome}", _who(crime.closed_by),
                                    "closed"))
    if crime.cancelled_at:
        events.append(TimelineEvent(crime.cancelled_at, f"Cancelled ({crime.cancellation_code})",
                                    _who(crime.cancelled_by), "cancelled"))
    return sorted(events, key=lambda event: event.when)


def crimes_with_victim(person_id: int) -> QuerySet[Crime]:
    """The crimes that name a person as their victim, newest report first, with their classifications.

    For the person index's record page, which logs the read of the person it is part of.
    """
    return Crime.objects.filter(victim_id=person_id).select_related("classification").order_by("-reported_at", "-id")


def open_review_requests() -> QuerySet[ReviewRequest]:
    """Victims' Right to Review requests waiting for acknowledgement or a decision, the soonest due first."""
    return (
        ReviewRequest.objects.filter(status__in=[ReviewRequestStatus.RECEIVED, ReviewRequestStatus.ACKNOWLEDGED])
        .select_related("crime", "outcome", "decision_made_by")
        .order_by("decide_by", "acknowledge_by", "id")
    )


def review_requests_for(crime: Crime) -> QuerySet[ReviewRequest]:
    """A crime's review requests, newest first."""
    return crime.review_requests.select_related("outcome", "recorded_by", "acknowledged_by", "reviewer",
                                                "decision_made_by")
