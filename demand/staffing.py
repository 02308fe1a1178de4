"""Handlers needed per interval: Erlang C, Erlang A (with abandonment) and a queue simulation.

Pure module: no Django. Times are in seconds, arrivals are calls per interval.

Erlang C (M/M/N) assumes every caller waits for ever; it is the contact-centre
industry's usual planning model and what pyworkforce implements. Erlang A
(M/M/N+M, Palm's model with exponential patience) lets callers hang up, which is
what 999 and 101 callers do; where abandonment is material Erlang C over-staffs.
No maintained Python library we may use offers Erlang A (pyworkforce 0.5.1, the
newest for Python 3.11, has only Erlang C), so it is written here from the
birth-death chain and checked three ways in the tests: against Erlang C as
patience grows without bound, against a discrete-event simulation, and for
monotonicity in the number of handlers.

Everything is computed with recursions or in log space so that centres with
hundreds of handlers neither overflow nor lose precision.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

# Rounding guard: 14 / 0.7 is 20.000000000000004 in floating point, which must
# roster 20 handlers, not 21.
_CEIL_TOLERANCE = 1e-9


def _ceil(value: float) -> int:
    return math.ceil(value - _CEIL_TOLERANCE)


def traffic_erlangs(*, calls: float, aht_seconds: float, interval_seconds: float) -> float:
    """Offered traffic A = arrival rate x average handling time, in Erlangs."""
    _check_positive("aht_seconds", aht_seconds)
    _check_positive("interval_seconds", interval_seconds)
    if calls < 0:
        raise ValueError("calls must be zero or more.")
    return calls * aht_seconds / interval_seconds


def _check_positive(name: str, value: float) -> None:
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a positive number; got {value!r}.")


def _check_fraction(name: str, value: float, *, allow_one: bool = True) -> None:
    upper_ok = value <= 1 if allow_one else value < 1
    if not (value >= 0 and upper_ok):
        bound = "1" if allow_one else "under 1"
        raise ValueError(f"{name} must be between 0 and {bound}; got {value!r}.")


def rostered(required: int, shrinkage: float) -> int:
    """Staff to roster so that ``required`` are on the phones after shrinkage.

    Rule: rostered = required / (1 - shrinkage), rounded up; shrinkage is the share
    of paid time unavailable for calls (breaks, training, briefings, sickness).
    """
    _check_fraction("shrinkage", shrinkage, allow_one=False)
    return _ceil(required / (1 - shrinkage))


# --------------------------------------------------------------------------- Erlang C


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of M/M/N/N by the stable recursion B(k) = A·B(k-1) / (k + A·B(k-1))."""
    if traffic <= 0:
        return 0.0
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return blocking


