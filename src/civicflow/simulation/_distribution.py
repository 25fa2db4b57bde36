"""Duration distributions: fitted from observed durations, sampled with a caller's ``random.Random``."""

from __future__ import annotations

import math
import random  # noqa: TID251 - only random.Random seeded from the caller's generator; never the module functions
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from civicflow.simulation._errors import ParameterError

__all__ = ["Distribution", "DistributionKind", "fit_distribution"]

# An empirical distribution keeps at most this many quantiles: enough for the shape, small in JSON.
_EMPIRICAL_POINTS = 200


class DistributionKind(StrEnum):
    FIXED = "fixed"
    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"
    EMPIRICAL = "empirical"


@dataclass(frozen=True, slots=True, kw_only=True)
class Distribution:
    """Seconds. ``never`` is the probability that the step does not end by itself (a message that never
    comes, a task nobody does): only a boundary event or the end of the run ends it then."""

    kind: DistributionKind
    mean: float = 0.0  # fixed value, or exponential mean
    mu: float = 0.0  # lognormal: mean of log seconds
    sigma: float = 0.0  # lognormal: standard deviation of log seconds
    points: tuple[float, ...] = ()  # empirical: sorted quantiles
    never: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.never <= 1.0:
            raise ParameterError("never must be a probability")
        if self.kind == DistributionKind.EMPIRICAL and not self.points:
            raise ParameterError("an empirical distribution needs points")
        if self.mean < 0 or self.sigma < 0 or any(p < 0 for p in self.points):
            raise ParameterError("durations cannot be negative")

    @classmethod
    def fixed(cls, seconds: float) -> Distribution:
        return cls(kind=DistributionKind.FIXED, mean=seconds)

    @classmethod
    def exponential(cls, mean: float) -> Distribution:
        return cls(kind=DistributionKind.EXPONENTIAL, mean=mean)

    def sample(self, rng: random.Random) -> float:
        """One duration in seconds; ``math.inf`` for "never ends by itself"."""
        if self.never and rng.random() < self.never:
            return math.inf
        if self.kind == DistributionKind.FIXED:
            return self.mean
        if self.kind == DistributionKind.EXPONENTIAL:
            return rng.expovariate(1.0 / self.mean) if self.mean > 0 else 0.0
        if self.kind == DistributionKind.LOGNORMAL:
            return rng.lognormvariate(self.mu, self.sigma)
        # empirical: linear interpolation between the stored quantiles
        position = rng.random() * (len(self.points) - 1)
        low = int(position)
        high = min(low + 1, len(self.points) - 1)
        return self.points[low] + (self.points[high] - self.points[low]) * (position - low)

    @property
    def expected(self) -> float:
        """Mean of the finite part, in seconds."""
        if self.kind in (DistributionKind.FIXED, DistributionKind.EXPONENTIAL):
            return self.mean
        if self.kind == DistributionKind.LOGNORMAL:
            return math.exp(self.mu + self.sigma**2 / 2)
        return sum(self.points) / len(self.points)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.kind in (DistributionKind.FIXED, DistributionKind.EXPONENTIAL):
            data["mean"] = self.mean
        elif self.kind == DistributionKind.LOGNORMAL:
            data |= {"mu": self.mu, "sigma": self.sigma}
        else:
            data["points"] = list(self.points)
        if self.never:
            data["never"] = self.never
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Distribution:
        if not isinstance(data, dict):
            raise ParameterError(f"a distribution is an object, not {data!r}")
        try:
            kind = DistributionKind(data["kind"])
            return cls(
                kind=kind,
                mean=float(data.get("mean", 0.0)),
                mu=float(data.get("mu", 0.0)),
                sigma=float(data.get("sigma", 0.0)),
                points=tuple(sorted(float(p) for p in data.get("points", ()))),
                never=float(data.get("never", 0.0)),
            )
        except (KeyError, ValueError, TypeError) as error:
            raise ParameterError(f"bad distribution {data!r}: {error}") from None


def _quantiles(values: Sequence[float]) -> tuple[float, ...]:
    ordered = sorted(values)
    if len(ordered) <= _EMPIRICAL_POINTS:
        return tuple(ordered)
    last = len(ordered) - 1
    return tuple(ordered[round(i * last / (_EMPIRICAL_POINTS - 1))] for i in range(_EMPIRICAL_POINTS))


def fit_distribution(values: Sequence[float], *, never: int = 0, kind: DistributionKind | None = None) -> Distribution:
    """Fit durations (seconds); ``never`` counts the instances that did not end by themselves.

    Without ``kind`` the empirical distribution is used when there are enough observations (it keeps
    multi-modal shapes such as "answered in days or after the reminder"), else a lognormal, else fixed.
    """
    finite = [v for v in values if math.isfinite(v) and v >= 0]
    total = len(finite) + never
    share = never / total if total else 0.0
    if not finite:
        return Distribution(kind=DistributionKind.FIXED, mean=0.0, never=1.0 if never else 0.0)
    chosen = kind or (DistributionKind.EMPIRICAL if len(finite) >= 30 else DistributionKind.LOGNORMAL)
    if chosen == DistributionKind.LOGNORMAL and min(finite) <= 0:
        chosen = DistributionKind.EMPIRICAL
    if chosen == DistributionKind.FIXED or max(finite) == min(finite):
        return Distribution(kind=DistributionKind.FIXED, mean=sum(finite) / len(finite), never=share)
    if chosen == DistributionKind.EXPONENTIAL:
        return Distribution(kind=chosen, mean=sum(finite) / len(finite), never=share)
    if chosen == DistributionKind.LOGNORMAL:
        logs = [math.log(v) for v in finite]
        mu = sum(logs) / len(logs)
        sigma = math.sqrt(sum((x - mu) ** 2 for x in logs) / max(1, len(logs) - 1))
        return Distribution(kind=chosen, mu=mu, sigma=sigma, never=share)
    return Distribution(kind=DistributionKind.EMPIRICAL, points=_quantiles(finite), never=share)
