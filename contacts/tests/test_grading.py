"""The grading rules on their own: which fire, which grade wins, which route follows."""

from __future__ import annotations

import pytest

from contacts.grading import Facts, Rule, fires, suggest

CALM = Facts(channel="101", incident_category="crime", incident_type="shoplifting", threat="low", harm="low",
             risk="low", investigation="enquiries", vulnerability="none", engagement="advice")
DANGER = Rule("Danger", "High threat and high risk", grade=1, route="dispatch", position=10,
              threat_at_least="high", risk_at_least="high")
CRIME = Rule("Crime", "Any crime", grade=4, route="resolution_centre", position=100, incident_category="crime")
ADVICE = Rule("Advice", "Advice resolves it", grade=4, route="advice", position=80, engagement="advice")


@pytest.mark.parametrize(("risk", "expected"), [("medium", False), ("high", True)])
def test_a_level_condition_holds_at_that_level_or_above(risk, expected):
    facts = Facts(**{**CALM.__dict__, "threat": "high", "risk": risk})
    assert fires(DANGER, facts) is expected


def test_the_most_urgent_grade_wins_whatever_the_order():
    facts = Facts(**{**CALM.__dict__, "threat": "high", "risk": "high"})
    suggestion = suggest(facts, [CRIME, ADVICE, DANGER])
    assert (suggestion.grade, suggestion.route) == (1, "dispatch")
    assert [rule.name for rule in suggestion.fired] == ["Danger", "Advice", "Crime"]


def test_on_a_tie_the_first_rule_in_position_order_gives_the_route():
    suggestion = suggest(CALM, [CRIME, ADVICE])
    assert (suggestion.grade, suggestion.route) == (4, "advice")


def test_no_rule_firing_gives_no_suggestion():
    facts = Facts(**{**CALM.__dict__, "incident_category": "non_crime", "engagement": "phone"})
    suggestion = suggest(facts, [CRIME, ADVICE, DANGER])
    assert suggestion.grade is None
    assert suggestion.fired == ()


def test_flags_and_factors_must_be_present_when_a_rule_requires_them():
    repeat = Rule("Repeat", "Repeat victim", grade=3, route="appointment", requires_repeat_victim=True)
    factor = Rule("Factor", "Any factor", grade=2, route="dispatch", requires_vulnerability_factor=True)
    assert not fires(repeat, CALM)
    assert fires(repeat, Facts(**{**CALM.__dict__, "repeat_victim": True}))
    assert not fires(factor, CALM)
    assert fires(factor, Facts(**{**CALM.__dict__, "vulnerability_factors": ("child",)}))
