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
    review: ReviewOption | None = None


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
    progress.review = review_option(report=report, crime=crime)
    record_entry(actor=actor, action=Action.CONSULTATION, subject_type="public.onlinereport", subject_id=str(report.pk),
                 person_id=str(report.reporter_id or ""), reason="The reporter checked the progress of their own report",
                 detail={"contact": contact.reference})
    return progress


# --- the Victims' Right to Review, as the reporter reads it ---------------------------------------

CALL_101 = "call 101 and give your crime reference {reference}"
COMPLAIN = "If you are unhappy with how we dealt with your report, you can make a complaint: call 101 and ask how."
NEW_INFORMATION = "If you learn something new that could help, " + CALL_101 + ", and we will look at it."
REVIEW_NOT_POLICE_NO_CHARGE = {
    # Home Office outcome numbers -> (why not, what to do instead), in words a victim reads.
    "charged": ("You can ask for a review only of a police decision not to charge anyone. In your case someone was "
                "charged or dealt with, so there is no such decision to review.", COMPLAIN),
    9: ("The Crown Prosecution Service (CPS) made the decision in your case, not the police, so we cannot review it.",
        "You can ask the CPS to look at its decision again under its own Victims' Right to Review scheme. To find "
        "out how, " + CALL_101 + "."),
    14: ("No suspect was identified, so there was no decision about charging anyone for us to review.",
         "If you learn something that could help find who did it, " + CALL_101 + ", and we will look at it again."),
    16: ("You told us you did not want police action against the suspect, so there was no decision to charge for us "
         "to review.", "If you have changed your mind, " + CALL_101 + "."),
}
REVIEW_NOT_POLICE_NO_CHARGE[18] = REVIEW_NOT_POLICE_NO_CHARGE[14]
REVIEW_OTHER_OUTCOME = ("You can ask for a review only of a police decision not to charge anyone. The outcome of your "
                        "report ({outcome}) is not one of those decisions.", COMPLAIN)
REVIEW_TOO_LATE = ("You can ask for a review within {months} months of being told of the decision. We told you on "
                   "{told}, so the last day to ask was {last}.", NEW_INFORMATION + " " + COMPLAIN)
REVIEW_NOT_THE_VICTIM = ("Only the victim of the crime can ask for a review online.",
                         "If you are asking for the victim, or they have asked you to act for them, " + CALL_101 + ".")
REVIEW_ALREADY_DONE = ("We have already reviewed this decision, so it cannot be reviewed again.",
                       NEW_INFORMATION + " " + COMPLAIN)


@dataclass
class ReviewAsked:
    """One request for a review, in the words the victim reads."""

    requested_on: date
    progress: str
    reasons: str = ""
    next_steps: str = ""


@dataclass
class ReviewOption:
    """Whether the reporter may ask for a review of the decision on their crime, and if not, why not and what instead."""

    can_ask: bool
    last_day: date | None = None
    why_not: str = ""
    instead: str = ""
    asked: list[ReviewAsked] = field(default_factory=list)
    acknowledge_working_days: int = 10
    decide_days: int = 30


RECEIPT_BY = {"email": " by email", "sms": " by text message", "letter": " by post"}


def review_receipt_words(request) -> str:
    """What the victim is told, just after asking online, about the receipt on its way ("" when none was sent)."""
    if not request.receipt_reference:
        return ""
    how = RECEIPT_BY.get(request.receipt_channel, "")
    return (f"We are sending you a receipt{how}. It gives your crime reference and says when you will hear "
            f"from us: by {request.acknowledge_by:%-d %B %Y}.")


