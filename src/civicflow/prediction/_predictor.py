"""A trained predictor: remaining time and SLA-miss probability of running cases, with reasons.

Reasons are the features that move this case's predicted remaining time most. For each group of
columns where the case differs from a typical training prefix (the ``reference`` row: medians,
most frequent categories, "not open"), the group is set to the typical value and the case is
predicted again; the difference is that group's effect. It is a one-at-a-time comparison, not a
decomposition: effects need not add up to the prediction, and features that only matter together
show up weaker than they are. It is cheap (one extra row per differing group) and honest about
what it measures: "had this been typical, the prediction would be N hours lower".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from civicflow.prediction._features import FeatureSpace, Moment
from civicflow.prediction._trace import OpenCases

__all__ = ["Prediction", "Predictor", "Reason"]

_HOUR = 3600.0
REASONS = 3
# effects smaller than this are noise for a reader counting in days
_MIN_EFFECT_HOURS = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """A feature and how it moves the predicted remaining time (hours, + is longer)."""

    kind: str
    subject: str
    value: float | str | None
    effect_hours: float

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "value": self.value, "effect_hours": self.effect_hours}


@dataclass(frozen=True, slots=True, kw_only=True)
class Prediction:
    """Expected remaining time, probability of missing the processing target (None: no target)."""

    remaining: dt.timedelta
    sla_risk: float | None
    overdue: bool
    reasons: tuple[Reason, ...]


def _groups(space: FeatureSpace) -> list[tuple[str, str, list[int]]]:
    """Columns that are read together: elapsed calendar and working time are one reason."""
    groups: dict[tuple[str, str], list[int]] = {}
    for n, column in enumerate(space.columns):
        kind = "elapsed" if column.kind == "working_elapsed" else column.kind
        groups.setdefault((kind, column.subject), []).append(n)
    return [(kind, subject, columns) for (kind, subject), columns in groups.items()]


def _differs(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) != math.isnan(b)
    return abs(a - b) > 1e-9


@dataclass(frozen=True, slots=True, kw_only=True)
class Predictor:
    """The feature space, the two models and what they were trained against."""

    space: FeatureSpace
    regressor: Any  # sklearn HistGradientBoostingRegressor (remaining hours)
    classifier: Any | None  # sklearn HistGradientBoostingClassifier (missed the target), None: one class only
    targets: dict[str, float]  # service -> processing target in seconds
    reference: tuple[float, ...]

    def remaining_hours(self, rows: Sequence[Sequence[float]]) -> list[float]:
        if not rows:
            return []
        values = self.regressor.predict(np.asarray(rows, dtype=float))
        return [max(0.0, float(v)) for v in values]

    def miss_probability(self, rows: Sequence[Sequence[float]]) -> list[float | None]:
        if not rows or self.classifier is None:
            return [None] * len(rows)
        positive = list(self.classifier.classes_).index(True)
        return [float(p[positive]) for p in self.classifier.predict_proba(np.asarray(rows, dtype=float))]

    def predict(self, moments: Sequence[Moment], workload: OpenCases) -> list[Prediction]:
        """Predictions for running cases at their moments, with up to three reasons each."""
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):  # see train(): no OpenMP thread pool in the worker
            return self._predict(moments, workload)

    def _predict(self, moments: Sequence[Moment], workload: OpenCases) -> list[Prediction]:
        rows = self.space.encode(moments, workload)
        hours = self.remaining_hours(rows)
        risks = self.miss_probability(rows)
        effects = self._effects(rows, hours)
        results = []
        for moment, row_hours, risk, reasons in zip(moments, hours, risks, effects, strict=True):
            target = self.targets.get(moment.trace.service)
            elapsed = (moment.at - moment.trace.started).total_seconds()
            overdue = target is not None and elapsed > target
            if target is None:
                risk = None
            elif overdue:
                risk = 1.0  # already past the target: no model needed
            results.append(
                Prediction(remaining=dt.timedelta(hours=row_hours), sla_risk=risk, overdue=overdue, reasons=reasons)
            )
        return results

    def _effects(self, rows: list[list[float]], hours: list[float]) -> list[tuple[Reason, ...]]:
        groups = _groups(self.space)
        variants: list[list[float]] = []
        owners: list[tuple[int, str, str, int]] = []  # (row, kind, subject, first column)
        for n, row in enumerate(rows):
            for kind, subject, columns in groups:
                if not any(_differs(row[c], self.reference[c]) for c in columns):
                    continue
                variant = list(row)
                for c in columns:
                    variant[c] = self.reference[c]
                variants.append(variant)
                owners.append((n, kind, subject, columns[0]))
        typical = self.remaining_hours(variants)
        found: list[list[Reason]] = [[] for _ in rows]
        for (n, kind, subject, column), other in zip(owners, typical, strict=True):
            effect = hours[n] - other
            if abs(effect) >= _MIN_EFFECT_HOURS:
                found[n].append(
                    Reason(
                        kind=kind, subject=subject, value=self._value(rows[n], column), effect_hours=round(effect, 1)
                    )
                )
        return [tuple(sorted(items, key=lambda r: -abs(r.effect_hours))[:REASONS]) for items in found]

    def _value(self, row: Sequence[float], column: int) -> float | str | None:
        value = row[column]
        if math.isnan(value):
            return None
        categories = self.space.columns[column].categories
        if categories:
            return categories[int(value)]
        return round(value, 2)


def reference_row(space: FeatureSpace, rows: np.ndarray[Any, Any]) -> tuple[float, ...]:
    """A typical training prefix: per column the median, the most frequent category, or missing."""
    reference = []
    for n, column in enumerate(space.columns):
        values = rows[:, n]
        present = values[~np.isnan(values)]
        if len(present) * 2 < len(values) or len(present) == 0:
            reference.append(math.nan)  # mostly missing: "not open", "no value" is typical
        elif column.categorical:
            codes, counts = np.unique(present, return_counts=True)
            reference.append(float(codes[int(np.argmax(counts))]))
        else:
            reference.append(float(np.median(present)))
    return tuple(reference)
