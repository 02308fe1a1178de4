"""Crime records for the demo force: most historic contacts that report a crime get one.

The plan for each contact (recorded or not, how long recording took, checked, closed
with which outcome, cancelled) is drawn by ``plan_crime`` from a seeded generator, with
no database; ``seed_demo_crimes`` loads the contacts, plans, and inserts the rows with
their audit entries in one transaction. Shares are the project's own, chosen so the
bureau's queue and the compliance report have something to show: about 80% recorded
at first contact, 15% later the same day, 5% after the 24-hour limit; in the last five
days the bureau is behind (half wait 8 to 96 hours), so some crimes wait on or past their clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from audit.models import Action
from audit.services import PendingEntry, append_entries
from contacts.models import Contact, ContactPerson, IncidentCategory, PersonRole

from .models import (
    CancellationCode,
    Crime,
    CrimeStatus,
    HomeOfficeClassification,
    OutcomeType,
    crime_reference,
)
from .services import hocr_version

ACTOR_LABEL = "system: seed_crimes"
BATCH_SIZE = 5_000
BUREAU_BEHIND = timedelta(days=5)
PENDING_CANCELLATIONS = timedelta(days=14)  # open crimes this recent sometimes have a cancellation waiting
RECORDED_SHARE = 0.9  # the rest stay crime-related incidents that never met the recording standard

# Outcome types and their weights for closed demo crimes (volume crime is mostly 18, 14 and 16).
OUTCOME_WEIGHTS = {18: 40, 14: 12, 16: 14, 15: 6, 1: 8, 8: 5, 3: 2, 2: 1, 20: 4, 21: 4, 22: 2, 10: 1, 6: 1}
C_CODE_WEIGHTS = {"C1": 5, "C2": 50, "C3": 30, "C4": 15}
CANCELLATION_REASONS = {
    "C1": "Enquiries show the offence took place in a neighbouring force's area; transferred.",
    "C2": "The reporting person found the property; no offence took place.",
    "C3": "Already recorded under an earlier report of the same incident.",
    "C4": "Recorded against the wrong contact by mistake.",
}


@dataclass(frozen=True)
class CrimePlan:
    """What the demo says happened to one reported crime."""

    classification: int
    recorded_at: datetime | None
    checked_at: datetime | None
    status: str
    outcome: int | None = None
    closed_at: datetime | None = None
    victim_decision: str = ""
    c_code: str = ""
    cancellation_requested_at: datetime | None = None
    cancelled_at: datetime | None = None


def _pick(rng: np.random.Generator, weights: dict) -> object:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _between(rng: np.random.Generator, start: datetime, low: timedelta, high: timedelta) -> datetime:
    return start + low + (high - low) * float(rng.random())


def plan_crime(
    rng: np.random.Generator, *, received_at: datetime, now: datetime, candidates: list[int]
) -> CrimePlan | None:
    """Draw one contact's crime record, or None when the report never became a crime."""
    if not candidates or rng.random() >= RECORDED_SHARE:
        return None
    # The suggested classification three times in four; otherwise another in the same published category.
    classification = candidates[0] if len(candidates) == 1 or rng.random() < 0.75 else int(rng.choice(candidates[1:]))
    speed = rng.random()
    age = now - received_at
    # The last few days stand for a bureau that is behind, so the demo's queue has clocks running and overdue.
    behind = age < BUREAU_BEHIND
    at_first_contact = speed < (0.5 if behind else 0.80)
    if at_first_contact:
        recorded = _between(rng, received_at, timedelta(minutes=1), timedelta(minutes=40))
    elif behind:
        recorded = _between(rng, received_at, timedelta(hours=8), timedelta(hours=96))
    elif speed < 0.95:
        recorded = _between(rng, received_at, timedelta(hours=1), timedelta(hours=23, minutes=50))
    else:
        recorded = _between(rng, received_at, timedelta(hours=24, minutes=10), timedelta(hours=96))
    if recorded > now:
        return CrimePlan(classification=classification, recorded_at=None, checked_at=None,
                         status=CrimeStatus.AWAITING_RECORDING)
    checked = (
        _between(rng, recorded, timedelta(hours=2), timedelta(hours=120 if behind else 72))
        if at_first_contact else recorded
    )
    checked = checked if checked <= now else None
    status = CrimeStatus.UNDER_INVESTIGATION if age > timedelta(days=2) else CrimeStatus.RECORDED
    roll = rng.random()
    if age < PENDING_CANCELLATIONS and roll < 0.08:
        c_code = str(_pick(rng, C_CODE_WEIGHTS))
        asked = min(_between(rng, recorded, timedelta(hours=1), timedelta(days=3)), now)
        return CrimePlan(classification, recorded, checked, status, c_code=c_code, cancellation_requested_at=asked)
    if roll < 0.025:
        c_code = str(_pick(rng, C_CODE_WEIGHTS))
        asked = _between(rng, recorded, timedelta(hours=1), timedelta(days=10))
        decided = _between(rng, asked, timedelta(hours=1), timedelta(days=3))
        if decided > now:
            return CrimePlan(classification, recorded, checked, status, c_code=c_code,
                             cancellation_requested_at=min(asked, now))
        return CrimePlan(classification, recorded, checked, CrimeStatus.CANCELLED, c_code=c_code,
                         cancellation_requested_at=asked, cancelled_at=decided)
    closing_share = 0.85 * min(1.0, age / timedelta(days=45))
    if roll < 0.025 + closing_share:
        closed = _between(rng, recorded, timedelta(days=1), max(age, timedelta(days=1)))
        if closed <= now:
            outcome = int(_pick(rng, OUTCOME_WEIGHTS))
            decision = {15: "supports", 16: str(rng.choice(["does_not_support", "withdraws"]))}.get(outcome, "")
            return CrimePlan(classification, recorded, checked or closed, CrimeStatus.CLOSED, outcome=outcome,
                             closed_at=closed, victim_decision=decision)
    return CrimePlan(classification, recorded, checked, status)