def erlang_c_wait_probability(agents: int, traffic: float) -> float:
    """Probability that a caller waits (Erlang C); 1 when the queue is unstable (N <= A)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    blocking = erlang_b(agents, traffic)
    return agents * blocking / (agents - traffic * (1 - blocking))


@dataclass(frozen=True)
class QueueOutcome:
    """What a queue model predicts for one interval with a given number of handlers on the phones."""

    agents: int
    traffic: float
    wait_probability: float
    service_level: float  # share of offered calls answered within the target time
    average_wait_seconds: float  # mean time in queue over all offered calls
    occupancy: float
    abandon_probability: float = 0.0


def erlang_c(*, calls: float, aht_seconds: float, interval_seconds: float, agents: int,
             target_seconds: float) -> QueueOutcome:
    """Erlang C outcome for ``agents`` handlers.

    SL(t) = 1 - P(wait)·exp(-(N - A)·t / AHT); ASA = P(wait)·AHT / (N - A); occupancy = A / N.
    """
    traffic = traffic_erlangs(calls=calls, aht_seconds=aht_seconds, interval_seconds=interval_seconds)
    if agents < 1:
        raise ValueError("agents must be at least 1.")
    if agents <= traffic:
        return QueueOutcome(agents, traffic, 1.0, 0.0, math.inf, 1.0)
    wait = erlang_c_wait_probability(agents, traffic)
    service_level = max(0.0, 1 - wait * math.exp(-(agents - traffic) * target_seconds / aht_seconds))
    asa = wait * aht_seconds / (agents - traffic)
    return QueueOutcome(agents, traffic, wait, service_level, asa, traffic / agents)


@dataclass(frozen=True)
class StaffingRequirement:
    """Handlers needed on the phones for one interval, and rostered after shrinkage."""

    agents: int
    rostered: int
    outcome: QueueOutcome


def agents_for_service_level(*, calls: float, aht_seconds: float, interval_seconds: float,
                             target_seconds: float, service_level: float, max_occupancy: float = 1.0,
                             shrinkage: float = 0.0, patience_seconds: float | None = None
                             ) -> StaffingRequirement:
    """Fewest handlers meeting ``service_level`` within ``target_seconds``, no busier than ``max_occupancy``.

    Rule: 999 calls are planned to 90% answered within 10 s (National Call Handling
    Standard). With ``patience_seconds`` the model is Erlang A (callers hang up after
    an exponential patience with that mean); without it, Erlang C. The occupancy cap
    then raises N to at least A / cap, and shrinkage converts to rostered staff.
    """
    _check_fraction("service_level", service_level)
    _check_fraction("max_occupancy", max_occupancy)
    if max_occupancy == 0:
        raise ValueError("max_occupancy must be above 0.")
    traffic = traffic_erlangs(calls=calls, aht_seconds=aht_seconds, interval_seconds=interval_seconds)
    if calls == 0:
        zero = QueueOutcome(0, 0.0, 0.0, 1.0, 0.0, 0.0)
        return StaffingRequirement(0, 0, zero)

    def outcome(n: int) -> QueueOutcome:
        if patience_seconds is None:
            return erlang_c(calls=calls, aht_seconds=aht_seconds, interval_seconds=interval_seconds,
                            agents=n, target_seconds=target_seconds)
        return erlang_a(calls=calls, aht_seconds=aht_seconds, interval_seconds=interval_seconds,
                        agents=n, target_seconds=target_seconds, patience_seconds=patience_seconds)

    # Erlang C needs N > A; its requirement is an upper bound for Erlang A too,
    # because callers who hang up free the queue for the rest.
    high = max(1, math.floor(traffic) + 1)
    while erlang_c(calls=calls, aht_seconds=aht_seconds, interval_seconds=interval_seconds, agents=high,
                   target_seconds=target_seconds).service_level < service_level:
        high += 1
    if patience_seconds is None:
        # Linear from just above A: the search pyworkforce and the textbooks use.
        agents = max(1, math.floor(traffic) + 1)
        while outcome(agents).service_level < service_level:
            agents += 1
    else:
        low = 1  # service level rises with N, so bisect between 1 and the Erlang C answer
        while low < high:
            middle = (low + high) // 2
            if outcome(middle).service_level >= service_level:
                high = middle
            else:
                low = middle + 1
        agents = low
    agents = max(agents, _ceil(traffic / max_occupancy))
    return StaffingRequirement(agents, rostered(agents, shrinkage), outcome(agents))


# --------------------------------------------------------------------------- Erlang A


def _erlang_a_states(agents: int, traffic: float, theta_over_mu: float) -> np.ndarray:
    """Stationary distribution of the M/M/N+M chain, n = 0..N+J, truncated where negligible.

    pi_n ∝ A^n / n! for n <= N; pi_{N+j} = pi_N · prod_{k=1..j} A / (N + k·theta/mu). Held in
    log space so that N in the hundreds does not overflow.
    """
    n = np.arange(agents + 1)
    log_lower = n * math.log(traffic) - np.array([math.lgamma(k + 1) for k in n])
    # Queue part: ratios A / (N + k·theta/mu) eventually fall below 1; stop when the
    # remaining tail is below 1e-17 of the mass (or at a hard cap for θ = 0 near A = N).
    log_ratios: list[float] = []
    log_term = 0.0
    k = 1
    limit = 2_000_000
    while k < limit:
        ratio = traffic / (agents + k * theta_over_mu)
        log_term += math.log(ratio)
        log_ratios.append(log_term)
        if ratio < 1 and log_term < -40:
            break
        k += 1
        if theta_over_mu == 0 and traffic >= agents:
            raise ValueError("Without abandonment the queue is unstable when agents <= traffic.")
    log_upper = log_lower[-1] + np.array(log_ratios)
    log_all = np.concatenate([log_lower, log_upper])
    log_all -= log_all.max()
    weights = np.exp(log_all)
    return weights / weights.sum()


def _answered_within(agents: int, mu: float, theta: float, queued_ahead_max: int, target: float) -> np.ndarray:
    """P(answered within ``target`` s) for an arrival finding j = 0..J callers queued ahead.

    The tagged caller moves up at rate N·mu + k·theta while k are ahead (service
    completions plus abandonment of those ahead) and gives up at rate theta. Solved by
    uniformisation: every term is positive, so the sum is stable for large J.
    """
    size = queued_ahead_max + 1
    rates = agents * mu + np.arange(size) * theta  # leaving "k ahead" forwards
    total = rates + theta  # plus own abandonment
    uniform = float(total.max()) if size else agents * mu + theta
    # h[k] = P(absorbed in "answered" within m jumps of the uniformised chain | k ahead)
    h = np.zeros(size)
    result = np.zeros(size)
    mean = uniform * target
    weight = math.exp(-mean)  # Poisson(mean) probability of m jumps, built up term by term
    cumulative = weight
    m = 0
    max_jumps = int(mean + 12 * math.sqrt(mean + 1) + 30)
    stay = 1 - total / uniform
    forward = rates / uniform
    while m < max_jumps:
        # One more jump: from k move to k-1 (or to answered from 0) w.p. forward[k].
        moved = np.empty(size)
        moved[0] = 1.0
        moved[1:] = h[:-1]
        h = stay * h + forward * moved
        m += 1
        weight *= mean / m
        # P(answered within t) = sum_m P(m jumps by t) · P(answered within m jumps)
        result += weight * h
        cumulative += weight
        if 1 - cumulative < 1e-15 and m > mean:
            break
    return result


def erlang_a(*, calls: float, aht_seconds: float, interval_seconds: float, agents: int,
             target_seconds: float, patience_seconds: float) -> QueueOutcome:
    """Erlang A (M/M/N+M) outcome for ``agents`` handlers, callers patient for ``patience_seconds`` on average.

    P(abandon) = theta·E[Q] / lambda; mean wait = E[Q] / lambda (Little); an arrival finding
    j queued is answered within t when its offered wait (sum of exponentials with rates
    N/AHT + i·theta, i = j..0) is at most t and shorter than its patience. Infinite
    patience gives Erlang C exactly.
    """
    traffic = traffic_erlangs(calls=calls, aht_seconds=aht_seconds, interval_seconds=interval_seconds)
    if agents < 1:
        raise ValueError("agents must be at least 1.")
    if not patience_seconds > 0:
        raise ValueError(f"patience_seconds must be a positive number; got {patience_seconds!r}.")
    if traffic == 0:
        return QueueOutcome(agents, 0.0, 0.0, 1.0, 0.0, 0.0)
    mu = 1 / aht_seconds
    theta = 0.0 if math.isinf(patience_seconds) else 1 / patience_seconds
    lam = calls / interval_seconds
    if theta == 0 and agents <= traffic:
        return QueueOutcome(agents, traffic, 1.0, 0.0, math.inf, 1.0)
    pi = _erlang_a_states(agents, traffic, theta / mu)
    queue = pi[agents:]  # pi_{N+j}, j = 0..J
    wait_probability = float(queue.sum())
    depth = np.arange(queue.size)
    mean_queue = float((depth * queue).sum())
    abandon = theta * mean_queue / lam
    answered = _answered_within(agents, mu, theta, queue.size - 1, target_seconds)
    service_level = float(pi[:agents].sum() + (queue * answered).sum())
    occupancy = min(1.0, traffic * (1 - abandon) / agents)
    return QueueOutcome(agents, traffic, wait_probability, min(1.0, service_level), mean_queue / lam,
                        occupancy, abandon)


# --------------------------------------------------------------------------- simulation


@dataclass(frozen=True)
class SimulatedInterval:
    """Service level a simulated interval achieved, and what happened to its callers."""

    offered: int
    answered_within_target: int
    abandoned: int
    service_level: float
    average_wait_seconds: float


def simulate_interval(*, calls: float, aht_seconds: float, interval_seconds: float, agents: int,
                      target_seconds: float, patience_seconds: float = math.inf, replications: int = 200,
                      seed: int = 0) -> SimulatedInterval:
    """Discrete-event simulation of one interval's queue: Poisson arrivals, exponential handling and patience.

    First come, first served: the caller at the head of the queue takes the handler
    who frees up first, so callers can be processed in arrival order. Each replication
    runs a warm-up interval first so the measured one starts in a busy, realistic state;
    only callers arriving in the measured interval count.
    """
    if agents < 1:
        raise ValueError("agents must be at least 1.")
    rng = np.random.default_rng(seed)
    lam = calls / interval_seconds
    offered = answered_fast = abandoned = 0
    total_wait = 0.0
    for _ in range(replications):
        count = rng.poisson(lam * 2 * interval_seconds)
        arrivals = np.sort(rng.uniform(-interval_seconds, interval_seconds, count))
        services = rng.exponential(aht_seconds, count)
        patience = (np.full(count, np.inf) if math.isinf(patience_seconds)
                    else rng.exponential(patience_seconds, count))
        free_at = [-math.inf] * agents  # a heap of the times each handler becomes free
        for arrival, service, limit in zip(arrivals.tolist(), services.tolist(), patience.tolist(), strict=True):
            start = max(arrival, free_at[0])
            wait = start - arrival
            counted = arrival >= 0
            if wait > limit:
                if counted:
                    offered += 1
                    abandoned += 1
                    total_wait += limit
                continue
            heapq.heapreplace(free_at, start + service)
            if counted:
                offered += 1
                total_wait += wait
                if wait <= target_seconds:
                    answered_fast += 1
    service_level = answered_fast / offered if offered else 1.0
    return SimulatedInterval(offered, answered_fast, abandoned, service_level,
                             total_wait / offered if offered else 0.0)


# --------------------------------------------------------------------------- planning and what-if


@dataclass(frozen=True)
class IntervalPlan:
    """Handlers needed in one interval under a scenario."""

    start: object  # the interval's start (a datetime); kept opaque so this module needs no Django
    calls: float
    agents: int
    rostered: int
    service_level: float


def split_hourly(hourly: list[tuple[object, float]], interval_minutes: int) -> list[tuple[object, float]]:
    """Share each hour's calls evenly over its 15- or 30-minute intervals (60 leaves them as they are)."""
    if interval_minutes not in (15, 30, 60):
        raise ValueError("interval_minutes must be 15, 30 or 60.")
    from datetime import timedelta

    parts = 60 // interval_minutes
    return [(start + timedelta(minutes=i * interval_minutes), calls / parts)
            for start, calls in hourly for i in range(parts)]


