"""The official rules a crime record must keep, one class per rule, named for the standard it comes from.

Each rule's docstring is the rule's text and the message a user reads when it is
broken. ``check`` raises ``RuleViolation``, a ``PermissionDenied``: an action tried
against a rule is refused (403) unless the page turns it into a form error on the
field the rule names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

NCRS_RECORDING_HOURS = 24


class RuleViolation(PermissionDenied):
    """An action that would break an official rule; carries the rule and the field it concerns."""

    def __init__(self, rule: type[BusinessRule], message: str | None = None):
        self.rule = rule
        self.field = rule.field
        self.message = message or rule.text()
        super().__init__(self.message)


class BusinessRule:
    """Base for a named rule: subclasses give the rule text as docstring and implement ``passes``."""

    code = ""
    field = ""

    @classmethod
    def text(cls) -> str:
        return (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")

    @classmethod
    def passes(cls, crime: Any, **context: Any) -> bool:
        raise NotImplementedError

    @classmethod
    def check(cls, crime: Any, **context: Any) -> None:
        if not cls.passes(crime, **context):
            raise RuleViolation(cls)


def recording_deadline(reported_at: datetime) -> datetime:
    """When the NCRS clock runs out for a report received at ``reported_at``."""
    return reported_at + timedelta(hours=NCRS_RECORDING_HOURS)


class NCRS24(BusinessRule):
    """A crime must be recorded within 24 hours of the report being received.

    National Crime Recording Standard. Recorded at exactly 24 hours still complies; a
    crime not yet recorded complies until its clock runs out.
    """

    code = "NCRS24"
    field = "classification"

    @classmethod
    def passes(cls, crime: Any, *, now: datetime | None = None, **context: Any) -> bool:
        recorded_or_now = crime.recorded_at or now or timezone.now()
        return recorded_or_now <= recording_deadline(crime.reported_at)


class HOCRSectionC(BusinessRule):
    """A recorded crime can be cancelled only with a C-code and the reason for it.

    Home Office Counting Rules, Section C: the Force Crime Registrar removes a crime only
    on one of the C-code grounds, and the additional verifiable information is written down.
    """

    code = "HOCR-C"
    field = "cancellation_code"

    @classmethod
    def passes(cls, crime: Any, **context: Any) -> bool:
        return crime.cancellation_code_id is not None and bool((crime.cancellation_reason or "").strip())


class OutcomeToClose(BusinessRule):
    """A crime can be closed only with a Home Office outcome type.

    Home Office outcomes framework (April 2013): every closed crime carries one of the
    outcome types 1 to 22.
    """

    code = "HO-OUTCOME"
    field = "outcome"

    @classmethod
    def passes(cls, crime: Any, **context: Any) -> bool:
        return crime.outcome_id is not None


# The decisions that fit each outcome that turns on the victim's view.
_DECISIONS_FOR_OUTCOME = {15: {"supports"}, 16: {"does_not_support", "withdraws"}}


class VictimDecisionForOutcome(BusinessRule):
    """Outcomes 15 and 16 need the victim's decision recorded first, and it must fit the outcome.

    Outcome 15 is for a victim who supports action; outcome 16 for a victim who does not
    support it or withdraws. HMICFRS asks for an auditable record of that decision.
    """

    code = "HO-OUTCOME-15-16"
    field = "victim_decision"

    @classmethod
    def passes(cls, crime: Any, **context: Any) -> bool:
        outcome = crime.outcome
        if outcome is None or not outcome.requires_victim_decision:
            return True
        accepted = _DECISIONS_FOR_OUTCOME.get(outcome.number)
        if not crime.victim_decision or crime.victim_decision_recorded_at is None:
            return False
        return accepted is None or crime.victim_decision in accepted


class CrimeNotOpen(PermissionDenied):
    """The crime is closed or cancelled, so it cannot be changed."""


class CancellationNotPending(PermissionDenied):
    """No cancellation of this crime is awaiting a decision."""


class SelfApproval(PermissionDenied):
    """A cancellation must be approved by someone other than the person who asked for it."""


def crime_is_open(crime: Any) -> None:
    """Guard: refuse any change to a crime that is closed or cancelled."""
    if crime.status in ("closed", "cancelled"):
        raise CrimeNotOpen(f"Crime {crime.reference} is {crime.get_status_display().lower()} and cannot be changed.")


def crime_can_be_closed(crime: Any) -> None:
    """Guard: a crime is closed only when it is open, has an outcome, and 15/16 have the victim's decision."""
    crime_is_open(crime)
    OutcomeToClose.check(crime)
    VictimDecisionForOutcome.check(crime)


def cancellation_awaits_decision(crime: Any) -> None:
    """Guard: an approval or rejection needs a cancellation request still waiting."""
    crime_is_open(crime)
    if crime.cancellation_requested_at is None or crime.cancelled_at is not None:
        raise CancellationNotPending(f"No cancellation of crime {crime.reference} is awaiting a decision.")