def _asked(request) -> ReviewAsked:
    day = "%-d %B %Y"
    if request.status == "received" and request.receipt_reference:
        how = RECEIPT_BY.get(request.receipt_channel, "")
        text = (f"We have your request of {request.requested_on:{day}} and have sent you a receipt{how}. You will "
                f"hear from us by {request.acknowledge_by:{day}}, and we will tell you the result, with our reasons, "
                f"by {request.decide_by:{day}}.")
        return ReviewAsked(request.requested_on, text)
    if request.status == "received":
        text = (f"We have your request of {request.requested_on:{day}}. We will confirm we have it by "
                f"{request.acknowledge_by:{day}} and tell you the result, with our reasons, by {request.decide_by:{day}}.")
        return ReviewAsked(request.requested_on, text)
    if request.status == "acknowledged":
        text = (f"An officer who was not involved in the decision is reviewing it. We will tell you the result, "
                f"with our reasons, by {request.decide_by:{day}}.")
        return ReviewAsked(request.requested_on, text)
    decided_on = f"{timezone.localtime(request.decided_at):{day}}" if request.decided_at else ""
    if request.status == "refused":
        return ReviewAsked(request.requested_on, f"On {decided_on} we told you we could not review the decision.",
                           reasons=request.refusal_reason)
    if request.result == "overturned":
        return ReviewAsked(request.requested_on, f"Reviewed on {decided_on}: we changed the decision and reopened "
                           "the investigation.", reasons=request.decision_reasons, next_steps=request.next_steps)
    return ReviewAsked(request.requested_on, f"Reviewed on {decided_on}: we kept the original decision.",
                       reasons=request.decision_reasons)


def _no_charge_words(crime) -> tuple[str, str]:
    number = crime.outcome.number
    if 1 <= number <= 8 and number != 5:
        return REVIEW_NOT_POLICE_NO_CHARGE["charged"]
    why, instead = REVIEW_NOT_POLICE_NO_CHARGE.get(number, REVIEW_OTHER_OUTCOME)
    return why.format(outcome=crime.outcome.name), instead


def review_option(*, report: OnlineReport, crime) -> ReviewOption | None:
    """May the reporter ask online for a review of the decision on their crime (Victims' Right to Review)?

    None while the crime is open (there is no decision yet) or was never recorded, unless a
    review reopened it, when the requests alone are shown. The rules
    are the cases app's (``cases.services.vrr_eligibility_now``); only the victim may ask, one
    request at a time, and a decision already reviewed is not reviewed again.
    """
    from cases.rules import (
        VRR_ACKNOWLEDGE_WORKING_DAYS,
        VRR_DECIDE_DAYS,
        VRRNoChargeDecision,
        VRRWithinThreeMonths,
    )
    from cases.services import investigation_setting, vrr_eligibility_now, vrr_last_day, vrr_months

    if crime is None:
        return None
    requests = list(crime.review_requests.order_by("requested_on", "id"))
    if crime.status != "closed" or crime.outcome_id is None:
        # Reopened after a review: what was asked and decided still shows; there is no decision to ask about.
        return ReviewOption(can_ask=False, asked=[_asked(r) for r in requests]) if requests else None
    option = ReviewOption(
        can_ask=False, last_day=vrr_last_day(crime), asked=[_asked(r) for r in requests],
        acknowledge_working_days=investigation_setting("CASES_VRR_ACKNOWLEDGE_WORKING_DAYS",
                                                       VRR_ACKNOWLEDGE_WORKING_DAYS),
        decide_days=investigation_setting("CASES_VRR_DECIDE_DAYS", VRR_DECIDE_DAYS),
    )
    told_on = timezone.localdate(crime.closed_at)
    words: tuple[str, str] | None = None
    if any(r.is_open for r in requests):
        return option  # the request in progress is shown; nothing more to ask
    if report.reporter_id is None or report.reporter_id != crime.victim_id:
        words = REVIEW_NOT_THE_VICTIM
    elif any(r.outcome_id == crime.outcome_id and r.decision_told_on == told_on for r in requests):
        words = REVIEW_ALREADY_DONE
    else:
        broken = vrr_eligibility_now(crime, requested_on=timezone.localdate())
        if VRRNoChargeDecision in broken:
            words = _no_charge_words(crime)
        elif VRRWithinThreeMonths in broken:
            why, instead = REVIEW_TOO_LATE
            words = (why.format(months=vrr_months(), told=f"{told_on:%-d %B %Y}", last=f"{option.last_day:%-d %B %Y}"),
                     instead)
    if words is None:
        option.can_ask = True
        return option
    option.why_not, option.instead = (text.format(reference=crime.reference) for text in words)
    return option


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
