"""Reads for the public pages and for investigators: a report's progress, business accounts, possible series."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.models import Action
from audit.services import record_entry

from .models import BusinessAccount, OnlineReport, SeriesLink

# The crime's status (cases.CrimeStatus values) in the words a reporter reads.
CRIME_STATUS_WORDS = {
    "awaiting": "We are recording your report as a crime.",
    "recorded": "Your report has been recorded as a crime. It is waiting to be given to an investigator.",
    "investigating": "An investigator is looking into your report.",
    "closed": "The investigation has finished.",
    "cancelled": "After checking the facts, we have decided this is not a crime we need to record.",
}
ROUTE_WORDS = {
    "dispatch": "An officer has been sent.",
    "appointment": "We will contact you to arrange a time to meet an officer.",
    "resolution_centre": "Our resolution centre will look into your report and contact you.",
    "advice": "We have decided what advice to give you.",
    "signpost": "Another organisation is better placed to help you; we will tell you who.",
    "other_force": "We have passed your report to the police force for the area where it happened.",
}
RECEIVED_WORDS = "We have received your report. An officer will read it and decide what we will do."


@dataclass
class Update:
    on: datetime
    text: str


@dataclass
class Progress:
    """What a reporter sees about their own report."""

    reference: str
    kind: str
    received_at: datetime
    status: str
    crime_reference: str = ""
    outcome: str = ""
    updates: list[Update] = field(default_factory=list)
    next_update_due: date | None = None
    closed: bool = False


def _crime_for(report: OnlineReport):
    from cases.selectors import crime_by_reference

    reference = report.contact.crimes.order_by("pk").values_list("reference", flat=True).first()
    return crime_by_reference(reference) if reference else None


def _victim_updates(crime) -> list[Update]:
    """The updates the investigator sent the victim, when the crime record keeps them."""
    manager = getattr(crime, "victim_updates", None)
    if manager is None:
        return []
    updates = []
    for row in manager.all():
        when = getattr(row, "sent_at", None) or getattr(row, "recorded_at", None) or getattr(row, "created_at", None)
        text = getattr(row, "message", None) or getattr(row, "summary", None) or getattr(row, "text", "")
        if when is not None and text:
            updates.append(Update(on=when, text=str(text)))
    return sorted(updates, key=lambda u: u.on, reverse=True)


# Victims' Code Right 6: a decision is told within 5 working days. Until the investigator
# agrees an update plan with the victim, that is the promise the reporter is given.
FIRST_UPDATE_WORKING_DAYS = 5


def _next_update_due(contact, crime) -> date:
    """The investigation's agreed next update, else its victim-contact date, else 5 working days from the report."""
    from cases.rules import add_working_days

    investigation = getattr(crime, "investigation", None) if crime is not None else None
    if investigation is not None:
        due = investigation.next_update_due_on or (
            None if investigation.first_contacted_at else investigation.contact_due_on)
        if due is not None:
            return due
    return add_working_days(timezone.localtime(contact.received_at).date(), FIRST_UPDATE_WORKING_DAYS)


@transaction.atomic
def report_progress(*, report: OnlineReport, actor) -> Progress:
    """The progress of a report in plain words, for the reporter who proved it is theirs; logged as a consultation."""
    contact = report.contact
    crime = _crime_for(report)
    progress = Progress(reference=contact.reference, kind=report.get_kind_display(), received_at=contact.received_at,
                        status=RECEIVED_WORDS)
    outcome = getattr(contact, "outcome", None) if hasattr(contact, "outcome") else None
    if crime is not None:
        progress.crime_reference = crime.reference
        progress.status = CRIME_STATUS_WORDS.get(crime.status, RECEIVED_WORDS)
        investigation = getattr(crime, "investigation", None) if hasattr(crime, "investigation") else None
        if crime.status == "investigating" and investigation is not None and investigation.state == "queued":
            progress.status = "Your report is waiting for an investigator in our resolution centre."
        progress.updates = _victim_updates(crime)
        if crime.outcome_id:
            progress.outcome = crime.outcome.name
        progress.closed = crime.status in ("closed", "cancelled")
    elif outcome is not None:
        progress.status = "We have finished dealing with your report."
        progress.outcome = outcome.get_kind_display()
        progress.closed = True
    elif contact.route:
        progress.status = ROUTE_WORDS.get(contact.route, RECEIVED_WORDS)
    progress.next_update_due = None if progress.closed else _next_update_due(contact, crime)
    record_entry(actor=actor, action=Action.CONSULTATION, subject_type="public.onlinereport", subject_id=str(report.pk),
                 person_id=str(report.reporter_id or ""), reason="The reporter checked the progress of their own report",
                 detail={"contact": contact.reference})
    return progress


def business_accounts() -> QuerySet[BusinessAccount]:
    """Every registered business with its sites and staff, for staff who manage business accounts."""
    return BusinessAccount.objects.prefetch_related("sites", "users").order_by("name")


def possible_series(*, limit: int = 200) -> list[SeriesLink]:
    """Pairs of business reports that may be one offender's work, newest first, for investigators."""
    return list(
        SeriesLink.objects.select_related(
            "earlier__contact", "later__contact", "earlier__site__account", "later__site__account"
        )[:limit]
    )
