"""The simulation engine against queueing theory: M/M/c mean waits match Erlang C.

For each c = 1, 3, 8 at loads ρ = 0.5, 0.8, 0.9: independent replications (fixed seeds), each a
long single-service day with Poisson arrivals, exponential service and c windows; the first
tenth of each replication is warm-up (the hall opens empty) and is not counted. The replications'
mean waits give a 99 % confidence interval (Student t); Erlang C's Wq must lie in it.

The replications are independent and seeded, so they run side by side in a small process pool
(the figures are the same as one after another); the suite otherwise runs on one core.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import statistics
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from server.domain.simulation import (
    Scenario,
    ServiceTime,
    WindowPlan,
    erlang_c,
    erlang_c_mean_wait,
    simulate,
)

MU = 10.0  # services per hour and window: a mean of 6 minutes
REPLICATIONS = 8
CUSTOMERS = 8000  # per replication
#: Student t, 99 % two-sided, REPLICATIONS − 1 = 7 degrees of freedom
T_99_7 = 3.499


def mmc(c: int, rho: float, seed: int) -> Scenario:
    lam = rho * c * MU
    hours = math.ceil(CUSTOMERS / lam)
    return Scenario(
        arrivals={"A": {h: lam for h in range(hours)}},
        service_times={"A": ServiceTime(60.0 / MU, "exponential")},
        staffing={h: [WindowPlan(w, ("A",)) for w in range(1, c + 1)] for h in range(hours)},
        seed=seed,
    )


def replication_mean_wait_min(c: int, rho: float, seed: int) -> float:
    scenario = mmc(c, rho, seed)
    warmup_s = max(scenario.staffing) * 3600.0 / 10
    waits = [w.wait_s for w in simulate(scenario).waits if w.arrival_s >= warmup_s]
    return statistics.fmean(waits) / 60.0


Mapper = Callable[..., Iterable[Any]]


@pytest.fixture(scope="module")
def parallel_map() -> Iterator[Mapper]:
    """`map` over the machine's cores (at most 2: the machine is shared); plain `map` on one."""
    workers = min(2, os.cpu_count() or 1)
    if workers < 2:
        yield map
        return
    # spawn, not fork: forking a process that may run threads (earlier tests' servers) can hang
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool.map


def test_erlang_c_formula_known_values() -> None:
    # M/M/1: P(wait) = ρ, Wq = ρ / (μ − λ)
    assert erlang_c(1, 0.8) == pytest.approx(0.8)
    assert erlang_c_mean_wait(1, 8.0, 10.0) == pytest.approx(0.8 / 2.0)
    # a textbook value: c = 2, a = 1 → C = 1/3
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


@pytest.mark.parametrize("c", [1, 3, 8])
@pytest.mark.parametrize("rho", [0.5, 0.8, 0.9])
def test_simulated_mean_wait_matches_erlang_c(c: int, rho: float, parallel_map: Mapper) -> None:
    theory_min = erlang_c_mean_wait(c, rho * c * MU, MU) * 60.0
    seeds = [1000 * c + int(rho * 100) + r for r in range(REPLICATIONS)]
    means = list(parallel_map(replication_mean_wait_min, [c] * REPLICATIONS, [rho] * REPLICATIONS, seeds))
    assert len(means) == REPLICATIONS
    centre = statistics.fmean(means)
    half = T_99_7 * statistics.stdev(means) / math.sqrt(REPLICATIONS)
    assert centre - half <= theory_min <= centre + half, (
        f"M/M/{c} at ρ={rho}: simulated {centre:.3f} ± {half:.3f} min, Erlang C {theory_min:.3f} min"
    )
    # and the interval is narrow enough to mean something: it excludes both "nobody waits" and
    # "twice the theory" (at ρ = 0.9 a queue's waits are long-correlated: wide, honestly)
    assert half < theory_min
