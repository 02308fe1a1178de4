"""The official rules a crime record must keep, one class per rule, named for the standard it comes from.

Each rule's docstring is the rule's text and the message a user reads when it is
broken. ``check`` raises ``RuleViolation``, a ``PermissionDenied``: an action tried
against a rule is refused (403) unless the page turns it into a form error on the
field the rule names.
"""

from __future__ import annotations

from datetime import datetime, timedelta
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
