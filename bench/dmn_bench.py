"""DMN decision-table throughput, CivicFlow against pyDMNrules in the same run, same inputs.

    .venv/bin/pip install pyDMNrules        # the optional `bench` extra; never a runtime dependency
    .venv/bin/python bench/dmn_bench.py [--rounds N]

Measures evaluations per CPU-second (time.process_time) of ``Tier`` in
../shared/bench/dmn/bench-first-20.dmn (FIRST, 20 rules) over the 100 input sets of
bench-inputs.json, asserts that both engines give the expected outputs, and times loading the
TCK's 0100-arithmetic model (1,087 decisions).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from civicflow import dmn

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench" / "dmn"
ARITHMETIC = (
    ROOT.parent / "shared" / "data" / "dmn-tck" / "TestCases" / "compliance-level-3" / "0100-arithmetic"
) / "0100-arithmetic.dmn"


def rate(evaluate: Any, inputs: list[dict[str, Any]], rounds: int) -> tuple[float, list[Any]]:
    """Evaluations per CPU-second over ``rounds`` passes through ``inputs``; the last pass's outputs."""
    outputs: list[Any] = []
    start = time.process_time()
    for _ in range(rounds):
        outputs = [evaluate(i) for i in inputs]
    elapsed = time.process_time() - start
    return rounds * len(inputs) / elapsed, outputs


def civicflow_engine(explain: bool) -> Any:
    model = dmn.load(BENCH / "bench-first-20.dmn")

    def evaluate(inputs: dict[str, Any]) -> Any:
        return model.evaluate("Tier", inputs, explain=explain).outputs["Tier"]

    return evaluate


def pydmnrules_engine() -> Any:
    import pyDMNrules

    engine = pyDMNrules.DMN()
    status = engine.loadXML(str(BENCH / "bench-first-20.dmn"))
    if status.get("errors"):
        raise SystemExit(f"pyDMNrules could not load the model: {status['errors']}")

    def evaluate(inputs: dict[str, Any]) -> Any:
        status, result = engine.decide(dict(inputs))
        if status.get("errors"):
            raise SystemExit(f"pyDMNrules failed: {status['errors']}")
        values = result["Result"]
        return values.get("Tier.Tier", values.get("Tier"))

    return evaluate


def load_time() -> float:
    """Median CPU seconds to load 0100-arithmetic (5 runs)."""
    samples = []
    for _ in range(5):
        start = time.process_time()
        dmn.load(ARITHMETIC)
        samples.append(time.process_time() - start)
    return statistics.median(samples)


def first_evaluation_of_all() -> float:
    """CPU seconds to load 0100-arithmetic and evaluate each of its decisions once (compiling all)."""
    start = time.process_time()
    model = dmn.load(ARITHMETIC)
    for name in model.decision_names:
        model.evaluate(name, {}, explain=False)
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="passes over the 100 inputs for CivicFlow")
    parser.add_argument("--peer-rounds", type=int, default=2, help="passes for pyDMNrules (slow)")
    args = parser.parse_args()
    if not BENCH.is_dir():
        print(f"benchmark data not found at {BENCH}", file=sys.stderr)
        return 2
    data = json.loads((BENCH / "bench-inputs.json").read_text())
    inputs, expected = data["inputs"], data["expected"]

    results = {}
    for label, engine, rounds in (
        ("civicflow (explanation on)", civicflow_engine(explain=True), args.rounds),
        ("civicflow (explanation off)", civicflow_engine(explain=False), args.rounds),
    ):
        rate(engine, inputs, 2)  # warm up: compile, caches
        per_second, outputs = rate(engine, inputs, rounds)
        assert outputs == expected, f"{label}: outputs differ from the expected tiers"
        results[label] = per_second
    try:
        peer = pydmnrules_engine()
    except ImportError:
        print("pyDMNrules is not installed: .venv/bin/pip install pyDMNrules", file=sys.stderr)
        peer = None
    if peer is not None:
        per_second, outputs = rate(peer, inputs, args.peer_rounds)
        assert outputs == expected, "pyDMNrules: outputs differ from the expected tiers"
        results["pyDMNrules"] = per_second
    for label, per_second in results.items():
        print(f"{label:30s} {per_second:12,.0f} evaluations/CPU-s")
    if "pyDMNrules" in results:
        ratio = results["civicflow (explanation on)"] / results["pyDMNrules"]
        print(f"{'ratio civicflow/pyDMNrules':30s} {ratio:12,.0f} x")
    print("outputs identical: civicflow == pyDMNrules == expected (100 input sets)")
    if ARITHMETIC.is_file():
        print(f"{'load 0100-arithmetic':30s} {load_time():12.3f} CPU-s (median of 5)")
        print(f"{'  + evaluate all 1,087 once':30s} {first_evaluation_of_all():12.3f} CPU-s (compiles every decision)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