# --- Victims' Code and supervision (issue 6) ---------------------------------------------------------
#
# Pure: dates in, dates out, no database. The bank holidays come from the ``holidays``
# package (England's, not Scotland's or Northern Ireland's), which already knows the
# substitute days and one-off holidays, so they are not a list we keep by hand.

STANDARD_DAYS_TO_TELL = 5
ENHANCED_DAYS_TO_TELL = 1

_ENGLISH_HOLIDAYS: dict[int, frozenset[date]] = {}


def english_bank_holidays(year: int) -> frozenset[date]:
    """England's bank holidays in ``year`` (Good Friday, Easter Monday, substitute days included)."""
    if year not in _ENGLISH_HOLIDAYS:
        import holidays

        _ENGLISH_HOLIDAYS[year] = frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))
    return _ENGLISH_HOLIDAYS[year]


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an English bank holiday."""
    return day.weekday() < 5 and day not in english_bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The working day ``days`` working days after ``start`` (``start`` itself does not count).

    An event on a Saturday with one working day allowed is due on Monday (Tuesday if
    Monday is a bank holiday); zero days gives ``start`` itself.
    """
    if days < 0:
        raise ValueError("days must be zero or more")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days fall after ``start`` up to and including ``end`` (0 if ``end`` is not later)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


class VictimsCodeRight6(BusinessRule):
    """The victim must be told of a key decision within 5 working days, or 1 working day with enhanced rights.

    Code of Practice for Victims of Crime (2020), Right 6: arrest, interview under
    caution, release without charge, on bail or under investigation, charge, an
    out-of-court disposal and a decision not to investigate are told, with reasons,
    within these times. Working days leave out weekends and England's bank holidays.
    """

    code = "VC-RIGHT-6"
    field = "tell_victim_by"

    @staticmethod
    def days_allowed(enhanced: bool) -> int:
        return ENHANCED_DAYS_TO_TELL if enhanced else STANDARD_DAYS_TO_TELL

    @classmethod
    def deadline(cls, decided_on: date, *, enhanced: bool) -> date:
        """The last day the victim may be told of a key decision made on ``decided_on``."""
        return add_working_days(decided_on, cls.days_allowed(enhanced))

    @classmethod
    def passes(cls, decision: Any, *, enhanced: bool = False, today: date | None = None, **context: Any) -> bool:
        made_on = decision["made_on"]
        told_on = decision.get("told_on") or today
        return told_on is not None and told_on <= cls.deadline(made_on, enhanced=enhanced)


# Offences whose victims have enhanced rights under the Victims' Code: hate crime (the
# racially or religiously aggravated forms), stalking and harassment (persistently
# targeted), arson endangering life and assault with intent to cause serious harm.
ENHANCED_RIGHTS_OFFENCES = frozenset({"8P", "105B", "8M", "9B", "8Q", "8L", "56A", "5D"})
ENHANCED_RIGHTS_INCIDENT_TYPES = frozenset({"sexual-offence", "stalking-harassment"})
UNDER_18 = 18
PERSISTENTLY_TARGETED_CRIMES = 3  # crimes against the same victim in the last 12 months, this one included


@dataclass(frozen=True)
class VictimFacts:
    """What the enhanced-rights derivation looks at, read from the crime, the contact and the person index."""

    offence_code: str = ""
    incident_type: str = ""
    victim_age: int | None = None
    vulnerable: bool = False
    domestic_abuse: bool = False
    crimes_in_last_year: int = 1


def enhanced_rights(facts: VictimFacts) -> list[str]:
    """The reasons the victim has enhanced rights under the Victims' Code; an empty list means standard rights.

    Enhanced rights: victims of the most serious crime (domestic abuse, hate crime,
    sexual offences, stalking, arson endangering life…), persistently targeted victims,
    and vulnerable or intimidated victims (every victim under 18 counts as vulnerable).
    """
    reasons: list[str] = []
    if facts.offence_code in ENHANCED_RIGHTS_OFFENCES or facts.incident_type in ENHANCED_RIGHTS_INCIDENT_TYPES:
        reasons.append("Victim of one of the most serious crimes")
    if facts.domestic_abuse:
        reasons.append("Victim of domestic abuse")
    if facts.victim_age is not None and facts.victim_age < UNDER_18:
        reasons.append("Victim under 18")
    if facts.vulnerable:
        reasons.append("Vulnerable victim")
    if facts.crimes_in_last_year >= PERSISTENTLY_TARGETED_CRIMES:
        reasons.append("Persistently targeted (3 or more crimes in 12 months)")
    return reasons


