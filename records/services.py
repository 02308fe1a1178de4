"""Records-management actions of the data protection officer: queue due records, decide each review,
dispose of a record through the app that owns it, and keep the register of subject access requests.

Every action runs in one transaction. Disposal erases through the owning app's ``erase_*`` service,
which writes the ``erasure`` audit entry (metadata only, DPA 2018 s.62); the decision is recorded here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record_entry

from . import finder, rules
from .models import (
    Decision,
    RecordKind,
    RequestStatus,
    RetentionDecision,
    RetentionReview,
    ReviewStatus,
    SubjectAccessRequest,
)

REVIEW_PERMISSION = "accounts.review_retention"
SAR_PERMISSION = "accounts.handle_subject_access"
NO_PERMISSION = "You do not have permission to do this."
REASON_MAX = 500
REASON_REQUIRED = "Enter the reason for your decision"
NEXT_REVIEW_REQUIRED = "Enter the date of the next review"
NEXT_REVIEW_IN_FUTURE = "The date of the next review must be in the future"
NEXT_REVIEW_TOO_FAR = "The date of the next review must be within 10 years"
ALREADY_DECIDED = "This record has already been decided; it is no longer due for review"
OPEN_REQUEST = "This person has an open subject access request: their record cannot be disposed of until it is answered"
RECEIVED_IN_FUTURE = "The date received must be today or in the past"
REPORT_NOT_CLOSED = "Online report {reference} is no longer closed (a crime from it is open again): it cannot be disposed of"
EXHIBIT_NOT_NFA = ("The crime {reference} is no longer closed with no further action: its exhibit cannot be "
                   "destroyed")
STATEMENT_NOT_NFA = ("The crime {reference} is no longer closed with no further action: its statement cannot be "
                     "erased")
FILE_NOT_REPORT = ("Contact {reference} is no longer a closed report without a crime (it was reopened, or a crime "
                   "was recorded from it): its file cannot be destroyed")


def _require(actor: Any, permission: str) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_perm(permission):
        raise PermissionDenied(NO_PERMISSION)


# --- the review queue ------------------------------------------------------------------------------

def find_due_records(*, today: date | None = None, dry_run: bool = False,
                     progress: Callable[[Iterable[finder.DueRecord]], Iterable[finder.DueRecord]] | None = None,
                     batch_size: int = 1000) -> Counter:
    """Put every record that reached its review date into the queue; counts of those queued, by rule code.

    A record already waiting, or disposed of, is left alone; a retained record comes back only on
    its next review date. ``dry_run`` counts without writing. Safe to run again: the queue holds one
    row per record (a unique constraint), so a second run the same day adds nothing. Records are
    handled in batches: one query reads the batch's earlier reviews, one insert adds the new ones.
    """
    today = today or timezone.localdate()
    found: Counter = Counter()
    due = finder.due_records(today)
    batch: list[finder.DueRecord] = []
    for record in progress(due) if progress else due:
        batch.append(record)
        if len(batch) >= batch_size:
            _queue_batch(batch, today=today, dry_run=dry_run, found=found)
            batch = []
    if batch:
        _queue_batch(batch, today=today, dry_run=dry_run, found=found)
    return +found


def _queue_batch(batch: list[finder.DueRecord], *, today: date, dry_run: bool, found: Counter) -> None:
    kind = {record.kind for record in batch}
    existing = {
        (review.record_kind, review.record_id): review
        for review in RetentionReview.objects.filter(
            record_kind__in=kind, record_id__in=[record.record_id for record in batch])
    }
    new: list[RetentionReview] = []
    returning: list[tuple[RetentionReview, finder.DueRecord]] = []
    for record in batch:
        earlier = existing.get((record.kind, record.record_id))
        if earlier is None:
            new.append(RetentionReview(
                record_kind=record.kind, record_id=record.record_id, record_reference=record.reference,
                rule=record.rule, basis_date=record.basis_date, due_on=record.due_on,
            ))
        elif earlier.status == ReviewStatus.RETAINED and earlier.next_review_on and earlier.next_review_on <= today:
            returning.append((earlier, record))
        else:
            continue  # waiting already, disposed of, or retained until a later date
        found[record.rule.code] += 1
    if dry_run:
        return
    with transaction.atomic():
        # ignore_conflicts: a record another run queued a moment ago stays queued once.
        RetentionReview.objects.bulk_create(new, ignore_conflicts=True)
        for earlier, record in returning:
            # A retained record whose next review has come: due again, from that date.
            RetentionReview.objects.filter(pk=earlier.pk, status=ReviewStatus.RETAINED).update(
                status=ReviewStatus.DUE, rule=record.rule, basis_date=record.basis_date,
                due_on=earlier.next_review_on, next_review_on=None, found_at=timezone.now(),
            )


def _erase(review: RetentionReview, *, actor: Any, reason: str) -> dict[str, int]:
    """Erase the record through the service of the app that owns it."""
    detail = {"rule": review.rule.code, "retention_review": review.pk}
    text = f"Retention review: disposal under rule {review.rule.code}. {reason}"[:REASON_MAX]
    if review.record_kind == RecordKind.PERSON:
        from people.models import Person
        from people.services import erase_person

        if SubjectAccessRequest.objects.filter(person_id=review.record_id, status=RequestStatus.OPEN).exists():
            raise ValidationError({"decision": OPEN_REQUEST})
        return erase_person(actor=actor, person=Person.objects.get(pk=review.record_id), reason=text, detail=detail)
    if review.record_kind == RecordKind.CONTACT:
        from contacts.models import Contact
        from contacts.services import erase_contact

        return erase_contact(actor=actor, contact=Contact.objects.get(pk=review.record_id), reason=text, detail=detail)
    if review.record_kind == RecordKind.CHAT:
        from chat.models import Chat
        from chat.services import erase_chat

        return erase_chat(actor=actor, chat=Chat.objects.get(pk=review.record_id), reason=text, detail=detail)
    if review.record_kind == RecordKind.MESSAGE:
        from notifications.models import Message
        from notifications.services import erase_message

        return erase_message(actor=actor, message=Message.objects.get(pk=review.record_id), reason=text, detail=detail)
    if review.record_kind == RecordKind.REPORT:
        from public.models import OnlineReport
        from public.services import erase_online_report

        # Checked again now: a crime reopened since the report was queued keeps it.
        if not finder.closed_reports().filter(pk=review.record_id).exists():
            raise ValidationError({"decision": REPORT_NOT_CLOSED.format(reference=review.record_reference)})
        return erase_online_report(actor=actor, report=OnlineReport.objects.get(pk=review.record_id), reason=text,
                                   detail=detail)
    if review.record_kind == RecordKind.EXHIBIT:
        from evidence.models import Exhibit
        from evidence.services import destroy_exhibit

        exhibit = Exhibit.objects.select_related("crime", "contact").get(pk=review.record_id)
        # Checked again now, under the rule it was queued by: a crime reopened (or recorded) since keeps it.
        if review.rule.code == finder.REPORT_FILES_RULE:
            if exhibit.destroyed_at is None and not finder.report_files().filter(pk=exhibit.pk).exists():
                raise ValidationError({"decision": FILE_NOT_REPORT.format(reference=exhibit.contact.reference
                                                                           if exhibit.contact else review.record_reference)})
        elif exhibit.destroyed_at is None and not finder.nfa_exhibits().filter(pk=exhibit.pk).exists():
            raise ValidationError({"decision": EXHIBIT_NOT_NFA.format(
                reference=exhibit.crime.reference if exhibit.crime else review.record_reference)})
        # The data protection officer deciding is the one who authorises the destruction.
        event = destroy_exhibit(exhibit=exhibit, actor=actor, authorised_by=actor, reason=text, **detail)
        return {"destroyed": 1 if event is not None else 0}
    if review.record_kind == RecordKind.STATEMENT:
        from evidence.models import Statement
        from evidence.services import erase_statement

        statement = Statement.objects.select_related("crime").get(pk=review.record_id)
        if statement.erased_at is None and not finder.nfa_statements().filter(pk=statement.pk).exists():
            raise ValidationError({"decision": STATEMENT_NOT_NFA.format(reference=statement.crime.reference)})
        return erase_statement(actor=actor, statement=statement, reason=text, detail=detail)
    raise ValueError(f"Unknown record kind {review.record_kind!r}")


def _check_decision(decision: str, reason: str, next_review_on: date | None, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = "Choose whether to retain or dispose of the record"
    if not reason.strip():
        errors["reason"] = REASON_REQUIRED
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"Reason must be {REASON_MAX} characters or fewer"
    if decision == Decision.RETAIN:
        if next_review_on is None:
            errors["next_review_on"] = NEXT_REVIEW_REQUIRED
        elif next_review_on <= today:
            errors["next_review_on"] = NEXT_REVIEW_IN_FUTURE
        elif next_review_on > rules.add_years(today, 10):
            errors["next_review_on"] = NEXT_REVIEW_TOO_FAR
    return errors


@transaction.atomic
def decide_review(*, actor: Any, review_id: int, decision: str, reason: str, next_review_on: date | None = None,
                  form_token: str | None = None) -> RetentionDecision:
    """Record the data protection officer's decision on a record due for review, and carry it out.

    Retain: the reason and the next review date are recorded and the record leaves the queue until
    then (APP: retain decisions are recorded). Dispose: the owning app erases the personal data and
    logs the erasure. The same form sent twice returns the first decision; a review already decided
    (by anyone) is refused, so a record is never disposed of twice.
    """
    _require(actor, REVIEW_PERMISSION)
    if form_token and (done := RetentionDecision.objects.filter(form_token=form_token).first()) is not None:
        return done
    reason = (reason or "").strip()
    today = timezone.localdate()
    errors = _check_decision(decision, reason, next_review_on, today)
    if errors:
        raise ValidationError(errors)
    # Lock the review row: two officers deciding the same record at once must not both act.
    review = RetentionReview.objects.select_for_update().select_related("rule").get(pk=review_id)
    if review.status != ReviewStatus.DUE:
        raise ValidationError({"decision": ALREADY_DECIDED})
    if decision == Decision.DISPOSE:
        _erase(review, actor=actor, reason=reason)
        review.status = ReviewStatus.DISPOSED
        review.next_review_on = None
    else:
        review.status = ReviewStatus.RETAINED
        review.next_review_on = next_review_on
    review.save(update_fields=["status", "next_review_on"])
    made = RetentionDecision.objects.create(
        review=review, decision=decision, reason=reason, next_review_on=next_review_on if decision == Decision.RETAIN
        else None, rule_code=review.rule.code, due_on=review.due_on, decided_by=actor, form_token=form_token or None,
    )
    if decision == Decision.RETAIN:
        # Retaining is a decision about the record, not a change to it; it is logged so the DPO's
        # reasons sit beside the record's other entries (APP: record retain decisions).
        record_entry(
            actor=actor, action=Action.CONSULTATION, subject_type=f"records.{review.record_kind}",
            subject_id=review.record_id, person_id=review.record_id if review.record_kind == RecordKind.PERSON else None,
            reason=f"Retention review: retained under rule {review.rule.code}",
            detail={"decision": "retain", "next_review_on": next_review_on.isoformat(), "retention_review": review.pk},
        )
    return made


# --- subject access requests (DPA 2018 s.45) ---------------------------------------------------------

@transaction.atomic
def record_subject_access_request(*, actor: Any, person: Any, received_on: date, notes: str = "",
                                  form_token: str | None = None) -> SubjectAccessRequest:
    """Put a subject access request on the register, due one month after it was received.

    The same form sent twice returns the request the first one made.
    """
    _require(actor, SAR_PERMISSION)
    if form_token and (done := SubjectAccessRequest.objects.filter(form_token=form_token).first()) is not None:
        return done
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": RECEIVED_IN_FUTURE})
    if len(notes) > 1000:
        raise ValidationError({"notes": "Notes must be 1000 characters or fewer"})
    request = SubjectAccessRequest.objects.create(
        person=person, received_on=received_on, due_on=rules.one_month_after(received_on), notes=notes.strip(),
        recorded_by=actor, form_token=form_token or None,
    )
    request.reference = f"SAR{request.pk:06d}"
    request.save(update_fields=["reference"])
    record_entry(
        actor=actor, action=Action.COLLECTION, subject_type="records.subjectaccessrequest", subject_id=request.pk,
        person_id=person.pk, detail={"received_on": received_on.isoformat()},
    )
    return request


@transaction.atomic
def record_pack_disclosure(*, actor: Any, request: SubjectAccessRequest, sections: dict[str, int]) -> None:
    """Log the disclosure pack as a disclosure to the data subject, and mark the request answered.

    DPA 2018 s.62: a disclosure names its recipients (here the data subject) and its justification.
    ``sections`` are the counts of what the pack holds, never its content.
    """
    _require(actor, SAR_PERMISSION)
    locked = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    locked.status = RequestStatus.COMPLETED
    locked.pack_produced_at = timezone.now()
    locked.pack_produced_by = actor
    locked.save(update_fields=["status", "pack_produced_at", "pack_produced_by"])
    record_entry(
        actor=actor, action=Action.DISCLOSURE, subject_type="people.person", subject_id=locked.person_id,
        person_id=locked.person_id, reason=f"Subject access request {locked.reference} (DPA 2018 s.45)",
        recipients=[f"the data subject ({locked.person.reference})"],
        detail={"request": locked.reference, "sections": sections},
    )
