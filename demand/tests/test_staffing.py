"""Erlang C against pyworkforce and DOMAIN.md §12, Erlang A against Erlang C and a simulation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyworkforce.queuing import ErlangC

from demand.staffing import (
    agents_for_service_level,
    erlang_a,
    erlang_c,
    rostered,
    simulate_interval,
)

HALF_HOUR = 1800


def test_domain_test_vector():
    """100 calls in 30 min, AHT 180 s, 20 s target: A 10, N 14, P(wait) 0.17413, 20 rostered at 30% shrinkage."""
    need = agents_for_service_level(calls=100, aht_seconds=180, interval_seconds=HALF_HOUR, target_seconds=20,
                                    service_level=0.8, shrinkage=0.3)
    assert need.outcome.traffic == pytest.approx(10)
    assert need.agents == 14
    assert need.outcome.wait_probability == pytest.approx(0.17413, abs=5e-6)
    assert need.outcome.service_level == pytest.approx(0.88835, abs=5e-6)
    assert need.outcome.average_wait_seconds == pytest.approx(7.84, abs=5e-3)
    assert need.outcome.occupancy == pytest.approx(0.714, abs=5e-4)
    assert need.rostered == 20


GRID = [
    (calls, aht, target)
    for calls in (3, 20, 100, 400, 1500)
    for aht in (60, 180, 420)
    for target in (10, 20, 60)
]


@pytest.mark.parametrize(("calls", "aht", "target"), GRID)
def test_erlang_c_equals_pyworkforce_per_agent_count(calls, aht, target):
    """P(wait), service level and occupancy agree with pyworkforce 0.5.1 for every stable N."""
    reference = ErlangC(transactions=calls, aht=aht / 60, asa=target / 60, interval=30)
    low = math.floor(reference.intensity) + 1
    for agents in range(low, low + 12):
        ours = erlang_c(calls=calls, aht_seconds=aht, interval_seconds=HALF_HOUR, agents=agents,
                        target_seconds=target)
        assert ours.wait_probability == pytest.approx(reference.waiting_probability(agents), rel=1e-9)
        assert ours.service_level == pytest.approx(reference.service_level(agents), rel=1e-9, abs=1e-12)
        assert ours.occupancy == pytest.approx(reference.achieved_occupancy(agents), rel=1e-12)


@pytest.mark.parametrize(("calls", "aht", "target"), GRID)
@pytest.mark.parametrize(("goal", "cap", "shrinkage"), [(0.8, 1.0, 0.0), (0.9, 0.85, 0.3), (0.95, 0.9, 0.35)])
def test_required_handlers_equal_pyworkforce(calls, aht, target, goal, cap, shrinkage):
    """Handlers needed (with occupancy cap) match pyworkforce; rostered too, bar its float round-up."""
    reference = ErlangC(transactions=calls, aht=aht / 60, asa=target / 60, interval=30, shrinkage=shrinkage)
    expected = reference.required_positions(service_level=goal, max_occupancy=cap)
    ours = agents_for_service_level(calls=calls, aht_seconds=aht, interval_seconds=HALF_HOUR,
                                    target_seconds=target, service_level=goal, max_occupancy=cap,
                                    shrinkage=shrinkage)
    assert ours.agents == expected["raw_positions"]
    exact = ours.agents / (1 - shrinkage)
    if abs(exact - round(exact)) < 1e-9:
        # pyworkforce rounds 21 / 0.7 = 30.000000000000004 up to 31; 30 is right.
        assert ours.rostered == round(exact)
    else:
        assert ours.rostered == expected["positions"]


def test_large_centre_does_not_overflow():
    """Hundreds of handlers: results stay finite and sensible (log-space / recursive computation)."""
    c = erlang_c(calls=9000, aht_seconds=180, interval_seconds=HALF_HOUR, agents=920, target_seconds=10)
    a = erlang_a(calls=9000, aht_seconds=180, interval_seconds=HALF_HOUR, agents=920, target_seconds=10,
                 patience_seconds=60)
    assert 0 < c.wait_probability < 1 and 0 < c.service_level < 1
    assert 0 < a.wait_probability < c.wait_probability
    assert a.service_level > c.service_level


@pytest.mark.parametrize(("calls", "aht", "agents", "target"),
                         [(100, 180, 14, 20), (30, 300, 7, 10), (600, 240, 85, 10), (2000, 180, 215, 10)])
def test_erlang_a_with_endless_patience_is_erlang_c(calls, aht, agents, target):
    """Patience → ∞ (θ → 0) reproduces Erlang C."""
    c = erlang_c(calls=calls, aht_seconds=aht, interval_seconds=HALF_HOUR, agents=agents, target_seconds=target)
    for patience in (1e12, math.inf):
        a = erlang_a(calls=calls, aht_seconds=aht, interval_seconds=HALF_HOUR, agents=agents,
                     target_seconds=target, patience_seconds=patience)
        assert a.wait_probability == pytest.approx(c.wait_probability, rel=1e-6)
        assert a.service_level == pytest.approx(c.service_level, rel=1e-6)
        assert a.average_wait_seconds == pytest.approx(c.average_wait_seconds, rel=1e-6)
        assert a.abandon_probability == pytest.approx(0, abs=1e-6)


def test_erlang_a_staffs_less_than_erlang_c_when_callers_hang_up():
    """Callers who abandon shorten the queue, so fewer handlers meet the same target."""
    kwargs = dict(calls=300, aht_seconds=240, interval_seconds=HALF_HOUR, target_seconds=10, service_level=0.9)
    with_c = agents_for_service_level(**kwargs)
    with_a = agents_for_service_level(**kwargs, patience_seconds=30)
    assert with_a.agents < with_c.agents
    assert with_a.outcome.service_level >= 0.9
    below = erlang_a(calls=300, aht_seconds=240, interval_seconds=HALF_HOUR, agents=with_a.agents - 1,
                     target_seconds=10, patience_seconds=30)
    assert below.service_level < 0.9


@settings(max_examples=40, deadline=None)
@given(calls=st.floats(1, 800), aht=st.floats(30, 600), patience=st.floats(5, 600), extra=st.integers(0, 30))
def test_erlang_a_service_level_rises_with_handlers(calls, aht, patience, extra):
    """One more handler never lowers the service level or raises abandonment."""
    traffic = calls * aht / HALF_HOUR
    agents = max(1, int(traffic) - 5 + extra)
    one = erlang_a(calls=calls, aht_seconds=aht, interval_seconds=HALF_HOUR, agents=agents, target_seconds=10,
                   patience_seconds=patience)
    two = erlang_a(calls=calls, aht_seconds=aht, interval_seconds=HALF_HOUR, agents=agents + 1,
                   target_seconds=10, patience_seconds=patience)
    assert two.service_level >= one.service_level - 1e-9
    assert two.abandon_probability <= one.abandon_probability + 1e-9
    assert 0 <= one.service_level <= 1 and 0 <= one.abandon_probability <= 1


SIM_GRID = [
    # calls per 30 min, AHT s, handlers, target s, mean patience s
    (100, 180, 12, 20, 60),
    (100, 180, 14, 20, 120),
    (60, 300, 10, 10, 45),
    (250, 240, 33, 10, 90),
    (40, 420, 10, 30, 300),
    (100, 180, 14, 20, math.inf),
]


@pytest.mark.parametrize(("calls", "aht", "agents", "target", "patience"), SIM_GRID)
def test_simulated_service_level_within_two_points_of_erlang_a(calls, aht, agents, target, patience):
    """A seeded discrete-event simulation of the interval achieves Erlang A's service level ± 2 points."""
    predicted = erlang_a(calls=calls, aht_seconds=aht, interval_seconds=HALF_HOUR, agents=agents,
                         target_seconds=target, patience_seconds=patience)
    simulated = simulate_interval(calls=calls, aht_seconds=aht, interval_seconds=HALF_HOUR, agents=agents,
                                  target_seconds=target, patience_seconds=patience, replications=1500, seed=7)
    assert simulated.service_level == pytest.approx(predicted.service_level, abs=0.02)
    assert simulated.abandoned / simulated.offered == pytest.approx(predicted.abandon_probability, abs=0.02)


def test_rostered_rounds_up_after_shrinkage():
    """Rostered = required / (1 - shrinkage) rounded up; 14 at 30% is exactly 20."""
    assert rostered(14, 0.3) == 20
    assert rostered(15, 0.3) == 22
    assert rostered(0, 0.3) == 0


@pytest.mark.parametrize(("field", "kwargs"), [
    ("aht_seconds", dict(aht_seconds=0)),
    ("service_level", dict(service_level=1.5)),
    ("shrinkage", dict(shrinkage=1.0)),
    ("max_occupancy", dict(max_occupancy=-0.1)),
])
def test_bad_input_names_the_field(field, kwargs):
    base = dict(calls=100, aht_seconds=180, interval_seconds=HALF_HOUR, target_seconds=20, service_level=0.8)
    base.update(kwargs)
    with pytest.raises(ValueError, match=field):
        agents_for_service_level(**base)
