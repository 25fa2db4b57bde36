"""Arrival times: a Poisson process whose rate is set per weekday and hour."""

from __future__ import annotations

import math
import random  # noqa: TID251 - only random.Random seeded from the caller's generator; never the module functions
from datetime import timedelta

from civicflow.simulation._errors import ParameterError
from civicflow.simulation._params import SimulationParams

__all__ = ["arrival_times"]


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method; hourly arrival means are small
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def arrival_times(params: SimulationParams, rng: random.Random, cases: int | None) -> list[float]:
    if params.arrivals.per_week <= 0:
        raise ParameterError("the arrival rate is zero: no case would ever arrive")
    times: list[float] = []
    hours = math.ceil(params.arrival_days * 24)
    hour = 0
    while (cases is None and hour < hours) or (cases is not None and len(times) < cases):
        mean = params.arrivals.rate(params.start + timedelta(hours=hour))
        if mean > 0:
            times.extend(sorted(hour * 3600 + rng.random() * 3600 for _ in range(_poisson(rng, mean))))
        hour += 1
    return times[:cases] if cases is not None else times