def first_contact_due(queued_on: date, *, enhanced: bool, standard_days: int = 5, enhanced_days: int = 1) -> date:
    """The working day by which the resolution centre should have reached the victim.

    Force policy, set to match Right 6: the first contact is where the victim hears
    whether and how the crime will be investigated, so it keeps the same 5 (1) working days.
    """
    return add_working_days(queued_on, enhanced_days if enhanced else standard_days)


def next_review_due(reviewed_on: date, *, reviews_done: int, first_days: int = 7, every_days: int = 28) -> date:
    """When the next supervisor review falls due, after the ``reviews_done``-th review on ``reviewed_on``.

    Supervision (force policy, DOMAIN.md §7): a review on allocation, the next
    ``first_days`` later, then every ``every_days``.
    """
    return reviewed_on + timedelta(days=first_days if reviews_done <= 1 else every_days)


# --- Victims' Right to Review ------------------------------------------------------------------------
#
# The outcomes a victim may ask to have reviewed are a force decision (setting
# ``CASES_VRR_OUTCOMES``). The default is the police decisions not to take further action
# against an identified suspect: 10 (formal action not in the public interest), 15
# (evidential difficulties, the victim supports action), 21 (further investigation not in
# the public interest) and 22 (diversion, no further action). Not: charges and disposals
# (1–8), CPS decisions (9, reviewed under the CPS's own scheme), no suspect identified (14,
# 18), the victim not supporting action (16), and decisions made by others (5, 11–13, 17, 19, 20).

VRR_DEFAULT_OUTCOMES = frozenset({10, 15, 21, 22})
VRR_DEFAULT_MONTHS = 3
VRR_ACKNOWLEDGE_WORKING_DAYS = 10
VRR_DECIDE_DAYS = 30


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; a day the month lacks becomes its last day (30 Nov + 3 → 28 or 29 Feb)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def vrr_outcomes() -> frozenset[int]:
    from django.conf import settings

    return frozenset(getattr(settings, "CASES_VRR_OUTCOMES", VRR_DEFAULT_OUTCOMES))


class VRRNoChargeDecision(BusinessRule):
    """A review can be asked for only when the crime was closed with a police decision not to charge.

    Victims' Right to Review: the outcome must be one of the no-further-action outcomes the
    force lists (by default Home Office outcomes 10, 15, 21 and 22).
    """

    code = "VRR-OUTCOME"
    field = "outcome"

    @classmethod
    def passes(cls, crime: Any, *, outcomes: frozenset[int] | None = None, **context: Any) -> bool:
        allowed = vrr_outcomes() if outcomes is None else outcomes
        return crime.status == "closed" and crime.outcome is not None and crime.outcome.number in allowed


class VRRWithinThreeMonths(BusinessRule):
    """A review must be asked for within 3 months of the victim being told of the decision.

    Victims' Right to Review: the day the crime was closed with its outcome counts as the
    day the victim was told; a request on the same date 3 months later is still in time.
    """

    code = "VRR-3-MONTHS"
    field = "requested_on"

    @staticmethod
    def last_day(told_on: date, *, months: int = VRR_DEFAULT_MONTHS) -> date:
        return add_months(told_on, months)

    @classmethod
    def passes(cls, crime: Any, *, requested_on: date, told_on: date, months: int = VRR_DEFAULT_MONTHS,
               **context: Any) -> bool:
        return told_on <= requested_on <= cls.last_day(told_on, months=months)


class VRRIndependentReviewer(BusinessRule):
    """The review must be decided by an officer other than the one who made the decision not to charge.

    Victims' Right to Review: the reviewing officer takes a fresh look, so the officer who
    closed the crime cannot review their own decision.
    """

    code = "VRR-REVIEWER"
    field = "result"

    @classmethod
    def passes(cls, request: Any, *, reviewer: Any, **context: Any) -> bool:
        made_by = getattr(request, "decision_made_by_id", None)
        return made_by is None or getattr(reviewer, "pk", None) != made_by


def vrr_eligibility(crime: Any, *, requested_on: date, told_on: date, months: int = VRR_DEFAULT_MONTHS,
                    outcomes: frozenset[int] | None = None) -> list[type[BusinessRule]]:
    """The eligibility rules a request breaks (an empty list: eligible)."""
    broken: list[type[BusinessRule]] = []
    if not VRRNoChargeDecision.passes(crime, outcomes=outcomes):
        broken.append(VRRNoChargeDecision)
    if not VRRWithinThreeMonths.passes(crime, requested_on=requested_on, told_on=told_on, months=months):
        broken.append(VRRWithinThreeMonths)
    return broken


def vrr_due_dates(requested_on: date, *, acknowledge_working_days: int = VRR_ACKNOWLEDGE_WORKING_DAYS,
                  decide_days: int = VRR_DECIDE_DAYS) -> tuple[date, date]:
    """When a request received on ``requested_on`` must be acknowledged (working days) and decided (days)."""
    return add_working_days(requested_on, acknowledge_working_days), requested_on + timedelta(days=decide_days)
