"""Is a difference between two versions of a process real? The tests a pilot dashboard reports.

- Durations and costs per case: the Mann-Whitney U test, two-sided (scipy: exact for small samples
  without ties, the normal approximation with tie and continuity correction otherwise). Durations
  are skewed and have long tails, so a rank test is the honest choice, not a t-test on means.
  Each version's median comes with a distribution-free 95% interval from binomial order statistics.
- Rates (SLA compliance, rework, incidents, satisfaction): the pooled two-proportion z test,
  two-sided; each version's rate comes with a Wilson score 95% interval, which behaves near 0 and 1
  where the textbook interval does not.

A test with too little data to say anything answers ``p_value=None`` with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats  # type: ignore[import-untyped]  # scipy ships no type hints

__all__ = [
    "ALPHA",
    "Comparison",
    "Interval",
    "mann_whitney",
    "median_interval",
    "two_proportions",
    "wilson_interval",
]

ALPHA = 0.05  # the significance level the dashboard states
_Z95 = 1.959963984540054  # the standard normal's 97.5th percentile
# Below these sizes a test says nothing useful: the rank test needs a few cases on each side, and
# the z test's normal approximation needs at least five successes and failures per side.
MIN_CASES = 5
MIN_EXPECTED = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class Interval:
    """An estimate with its 95% interval (bounds None when there is too little data)."""

    estimate: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """The outcome of one test: its name, statistic, p-value (None: not computable) and why."""

    test: str
    statistic: float | None
    p_value: float | None
    note: str = ""

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < ALPHA


def wilson_interval(successes: int, total: int) -> Interval:
    """The rate ``successes / total`` with its Wilson score 95% interval."""
    if total <= 0:
        return Interval(estimate=None, low=None, high=None)
    p = successes / total
    z2 = _Z95 * _Z95
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = _Z95 * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    return Interval(estimate=p, low=max(0.0, centre - half), high=min(1.0, centre + half))


def median_interval(values: Sequence[float]) -> Interval:
    """The median with a distribution-free 95% interval: order statistics from Binomial(n, 1/2)."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return Interval(estimate=None, low=None, high=None)
    median = float(ordered[(n - 1) // 2] + ordered[n // 2]) / 2
    # the rank j with P(Binomial(n, 1/2) <= j - 1) < 2.5%: [x_(j), x_(n+1-j)] covers the median with
    # at least 95%; below six values even (min, max) covers less, and j is 0
    j = int(stats.binom.ppf(0.025, n, 0.5))
    if j < 1:
        return Interval(estimate=median, low=None, high=None)
    return Interval(estimate=median, low=float(ordered[j - 1]), high=float(ordered[n - j]))


def mann_whitney(first: Sequence[float], second: Sequence[float]) -> Comparison:
    """Two-sided Mann-Whitney U test of ``first`` against ``second``; U is ``first``'s statistic."""
    name = "Mann-Whitney U (two-sided)"
    if len(first) < MIN_CASES or len(second) < MIN_CASES:
        return Comparison(
            test=name, statistic=None, p_value=None, note=f"needs at least {MIN_CASES} finished cases per version"
        )
    if len(set(first) | set(second)) == 1:
        return Comparison(test=name, statistic=len(first) * len(second) / 2, p_value=1.0, note="all values equal")
    result = stats.mannwhitneyu(first, second, alternative="two-sided", method="auto")
    return Comparison(test=name, statistic=float(result.statistic), p_value=float(result.pvalue))


def two_proportions(successes: tuple[int, int], totals: tuple[int, int]) -> Comparison:
    """Pooled two-proportion z test, two-sided: is ``s1/n1`` different from ``s2/n2``?"""
    name = "two-proportion z (two-sided)"
    (s1, s2), (n1, n2) = successes, totals
    if n1 == 0 or n2 == 0:
        return Comparison(test=name, statistic=None, p_value=None, note="no cases in one version")
    pooled = (s1 + s2) / (n1 + n2)
    expected = min(n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled))
    if expected < MIN_EXPECTED:
        return Comparison(
            test=name,
            statistic=None,
            p_value=None,
            note=f"needs at least {MIN_EXPECTED} expected successes and failures per version",
        )
    error = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (s1 / n1 - s2 / n2) / error
    return Comparison(test=name, statistic=z, p_value=float(2 * stats.norm.sf(abs(z))))
