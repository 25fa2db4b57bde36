"""The prediction core on synthetic cases whose durations have a known cause."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from civicflow.mining import BusinessCalendar
from civicflow.prediction import (
    CaseTrace,
    FeatureSpace,
    OpenCases,
    PredictionError,
    Step,
    TrainOptions,
    Transition,
    department_spans,
    moment_at,
    prefix_moments,
    seal,
    train,
    unseal,
)

START = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
TARGET = dt.timedelta(days=20)


def _case(n: int, rng: random.Random, *, running_at: dt.datetime | None = None) -> CaseTrace:
    """Intake (1 day), then a review: 'large' cases take about 15 days, 'small' ones about 3; then
    a payment wait of 1-6 days. Large cases often miss the 20-day target, small ones never do."""
    started = START + dt.timedelta(hours=12 * n)
    kind = "large" if rng.random() < 0.3 else "small"
    review = dt.timedelta(days=(15 if kind == "large" else 3) * rng.uniform(0.7, 1.3))
    at = started
    steps: list[Step] = []
    plan = (
        ("intake", dt.timedelta(days=rng.uniform(0.5, 1.5))),
        ("review", review),
        ("payment", dt.timedelta(days=rng.uniform(1, 6))),
    )
    finished = True
    for key, (element, duration) in enumerate(plan, start=1):
        if running_at is not None and at > running_at:
            finished = False
            break
        steps.append(Step(at=at, element=element, key=key, transition=Transition.START))
        if running_at is not None and at + duration > running_at:
            finished = False
            break
        at += duration
        steps.append(Step(at=at, element=element, key=key, transition=Transition.COMPLETE))
    ended = at if finished else None
    return CaseTrace(
        case_id=f"c{n}",
        service="permit",
        started=started,
        ended=ended,
        steps=tuple(steps),
        attributes={"size": kind, "floorArea": 400 if kind == "large" else 40},
    )


def _options(**overrides: object) -> TrainOptions:
    values: dict[str, object] = {
        "targets": {"permit": TARGET},
        "departments": {"intake": "intake", "review": "planning"},
        "horizon": dt.timedelta(days=40),
        "iterations": 40,
    }
    values.update(overrides)
    return TrainOptions(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def history() -> list[CaseTrace]:
    rng = random.Random(7)
    return [_case(n, rng) for n in range(260)]


@pytest.fixture(scope="module")
def trained(history: list[CaseTrace]):  # type: ignore[no-untyped-def]
    now = max(t.ended for t in history if t.ended) + dt.timedelta(days=1)  # type: ignore[type-var]
    return train(history, now=now, options=_options())


def test_prefixes_stop_before_the_end_and_see_nothing_later(history: list[CaseTrace]) -> None:
    trace = history[0]
    moments = list(prefix_moments(trace))
    assert moments
    assert all(m.at < trace.ended for m in moments)  # type: ignore[operator]
    assert [m.at for m in moments] == sorted({s.at for s in trace.steps if s.at < trace.ended})  # type: ignore[operator]
    # a prefix knows only what happened up to its moment
    first = moments[0]
    assert first.prefix.done == {}
    assert set(first.prefix.open.values()) == {("intake", trace.started)}
    assert moment_at(trace, first.at).prefix.steps == first.prefix.steps


def test_features_of_a_prefix_do_not_depend_on_its_future(history: list[CaseTrace]) -> None:
    space = FeatureSpace.learn(history, departments={"review": "planning"}, calendar=BusinessCalendar())
    trace = history[3]
    at = trace.steps[2].at + dt.timedelta(hours=5)
    cut = CaseTrace(
        case_id=trace.case_id,
        service=trace.service,
        started=trace.started,
        ended=None,
        steps=tuple(s for s in trace.steps if s.at <= at),
        attributes=trace.attributes,
    )
    workload = OpenCases.of([])
    full_row = space.encode([moment_at(trace, at)], workload)[0]
    cut_row = space.encode([moment_at(cut, at)], workload)[0]
    assert full_row == pytest.approx(cut_row, nan_ok=True)
    names = [c.name for c in space.columns]
    assert full_row[names.index("open:review")] == pytest.approx(5.0)
    assert full_row[names.index("done:intake")] == 1.0


def test_workload_counts_cases_open_at_a_moment() -> None:
    day = dt.timedelta(days=1)
    spans = [("a", START, START + 2 * day), ("a", START + day, None), ("b", START, START + day)]
    workload = OpenCases.of(spans)
    assert workload.at("a", START + day / 2) == 1
    assert workload.at("a", START + day) == 2
    assert workload.at("a", START + 3 * day) == 1
    assert workload.at("b", START + 3 * day) == 0


def test_a_department_queue_counts_its_activities_open_at_a_moment(history: list[CaseTrace]) -> None:
    day = dt.timedelta(days=1)
    steps = (
        Step(at=START, element="review", key=1, transition=Transition.START),
        Step(at=START + day, element="review", key=1, transition=Transition.COMPLETE),
        Step(at=START + day, element="review", key=2, transition=Transition.START),
        Step(at=START + 2 * day, element="review", key=2, transition=Transition.ABORT),
        Step(at=START, element="payment", key=3, transition=Transition.START),
    )
    one = CaseTrace(case_id="q1", service="permit", started=START, ended=None, steps=steps[:1])
    two = CaseTrace(case_id="q2", service="permit", started=START, ended=START + 3 * day, steps=steps)
    work = OpenCases.of([], work=department_spans([one, two], {"review": "planning"}))
    assert work.queue("planning", START) == 2  # q1's review runs on, q2's first one is open
    assert work.queue("planning", START + day / 2) == 2
    assert work.queue("planning", START + day) == 2  # q2's first closed, its second opened
    assert work.queue("planning", START + 2 * day) == 1  # the second aborted
    assert work.queue("intake", START) == 0
    assert OpenCases.of([]).queue("planning", START) == 0  # no work given: no queue

    # the feature row reads the queue of every department at the moment, nothing later
    space = FeatureSpace.learn(history, departments={"review": "planning"}, calendar=BusinessCalendar())
    names = [c.name for c in space.columns]
    row = space.encode([moment_at(two, START + day / 2)], work)[0]
    assert row[names.index("queue:planning")] == 2.0


def test_the_model_beats_the_historical_mean_and_ranks_sla_misses(trained) -> None:  # type: ignore[no-untyped-def]
    evaluation = trained.evaluation
    assert evaluation is not None
    assert evaluation.train_cases >= 60
    assert evaluation.test_cases >= 30
    assert 0 < evaluation.miss_rate < 0.5
    assert evaluation.mae_hours <= 0.7 * evaluation.baseline_mae_hours
    assert evaluation.improvement == pytest.approx(1 - evaluation.mae_hours / evaluation.baseline_mae_hours)
    assert evaluation.auc is not None
    assert evaluation.auc >= 0.8


def test_split_is_by_case_and_time(trained, history: list[CaseTrace]) -> None:  # type: ignore[no-untyped-def]
    split = trained.evaluation.split
    horizon = _options().effective_horizon()
    trained_on = [t for t in history if t.ended is not None and t.ended <= split and t.started <= split - horizon]
    assert trained.evaluation.train_cases == len(trained_on)
    # recent starts that had ended by the split are left out: only their quick ones had
    recent = [t for t in history if t.ended is not None and t.ended <= split and t.started > split - horizon]
    assert recent
    assert len(recent) < len(trained_on)


def test_running_cases_get_a_prediction_with_reasons(trained) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(99)
    now = START + dt.timedelta(days=260)
    cases = [_case(500 + n, rng, running_at=now) for n in range(40)]
    running = [c for c in cases if c.ended is None and any(s.element == "review" for s in c.steps)]
    large = [c for c in running if c.attributes["size"] == "large" and c.steps[-1].transition is Transition.START]
    small = [c for c in running if c.attributes["size"] == "small" and c.steps[-1].transition is Transition.START]
    assert large
    assert small
    moments = [moment_at(c, now) for c in (large[0], small[0])]
    big, little = trained.predictor.predict(moments, OpenCases.of([]))
    assert big.remaining > little.remaining
    assert big.sla_risk is not None
    assert little.sla_risk is not None
    assert big.sla_risk > little.sla_risk
    assert big.reasons
    assert len(big.reasons) <= 3
    effects = [abs(r.effect_hours) for r in big.reasons]
    assert effects == sorted(effects, reverse=True)
    assert {r.kind for r in big.reasons} & {"attribute", "open", "elapsed"}


def test_a_case_past_its_target_is_certain_to_miss(trained) -> None:  # type: ignore[no-untyped-def]
    late = CaseTrace(
        case_id="late",
        service="permit",
        started=START,
        ended=None,
        steps=(Step(at=START, element="review", key=1, transition=Transition.START),),
        attributes={"size": "small"},
    )
    (prediction,) = trained.predictor.predict([moment_at(late, START + TARGET * 2)], OpenCases.of([]))
    assert prediction.overdue
    assert prediction.sla_risk == 1.0


def test_sealed_models_load_only_with_the_key_and_unaltered(trained) -> None:  # type: ignore[no-untyped-def]
    key = b"k" * 32
    blob = seal(trained.predictor, key)
    again = unseal(blob, key)
    assert again.targets == trained.predictor.targets
    with pytest.raises(PredictionError, match="signature"):
        unseal(blob, b"x" * 32)
    altered = bytearray(blob)
    altered[-5] ^= 1
    with pytest.raises(PredictionError, match="signature"):
        unseal(bytes(altered), key)
    with pytest.raises(PredictionError, match="not a sealed"):
        unseal(b"pickle", key)


def test_too_little_history_is_refused(history: list[CaseTrace]) -> None:
    with pytest.raises(PredictionError, match="too little history: 5 finished cases"):
        train(history[:5], now=START + dt.timedelta(days=365), options=_options())