def what_if_calls(*, queue: str, own: float, non_emergency: float, triage_resolved: float,
                  chat_share: float) -> float:
    """Calls in an interval after the what-if drivers.

    Rule: triage resolving x% more 101 calls at first contact removes that share of
    101 demand (the call-backs and repeat calls it would have caused); chat taking y%
    of 101 moves that share of the remaining 101 calls to the chat queue.
    """
    _check_fraction("triage_resolved", triage_resolved)
    _check_fraction("chat_share", chat_share)
    remaining_101 = non_emergency * (1 - triage_resolved)
    if queue == "101":
        return remaining_101 * (1 - chat_share)
    if queue == "chat":
        return own + remaining_101 * chat_share
    return own


def plan_intervals(intervals: list[tuple[object, float]], *, interval_minutes: int, aht_seconds: float,
                   target_seconds: float, service_level: float, max_occupancy: float, shrinkage: float,
                   patience_seconds: float | None = None) -> list[IntervalPlan]:
    """Handlers needed and rostered in each interval to meet the service level (Erlang A or C)."""
    plans = []
    for start, calls in intervals:
        need = agents_for_service_level(calls=calls, aht_seconds=aht_seconds, interval_seconds=interval_minutes * 60,
                                        target_seconds=target_seconds, service_level=service_level,
                                        max_occupancy=max_occupancy, shrinkage=shrinkage,
                                        patience_seconds=patience_seconds)
        plans.append(IntervalPlan(start, calls, need.agents, need.rostered, need.outcome.service_level))
    return plans
