"""Suggest a grade and a route from THRIVE answers and the facts of a contact, with the rules that fired.

Pure: no Django. The service loads the rule table and the facts, calls ``suggest``,
and stores what it returns. THRIVE is a structured judgement (DOMAIN.md §1); the
rules turn its answers into a suggestion the handler accepts or overrides with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("none", "low", "medium", "high")
VULNERABILITY_LEVELS = ("none", "vulnerable", "unable_to_protect")


@dataclass(frozen=True)
class Facts:
    """What the rules look at: the THRIVE answers, what happened, and the repeat flags."""

    channel: str
    incident_category: str
    incident_type: str
    threat: str
    harm: str
    risk: str
    investigation: str
    vulnerability: str
    engagement: str
    vulnerability_factors: tuple[str, ...] = ()
    repeat_victim: bool = False
    repeat_location: bool = False


@dataclass(frozen=True)
class Rule:
    """One row of the grading table; empty conditions match anything, levels match at or above."""

    name: str
    text: str
    grade: int
    route: str
    position: int = 100
    channel: str = ""
    incident_category: str = ""
    incident_type: str = ""
    threat_at_least: str = ""
    harm_at_least: str = ""
    risk_at_least: str = ""
    investigation: str = ""
    vulnerability_at_least: str = ""
    engagement: str = ""
    requires_repeat_victim: bool = False
    requires_repeat_location: bool = False
    requires_vulnerability_factor: bool = False


@dataclass(frozen=True)
class Suggestion:
    grade: int | None
    route: str
    fired: tuple[Rule, ...] = field(default_factory=tuple)


def _at_least(answer: str, minimum: str, scale: tuple[str, ...]) -> bool:
    if not minimum:
        return True
    if answer not in scale:
        return False
    return scale.index(answer) >= scale.index(minimum)


def fires(rule: Rule, facts: Facts) -> bool:
    """Whether every condition the rule sets holds for these facts."""
    return (
        (not rule.channel or rule.channel == facts.channel)
        and (not rule.incident_category or rule.incident_category == facts.incident_category)
        and (not rule.incident_type or rule.incident_type == facts.incident_type)
        and _at_least(facts.threat, rule.threat_at_least, LEVELS)
        and _at_least(facts.harm, rule.harm_at_least, LEVELS)
        and _at_least(facts.risk, rule.risk_at_least, LEVELS)
        and (not rule.investigation or rule.investigation == facts.investigation)
        and _at_least(facts.vulnerability, rule.vulnerability_at_least, VULNERABILITY_LEVELS)
        and (not rule.engagement or rule.engagement == facts.engagement)
        and (not rule.requires_repeat_victim or facts.repeat_victim)
        and (not rule.requires_repeat_location or facts.repeat_location)
        and (not rule.requires_vulnerability_factor or bool(facts.vulnerability_factors))
    )


def suggest(facts: Facts, rules: list[Rule]) -> Suggestion:
    """The most urgent grade among the rules that fire; the route of the first such rule in position order.

    Urgency wins so that a rule for the risk in hand is never outvoted by a rule for
    the kind of incident. No rule firing gives no suggestion: the handler grades.
    """
    ordered = sorted(rules, key=lambda rule: (rule.position, rule.name))
    fired = tuple(rule for rule in ordered if fires(rule, facts))
    if not fired:
        return Suggestion(grade=None, route="", fired=())
    grade = min(rule.grade for rule in fired)
    route = next(rule.route for rule in fired if rule.grade == grade)
    return Suggestion(grade=grade, route=route, fired=fired)
