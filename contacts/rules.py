"""Domestic abuse risk rules (DOMAIN.md §6), one named rule each, the rule text as docstring and message.

Pure: no Django. The DASH service counts answers and call-outs, then asks these rules
for the risk level and the grounds for a MARAC referral.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

RISK_LEVELS = ("standard", "medium", "high")


class JudgementCannotLower(ValueError):  # noqa: N818 - named for the rule it enforces
    """Professional judgement can raise the risk level a checklist gives, never lower it."""


def scored_level(yes_count: int, *, high_from: int = 14, medium_from: int = 10) -> str:
    """DASH scoring: 14 or more "yes" answers is high risk, 10 to 13 medium, 9 or fewer standard."""
    if yes_count >= high_from:
        return "high"
    if yes_count >= medium_from:
        return "medium"
    return "standard"


def apply_judgement(scored: str, judgement: str = "") -> str:
    """Professional judgement can raise the risk level a checklist gives, never lower it."""
    if not judgement:
        return scored
    if RISK_LEVELS.index(judgement) < RISK_LEVELS.index(scored):
        raise JudgementCannotLower(JudgementCannotLower.__doc__)
    return judgement


def is_escalating(call_outs_in_12_months: int, *, threshold: int = 3) -> bool:
    """Potential escalation: three or more call-outs for the victim in twelve months (force-set, some use five)."""
    return call_outs_in_12_months >= threshold


@dataclass(frozen=True)
class MaracGrounds:
    visible_high_risk: bool
    professional_judgement: bool
    escalation: bool
    repeat_within_12_months: bool

    @property
    def any(self) -> bool:
        return self.visible_high_risk or self.professional_judgement or self.escalation or self.repeat_within_12_months

    def names(self) -> list[str]:
        return [name for name, held in self.__dict__.items() if held]


def marac_grounds(
    *, scored: str, final: str, escalation: bool, last_referral_on: date | None, today: date,
) -> MaracGrounds:
    """A MARAC referral is made on visible high risk, professional judgement of high risk, potential
    escalation, or a new incident within twelve months of the victim's last referral."""
    return MaracGrounds(
        visible_high_risk=scored == "high",
        professional_judgement=final == "high" and scored != "high",
        escalation=escalation,
        repeat_within_12_months=last_referral_on is not None and (today - last_referral_on).days <= 365,
    )
