"""Conformance figures against pm4py's, computed once by pm4py on the same logs and nets.

Two sources: the pm4py fixtures (tests/fixtures/pm4py, written by bench/pm4py_fixtures.py: an
IMf net per log as PNML plus pm4py's token-replay and alignment figures), and a few figures
pm4py 2.7.23 gave on the shared PNML models (quoted below). Alignment fitness must agree to
1e-6 (it is exact: optimal costs), token-replay fitness within 0.01 (a heuristic replay).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from civicflow.mining import align, compile_net, read_pnml, read_xes, token_replay

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pm4py"
LOGS = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs"
# Logs above ~100k events take seconds to read: marked slow, still in the suite.
LARGE = 100_000


def _cases() -> list[Any]:
    params = []
    for path in sorted(FIXTURES.glob("*.json")):
        figures = json.loads(path.read_text())
        if "discovery" not in figures or not str(figures["log"]).endswith((".xes", ".xes.gz")):
            continue
        marks = [pytest.mark.slow] if figures.get("events", 0) > LARGE else []
        params.append(pytest.param(figures, id=path.stem, marks=marks))
    return params or [pytest.param(None, marks=pytest.mark.skip(reason=f"no pm4py fixtures in {FIXTURES}"))]


@pytest.mark.parametrize("figures", _cases())
def test_fitness_agrees_with_pm4py(figures: dict[str, Any]) -> None:
    log = read_xes(LOGS / figures["log"])
    net = compile_net(read_pnml(FIXTURES / figures["discovery"]["pnml"]))
    replay, aligned = figures["token_replay"], figures["alignments"]
    if replay.get("finished"):
        ours = token_replay(log, net, precision=False)
        assert ours.fitness == pytest.approx(replay["log_fitness"], abs=0.01)
    if aligned.get("finished"):
        result = align(log, net)
        assert result.not_aligned == 0
        assert result.log_fitness == pytest.approx(aligned["log_fitness"], abs=1e-6)
        assert result.average_fitness == pytest.approx(aligned["averageFitness"], abs=1e-6)
        assert result.fitting_traces_share * 100 == pytest.approx(aligned["percFitTraces"], abs=1e-6)


@pytest.mark.parametrize(
    ("log", "model", "replay_fitness", "precision", "alignment_fitness"),
    [
        # pm4py 2.7.23: fitness_token_based_replay, precision_token_based_replay, fitness_alignments
        ("running-example.xes", "running-example.pnml", 1.0, 0.7530864197530864, 0.9999791670138831),
        ("12_roadtraffic_1t_per_variant.xes.gz", "roadtraffic.pnml", 1.0, 0.5065373260227752, 0.9998647090013612),
    ],
)
def test_shared_models_agree_with_pm4py(
    log: str, model: str, replay_fitness: float, precision: float, alignment_fitness: float
) -> None:
    events = read_xes(LOGS / "pm4py" / log)
    net = compile_net(read_pnml(LOGS / "pm4py" / model))
    replay = token_replay(events, net)
    assert replay.fitness == pytest.approx(replay_fitness, abs=1e-9)
    assert replay.precision == pytest.approx(precision, abs=1e-9)
    assert align(events, net).log_fitness == pytest.approx(alignment_fitness, abs=1e-9)
