"""Duplicate persons: the job that finds them, the review queue, merge and undo.

Business actions (``find_duplicate_persons``, ``merge_persons``, ``undo_merge``, ``reject_duplicate``)
and the queue's reads live here, beside ``services.py`` rather than in it, because they form one
workflow over the whole index. Each action runs in one transaction with its audit entries.

DPA 2018 Part 3 s.62: combining two records is logged as a *combination* against both persons;
undoing it as an *alteration* of both; a reviewer looking at a pair is a *consultation*.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import Action
from audit.services import PendingEntry, append_entries, record_entry
from firstcontact.lazy import lazy_module

from .models import (
    DuplicateCandidate,
    DuplicateRun,
    DuplicateStatus,
    HouseholdMembership,
    NameKind,
    Person,
    PersonEmail,
    PersonIdentifier,
    PersonMerge,
    PersonName,
    PersonPhone,
)

# pandas and Splink are loaded when a duplicate run or a review first needs them (firstcontact/lazy.py).
pd = lazy_module("pandas")
linkage = lazy_module("people.linkage")

PERMISSION = "accounts.review_duplicates"
# The merge bookkeeping itself points at persons; it never moves with them.
_NOT_MOVED = (DuplicateCandidate, PersonMerge)


def _require(actor: Any) -> None:
    if actor is None or not actor.has_perm(PERMISSION):
        raise PermissionDenied("You do not have permission to review duplicate persons.")


def retired_person_ids() -> set[int]:
    """Persons merged into another and not restored: search and the queue leave them out."""
    return set(Person.objects.filter(merged_into__isnull=False).values_list("pk", flat=True))


# ---------------------------------------------------------------------------------------------
# The job


def index_frame(*, exclude: set[int] | None = None) -> pd.DataFrame:
    """Every person in the index as one row of the canonical linkage columns (current address)."""
    exclude = exclude or set()
    people = pd.DataFrame.from_records(
        Person.objects.exclude(pk__in=exclude).values_list(
            "pk", "given_name", "family_name", "date_of_birth", "gender", "phone_e164", "email"
        ),
        columns=["unique_id", "first_name", "surname", "dob", "gender", "phone", "email"],
    )
    if people.empty:
        return people
    people["gender"] = people["gender"].replace({"not_known": None})
    current = {}
    for person_id, postcode, street in HouseholdMembership.objects.filter(to_date__isnull=True).order_by(
        "person_id", "-from_date"
    ).values_list("person_id", "address__postcode", "address__street"):
        current.setdefault(person_id, (postcode, street))
    people["postcode"] = [current.get(pk, (None, None))[0] for pk in people["unique_id"]]
    people["street"] = [current.get(pk, (None, None))[1] for pk in people["unique_id"]]
    identifiers = {}
    for person_id, kind, value in PersonIdentifier.objects.order_by("person_id", "kind", "id").values_list(
        "person_id", "kind", "value"
    ):
        identifiers.setdefault(person_id, f"{kind}:{value}")
    people["identifier"] = [identifiers.get(pk) for pk in people["unique_id"]]
    return people


@dataclass
class FindResult:
    run: DuplicateRun
    queued: int
    updated: int


def find_duplicate_persons(
    *, review_probability: float | None = None, threads: int | None = None
) -> FindResult:
    """Train the linkage model on the index, score it, and queue every pair above the review threshold.

    Weights are learned afresh on each run (EM, never hand-set) and stored on the run. A pair already
    decided (merged or rejected) is not queued again; a pending pair gets the new score.
    """
    if review_probability is None:
        review_probability = linkage.REVIEW_PROBABILITY
    run = DuplicateRun.objects.create()
    started = time.perf_counter()
    frame = index_frame(exclude=retired_person_ids())
    queued = updated = 0
    pairs = pd.DataFrame()
    weights: dict[str, Any] = {}
    if len(frame) >= 2:
        result = linkage.link_records(linkage.prepare_records(frame), review_probability=review_probability,
                                      threads=threads)
        pairs, weights = result.pairs, result.weights
    with transaction.atomic():
        existing = {
            (a, b): (pk, status)
            for pk, a, b, status in DuplicateCandidate.objects.values_list("pk", "person_a_id", "person_b_id", "status")
        }
        new_rows = []
        for row in pairs.to_dict("records"):
            a, b = sorted((int(row["unique_id_l"]), int(row["unique_id_r"])))
            reasons = linkage.pair_reasons(row, weights)
            known = existing.get((a, b))
            if known is None:
                new_rows.append(DuplicateCandidate(
                    person_a_id=a, person_b_id=b, probability=float(row["match_probability"]),
                    match_weight=float(row["match_weight"]), reasons=reasons,
                ))
            elif known[1] == DuplicateStatus.PENDING:
                DuplicateCandidate.objects.filter(pk=known[0]).update(
                    probability=float(row["match_probability"]), match_weight=float(row["match_weight"]),
                    reasons=reasons,
                )
                updated += 1
        DuplicateCandidate.objects.bulk_create(new_rows)
        queued = len(new_rows)
        run.finished_at = timezone.now()
        run.persons, run.pairs_scored, run.queued, run.weights = len(frame), len(pairs), queued, weights
        run.save()
        # The job reads every person's identifying fields: one consultation entry for the run.
        record_entry(
            actor=None, actor_label="duplicate job", action=Action.CONSULTATION, subject_type="people.duplicaterun",
            subject_id=run.pk, reason="Scheduled search of the person index for duplicate records.",
            detail={"persons": len(frame), "queued": queued, "seconds": round(time.perf_counter() - started)},
        )
    from .selectors import forget_learned_weights

    forget_learned_weights()  # this process's searches score with the new weights at once
    return FindResult(run=run, queued=queued, updated=updated)


def latest_weights() -> dict[str, Any]:
    """The weights of the newest finished run: what the call-time scorer can read. Empty if none."""
    run = DuplicateRun.objects.filter(finished_at__isnull=False).exclude(weights={}).first()
    return run.weights if run else {}


# ---------------------------------------------------------------------------------------------
# The review queue


def review_queue(*, actor: Any, status: str = DuplicateStatus.PENDING) -> list[DuplicateCandidate]:
    """Pairs waiting for a decision, surest first, leaving out any whose record has been merged away."""
    _require(actor)
    retired = retired_person_ids()
    return list(
        DuplicateCandidate.objects.filter(status=status)
        .exclude(Q(person_a_id__in=retired) | Q(person_b_id__in=retired))
        .select_related("person_a", "person_b")
    )


@dataclass
class PairView:
    candidate: DuplicateCandidate
    left: Person
    right: Person
    left_addresses: list[str]
    right_addresses: list[str]
    left_links: int
    right_links: int


def open_pair(*, actor: Any, candidate_id: int, reason: str) -> PairView:
    """Both records of a pair side by side; a consultation of each person, logged with the reason."""
    _require(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why you are looking at these records."})
    try:
        candidate = DuplicateCandidate.objects.select_related("person_a", "person_b").get(pk=candidate_id)
    except DuplicateCandidate.DoesNotExist:
        raise PermissionDenied("No such pair in the queue.") from None
    with transaction.atomic():
        append_entries([
            PendingEntry(action=Action.CONSULTATION, subject_type="people.person", subject_id=str(p.pk),
                         actor=actor, person_id=str(p.pk), reason=reason,
                         detail={"duplicate_pair": candidate.pk})
            for p in (candidate.person_a, candidate.person_b)
        ])
    return PairView(
        candidate=candidate, left=candidate.person_a, right=candidate.person_b,
        left_addresses=_addresses(candidate.person_a), right_addresses=_addresses(candidate.person_b),
        left_links=_link_count(candidate.person_a), right_links=_link_count(candidate.person_b),
    )


def _addresses(person: Person) -> list[str]:
    return [
        f"{m.address}{'' if m.to_date is None else ' (until ' + m.to_date.isoformat() + ')'}"
        for m in person.memberships.select_related("address")
    ]


def _link_count(person: Person) -> int:
    """How many rows anywhere point at this person: what a merge would move."""
    total = 0
    for relation in _relations():
        total += relation.related_model._default_manager.filter(**{relation.field.name: person}).count()
    return total


def _relations():
    """Every foreign key to Person from any installed app (contacts, crimes, names, markers…)."""
    return [
        rel for rel in Person._meta.related_objects
        if (rel.one_to_many or rel.one_to_one) and rel.related_model not in _NOT_MOVED
        # A record merged away earlier stays retired into the record it was merged into.
        and rel.field is not Person._meta.get_field("merged_into")
    ]


# ---------------------------------------------------------------------------------------------
# Decisions


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for your decision, for example what confirms it."})
    return reason


@transaction.atomic
def merge_persons(
    *, actor: Any, survivor: Person, duplicate: Person, reason: str, candidate: DuplicateCandidate | None = None
) -> PersonMerge:
    """Fold one person record into another: every link moves to the survivor; the duplicate is retired.

    Rows that point at the duplicate (households, contacts, crimes, other names, phones, markers…)
    are re-pointed, one by one, and listed on the merge so ``undo_merge`` can put them back. A row the
    survivor already holds in the same form (a unique phone, say) stays where it is. The duplicate's
    own name, phone and e-mail are kept on the survivor as an alias and extra contact details.
    Logged as a combination against both persons.
    """
    _require(actor)
    reason = _check_reason(reason)
    if survivor.pk == duplicate.pk:
        raise ValidationError({"survivor": "Choose two different person records to merge."})
    retired = retired_person_ids()
    for field, person in (("survivor", survivor), ("duplicate", duplicate)):
        if person.pk in retired:
            raise ValidationError({field: f"{person.reference} has already been merged into another record."})
    # Lock both rows so two reviewers cannot merge the same pair in opposite directions at once.
    list(Person.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk]))

    moved: dict[str, list[int]] = {}
    for relation in _relations():
        model, field = relation.related_model, relation.field.name
        manager = model._default_manager
        ids = list(manager.filter(**{field: duplicate}).order_by("pk").values_list("pk", flat=True))
        done = []
        for pk in ids:
            try:
                with transaction.atomic():
                    manager.filter(pk=pk).update(**{field: survivor})
                done.append(pk)
            except IntegrityError:
                # The survivor already holds this row (same phone, same identifier…).
                continue
        if done:
            moved[f"{model._meta.label_lower}.{field}"] = done

    added: dict[str, list[int]] = {}
    from .services import search_columns

    if (duplicate.given_name.casefold(), duplicate.family_name.casefold()) != (
        survivor.given_name.casefold(), survivor.family_name.casefold()
    ):
        alias = PersonName.objects.create(
            person=survivor, kind=NameKind.ALIAS, given_name=duplicate.given_name, family_name=duplicate.family_name,
            **search_columns(duplicate.given_name, duplicate.family_name),
        )
        added.setdefault("people.personname", []).append(alias.pk)
    if duplicate.phone_e164 and duplicate.phone_e164 != survivor.phone_e164 and not survivor.phones.filter(
        number=duplicate.phone_e164
    ).exists():
        phone = PersonPhone.objects.create(person=survivor, number=duplicate.phone_e164)
        added.setdefault("people.personphone", []).append(phone.pk)
    if duplicate.email and duplicate.email.lower() != survivor.email.lower() and not survivor.emails.filter(
        address=duplicate.email.lower()
    ).exists():
        email = PersonEmail.objects.create(person=survivor, address=duplicate.email.lower())
        added.setdefault("people.personemail", []).append(email.pk)

    merge = PersonMerge.objects.create(
        survivor=survivor, duplicate=duplicate, candidate=candidate, moved=moved, added=added, reason=reason,
        merged_by=actor,
    )
    now = timezone.now()
    Person.objects.filter(pk=duplicate.pk).update(merged_into=survivor, updated_at=now)
    duplicate.merged_into = survivor
    if candidate is not None:
        DuplicateCandidate.objects.filter(pk=candidate.pk).update(
            status=DuplicateStatus.MERGED, decided_by=actor, decided_at=now, decision_reason=reason
        )
    detail = {
        "survivor": survivor.pk, "duplicate": duplicate.pk, "merge": merge.pk,
        "moved": {key: len(ids) for key, ids in moved.items()},
    }
    append_entries([
        PendingEntry(action=Action.COMBINATION, subject_type="people.personmerge", subject_id=str(merge.pk),
                     actor=actor, person_id=str(person.pk), reason=reason, detail=detail)
        for person in (survivor, duplicate)
    ])
    return merge


@transaction.atomic
def undo_merge(*, actor: Any, merge: PersonMerge, reason: str) -> PersonMerge:
    """Put a merge back: every moved row returns to the duplicate, rows the merge added are removed.

    Rows added to the survivor after the merge stay with it (nobody can know whose they were).
    Logged as an alteration of both persons.
    """
    _require(actor)
    reason = _check_reason(reason)
    locked = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if locked.undone_at is not None:
        raise ValidationError({"merge": "This merge has already been undone."})
    returned: dict[str, int] = {}
    for key, ids in locked.moved.items():
        label, field = key.rsplit(".", 1)
        model = apps.get_model(label)
        returned[key] = model._default_manager.filter(pk__in=ids, **{field: locked.survivor_id}).update(
            **{field: locked.duplicate_id}
        )
    for label, ids in locked.added.items():
        apps.get_model(label)._default_manager.filter(pk__in=ids).delete()
    locked.undone_at, locked.undone_by = timezone.now(), actor
    locked.save(update_fields=["undone_at", "undone_by"])
    Person.objects.filter(pk=locked.duplicate_id).update(merged_into=None, updated_at=locked.undone_at)
    if locked.candidate_id:
        # Back in the queue as it was: the reviewer decides again with the records apart.
        DuplicateCandidate.objects.filter(pk=locked.candidate_id).update(
            status=DuplicateStatus.PENDING, decided_by=None, decided_at=None, decision_reason=""
        )
    detail = {"survivor": locked.survivor_id, "duplicate": locked.duplicate_id, "merge": locked.pk,
              "undone": True, "returned": returned}
    append_entries([
        PendingEntry(action=Action.ALTERATION, subject_type="people.personmerge", subject_id=str(locked.pk),
                     actor=actor, person_id=str(pid), reason=reason, detail=detail)
        for pid in (locked.survivor_id, locked.duplicate_id)
    ])
    return locked


@transaction.atomic
def reject_duplicate(*, actor: Any, candidate: DuplicateCandidate, reason: str) -> DuplicateCandidate:
    """Record that a pair are two different people: it leaves the queue and is not queued again."""
    _require(actor)
    reason = _check_reason(reason)
    if candidate.status != DuplicateStatus.PENDING:
        raise ValidationError({"candidate": "This pair has already been decided."})
    candidate.status, candidate.decided_by, candidate.decided_at = DuplicateStatus.REJECTED, actor, timezone.now()
    candidate.decision_reason = reason
    candidate.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    record_entry(
        actor=actor, action=Action.ALTERATION, subject_type="people.duplicatecandidate", subject_id=candidate.pk,
        person_id=candidate.person_a_id, reason=reason,
        detail={"decision": "not the same person", "other_person": candidate.person_b_id},
    )
    return candidate