def _candidates_by_incident_type() -> dict[int, list[int]]:
    """For each crime incident type: its suggested classification first, then the others it is published with."""
    classifications = list(HomeOfficeClassification.objects.filter(active=True).order_by("code"))
    by_type: dict[int, list[int]] = {}
    for suggested in classifications:
        if suggested.suggested_for_id is None:
            continue
        others = [c.pk for c in classifications
                  if c.police_uk_category == suggested.police_uk_category and c.pk != suggested.pk]
        by_type.setdefault(suggested.suggested_for_id, [suggested.pk, *others])
    return by_type


@dataclass
class SeededCrimes:
    crimes: int
    awaiting: int
    closed: int
    cancelled: int
    audit_entries: int


@transaction.atomic
def seed_demo_crimes(*, seed: int, now: datetime | None = None) -> SeededCrimes:
    """Give crime records to the demo's crime-reporting contacts that have none; running again adds nothing."""
    now = now or timezone.now()
    candidates = _candidates_by_incident_type()
    outcomes = dict(OutcomeType.objects.values_list("number", "pk"))
    c_codes = dict(CancellationCode.objects.values_list("code", "pk"))
    contacts = list(
        Contact.objects.filter(incident_type__category=IncidentCategory.CRIME, crimes__isnull=True)
        .order_by("id")
        .values_list("id", "received_at", "incident_type_id", "address_id", "location_text", "latitude",
                     "longitude", "summary")
    )
    victims: dict[int, int] = {}
    for contact_id, person_id in (
        ContactPerson.objects.filter(role=PersonRole.VICTIM, contact_id__in=[c[0] for c in contacts])
        .order_by("-id").values_list("contact_id", "person_id")
    ):
        victims[contact_id] = person_id  # ordered newest first, so the first-named victim wins
    next_id = (Crime.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    version = hocr_version()
    stamp = connection.ops.adapt_datetimefield_value
    rows: list[tuple] = []
    entries: list[PendingEntry] = []
    counts = {"awaiting": 0, "closed": 0, "cancelled": 0}
    for contact_id, received, type_id, address_id, location, lat, lon, summary in contacts:
        # One generator per contact: the same contact gets the same plan on every run, so a contact left
        # without a crime the first time is left without one again, and a rerun adds nothing.
        rng = np.random.default_rng([seed, contact_id])
        plan = plan_crime(rng, received_at=received, now=now, candidates=candidates.get(type_id, []))
        if plan is None:
            continue
        pk = next_id + len(rows)
        waiting = plan.status == CrimeStatus.AWAITING_RECORDING
        counts["awaiting"] += waiting
        counts["closed"] += plan.status == CrimeStatus.CLOSED
        counts["cancelled"] += plan.status == CrimeStatus.CANCELLED
        victim = victims.get(contact_id)
        rows.append((
            pk, crime_reference(pk), contact_id, None if waiting else plan.classification,
            "" if waiting else version, stamp(plan.checked_at), plan.status, stamp(received),
            stamp(plan.recorded_at), victim, address_id, location, lat, lon, summary, plan.victim_decision,
            stamp(plan.closed_at - timedelta(days=1)) if plan.victim_decision else None,
            outcomes.get(plan.outcome), stamp(plan.closed_at), c_codes.get(plan.c_code),
            CANCELLATION_REASONS.get(plan.c_code, ""), stamp(plan.cancellation_requested_at),
            stamp(plan.cancelled_at), stamp(received),
        ))
        detail = {"source": "seed_crimes", "seed": seed, "reference": crime_reference(pk)}
        entries.append(PendingEntry(action=Action.COLLECTION, subject_type="cases.crime", subject_id=str(pk),
                                    person_id=str(victim or ""), actor_label=ACTOR_LABEL,
                                    detail={**detail, "event": "recorded"}))
        if plan.status in (CrimeStatus.CLOSED, CrimeStatus.CANCELLED):
            entries.append(PendingEntry(action=Action.ALTERATION, subject_type="cases.crime", subject_id=str(pk),
                                        person_id=str(victim or ""), actor_label=ACTOR_LABEL,
                                        detail={**detail, "event": str(plan.status)}))
    _insert(rows)
    logged = append_entries(entries, batch_size=BATCH_SIZE, chain_now=True)
    return SeededCrimes(len(rows), counts["awaiting"], counts["closed"], counts["cancelled"], logged)


COLUMNS = [
    "id", "reference", "contact", "classification", "hocr_version", "classification_checked_at", "status",
    "reported_at", "recorded_at", "victim", "address", "location_text", "latitude", "longitude", "summary",
    "victim_decision", "victim_decision_recorded_at", "outcome", "closed_at", "cancellation_code",
    "cancellation_reason", "cancellation_requested_at", "cancelled_at", "created_at",
]


def _batches(rows: list[tuple]) -> Iterator[list[tuple]]:
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start:start + BATCH_SIZE]


def _insert(rows: list[tuple]) -> None:
    # Plain executemany: the ORM's per-value compile dominates at the benchmark scale (see the demo force docs).
    ops = connection.ops
    table = ops.quote_name(Crime._meta.db_table)
    names = ", ".join(ops.quote_name(Crime._meta.get_field(c).column) for c in COLUMNS)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"  # noqa: S608
    with connection.cursor() as cursor:
        for batch in _batches(rows):
            cursor.executemany(sql, batch)
        for statement in ops.sequence_reset_sql(no_style(), [Crime]):
            cursor.execute(statement)
