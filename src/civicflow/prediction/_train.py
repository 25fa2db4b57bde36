"""Training and held-out evaluation of the remaining-time and SLA-risk models.

Samples are prefixes of finished cases, one per distinct step time before the end (see
:func:`prefix_moments`). The evaluation splits by case and by time: among the finished cases that
started at least ``horizon`` before ``now`` (so that the slow ones among them have had time to
finish: the test set is not only the quick ones), the earlier ``train_fraction`` by start time is
the past; the model learns from the cases that had *ended* before the first later case started
(and had started a horizon before it: among recent starts only the quick ones have ended) and is
tested on the later cases. The model that is kept is then trained again, by the same rule, on the
cases finished by ``now``.

The baseline is the "historical mean": the mean remaining time of all training prefixes, one
number for every prediction. SLA risk is scored by ROC AUC over the test prefixes of cases not yet
past their processing target (a case already late needs no model).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from civicflow.mining import BusinessCalendar
from civicflow.prediction._errors import PredictionError
from civicflow.prediction._features import FeatureSpace, Moment, prefix_moments
from civicflow.prediction._predictor import Predictor, reference_row
from civicflow.prediction._trace import CaseTrace, OpenCases, department_spans

__all__ = ["Evaluation", "TrainOptions", "Trained", "train"]

_HOUR = 3600.0


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainOptions:
    """How to train: processing targets per service, split, horizon and model sizes."""

    targets: Mapping[str, dt.timedelta] = field(default_factory=dict)
    departments: Mapping[str, str] = field(default_factory=dict)
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    train_fraction: float = 0.75
    horizon: dt.timedelta | None = None  # None: 1.5 x the longest target, else 30 days
    min_cases: int = 20
    max_cases: int = 20000  # the newest finished cases, to bound training time
    iterations: int = 100
    seed: int = 0

    def effective_horizon(self) -> dt.timedelta:
        if self.horizon is not None:
            return self.horizon
        return max(self.targets.values(), default=dt.timedelta(days=20)) * 1.5


@dataclass(frozen=True, slots=True, kw_only=True)
class Evaluation:
    """Held-out figures; hours are mean absolute errors of remaining time."""

    train_cases: int
    test_cases: int
    test_prefixes: int
    excluded_running: int  # later cases still running at ``now`` (not in the test set)
    mae_hours: float
    baseline_mae_hours: float
    improvement: float  # 1 - mae / baseline
    auc: float | None  # None: the test prefixes hold one class only
    auc_prefixes: int
    miss_rate: float  # share of test cases that missed their target
    split: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "train_cases": self.train_cases,
            "test_cases": self.test_cases,
            "test_prefixes": self.test_prefixes,
            "excluded_running": self.excluded_running,
            "mae_hours": round(self.mae_hours, 2),
            "baseline_mae_hours": round(self.baseline_mae_hours, 2),
            "baseline": "mean remaining time of the training prefixes",
            "improvement": round(self.improvement, 4),
            "auc": None if self.auc is None else round(self.auc, 4),
            "auc_prefixes": self.auc_prefixes,
            "miss_rate": round(self.miss_rate, 4),
            "split": self.split.isoformat(),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Trained:
    predictor: Predictor
    cases: int  # finished cases the kept model learnt from
    prefixes: int
    evaluation: Evaluation | None  # None: too little history for a held-out test


def _missed(trace: CaseTrace, targets: Mapping[str, float]) -> bool:
    target = targets.get(trace.service)
    duration = trace.duration
    return target is not None and duration is not None and duration.total_seconds() > target


@dataclass(slots=True)
class _Samples:
    moments: list[Moment]
    remaining: list[float]
    missed: list[bool]

    @classmethod
    def of(cls, traces: Sequence[CaseTrace], targets: Mapping[str, float]) -> _Samples:
        samples = cls([], [], [])
        for trace in traces:
            if trace.ended is None:
                continue
            missed = _missed(trace, targets)
            for moment in prefix_moments(trace):
                samples.moments.append(moment)
                samples.remaining.append((trace.ended - moment.at).total_seconds() / _HOUR)
                samples.missed.append(missed)
        return samples


def _fit(
    traces: Sequence[CaseTrace], workload: OpenCases, options: TrainOptions, targets: dict[str, float]
) -> tuple[Predictor, _Samples]:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    space = FeatureSpace.learn(traces, departments=options.departments, calendar=options.calendar)
    samples = _Samples.of(traces, targets)
    rows = np.asarray(space.encode(samples.moments, workload), dtype=float)
    # a column never filled in training (an activity that never waits) carries nothing, and
    # scikit-learn's binning cannot take it
    filled = (~np.isnan(rows)).any(axis=0) if len(rows) else np.zeros(len(space.columns), dtype=bool)
    space = space.keeping(filled.tolist())
    rows = rows[:, filled]
    mask = np.asarray(space.categorical, dtype=bool)
    settings: dict[str, Any] = {
        "max_iter": options.iterations,
        "learning_rate": 0.1,
        "categorical_features": mask,
        "early_stopping": False,  # a fixed number of rounds: the same history gives the same model
        "random_state": options.seed,
        # shallow trees with large leaves: remaining time is mostly waiting on citizens and
        # reviewers, so deep trees learn noise (on the demo history depth 4 and leaves of ~1.3%
        # of the samples beat the defaults on held-out MAE and AUC; docs/prediction.md)
        "max_depth": 4,
        "min_samples_leaf": max(20, min(80, len(rows) // 75)),
        "l2_regularization": 1.0,
    }
    regressor = HistGradientBoostingRegressor(loss="absolute_error", **settings)
    regressor.fit(rows, np.asarray(samples.remaining))
    classifier = None
    if len(set(samples.missed)) == 2:
        classifier = HistGradientBoostingClassifier(**settings)
        classifier.fit(rows, np.asarray(samples.missed))
    predictor = Predictor(
        space=space,
        regressor=regressor,
        classifier=classifier,
        targets=targets,
        reference=reference_row(space, rows),
    )
    return predictor, samples


def _settled(finished: Sequence[CaseTrace], cut: dt.datetime, options: TrainOptions) -> list[CaseTrace]:
    """Cases that ended by ``cut`` and started at least a horizon before it.

    Among recent starts only the quick cases have ended: learning from them would teach the model
    that cases are quicker, and miss their target less often, than they do.
    """
    latest = cut - options.effective_horizon()
    return [t for t in finished if t.ended is not None and t.ended <= cut and t.started <= latest]


def _auc(labels: Sequence[bool], scores: Sequence[float]) -> float | None:
    """ROC AUC as the probability that a random positive outranks a random negative (ties half)."""
    if len(set(labels)) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(np.asarray(labels), np.asarray(scores)))


def _evaluate(  # noqa: PLR0917 - private, called once, each argument a different thing
    finished: Sequence[CaseTrace],
    running: Sequence[CaseTrace],
    workload: OpenCases,
    options: TrainOptions,
    targets: dict[str, float],
    now: dt.datetime,
) -> Evaluation | None:
    latest_start = now - options.effective_horizon()
    eligible = sorted((t for t in finished if t.started <= latest_start), key=lambda t: (t.started, t.case_id))
    if len(eligible) < options.min_cases:
        return None
    split = eligible[min(len(eligible) - 1, int(len(eligible) * options.train_fraction))].started
    # the past as it was known at the split: cases ended by then, and of those only the ones that
    # started a horizon earlier, since the slow ones among later starts had not ended yet
    past = _settled(finished, split, options)
    later = [t for t in eligible if t.started >= split]
    still_running = sum(1 for t in running if split <= t.started <= latest_start)
    if len(past) < options.min_cases or not later:
        return None
    predictor, trained = _fit(past, workload, options, targets)
    baseline = float(np.mean(trained.remaining))
    test = _Samples.of(later, targets)
    rows = predictor.space.encode(test.moments, workload)
    predicted = np.asarray(predictor.remaining_hours(rows))
    actual = np.asarray(test.remaining)
    mae = float(np.mean(np.abs(predicted - actual)))
    baseline_mae = float(np.mean(np.abs(baseline - actual)))
    scored = [
        (missed, risk)
        for moment, missed, risk in zip(test.moments, test.missed, predictor.miss_probability(rows), strict=True)
        if risk is not None
        and (moment.at - moment.trace.started).total_seconds() <= targets.get(moment.trace.service, float("inf"))
    ]
    auc = _auc([m for m, _r in scored], [r for _m, r in scored if r is not None])
    return Evaluation(
        train_cases=len(past),
        test_cases=len(later),
        test_prefixes=len(test.moments),
        excluded_running=still_running,
        mae_hours=mae,
        baseline_mae_hours=baseline_mae,
        improvement=1 - mae / baseline_mae if baseline_mae > 0 else 0.0,
        auc=auc,
        auc_prefixes=len(scored),
        miss_rate=sum(_missed(t, targets) for t in later) / len(later),
        split=split,
    )


def train(traces: Sequence[CaseTrace], *, now: dt.datetime, options: TrainOptions | None = None) -> Trained:
    """Evaluate on held-out later cases, then train the kept model on every case finished by ``now``."""
    from threadpoolctl import threadpool_limits

    # one thread: training runs inside the worker next to jobs and web processes, and OpenMP's
    # spinning threads on a busy machine cost far more than they gain
    with threadpool_limits(limits=1):
        return _train(traces, now=now, options=options)


def _train(traces: Sequence[CaseTrace], *, now: dt.datetime, options: TrainOptions | None) -> Trained:
    options = options or TrainOptions()
    targets = {service: target.total_seconds() for service, target in options.targets.items()}
    known = [t for t in traces if t.ended is not None and t.ended <= now]
    running = [t for t in traces if t.ended is None or t.ended > now]
    finished = _settled(known, now, options)
    if len(finished) < options.min_cases:
        raise PredictionError(
            f"too little history: {len(finished)} finished cases, at least {options.min_cases} needed"
        )
    finished = sorted(finished, key=lambda t: (t.started, t.case_id))[-options.max_cases :]
    workload = OpenCases.of(
        ((t.service, t.started, t.ended) for t in traces), work=department_spans(traces, options.departments)
    )
    evaluation = _evaluate(finished, running, workload, options, targets, now)
    predictor, samples = _fit(finished, workload, options, targets)
    return Trained(predictor=predictor, cases=len(finished), prefixes=len(samples.moments), evaluation=evaluation)
