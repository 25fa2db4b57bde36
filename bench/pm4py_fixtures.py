"""Compute reference figures with pm4py once and store them as test fixtures.

    /tmp/pm4pyvenv/bin/python bench/pm4py_fixtures.py            # every log, default time limits
    /tmp/pm4pyvenv/bin/python bench/pm4py_fixtures.py --logs pm4py/running-example.xes
    /tmp/pm4pyvenv/bin/python bench/pm4py_fixtures.py --refresh token_replay --replay-limit 600 \
        --logs pm4py/bpic2012.xes.gz   # redo one step on the stored net, keep the rest

Runs under an interpreter that has pm4py (the optional ``bench`` extra, kept in its own virtual
environment: pm4py is AGPL and never a dependency of civicflow; this script imports nothing from
civicflow). For each XES log in ../shared/data/eventlogs it writes
tests/fixtures/pm4py/<log>.json with pm4py's figures over *all* events (pm4py ignores
lifecycle:transition): the directly-follows counts, start and end activities, the per-edge median
durations, the variants (a SHA-256 of the sorted variant table plus the most frequent ones in
full), and, for the Petri net pm4py's inductive miner discovers (exported next to the JSON as
<log>.pnml so that CivicFlow replays the very same net), token-replay and alignment fitness
(token replay with pm4py's missing/consumed/remaining/produced counts of the most frequent variants).
A conformance step that does not finish within its time limit is recorded as not finished.
Logs are read with pm4py's own Python importer (``iterparse``), not r4pm, so the cross-check
does not share a parser with civicflow.mining.read_xes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT.parent / "shared" / "data" / "eventlogs"
OUT = ROOT / "tests" / "fixtures" / "pm4py"
# Every XES log pm4py reads; 19_roadtraffic_1t_per_variant has no trace ids (no cases to compare).
DEFAULT_LOGS = [
    "pm4py/running-example.xes",
    "pm4py/roadtraffic50traces.xes",
    "pm4py/roadtraffic100traces.xes",
    "pm4py/08_receipt.xes.gz",
    "pm4py/06_bpic2013_closed.xes.gz",
    "pm4py/07_bpic2013_incidents.xes.gz",
    "pm4py/helpdesk.xes.gz",
    "pm4py/12_roadtraffic_1t_per_variant.xes.gz",
    "pm4py/13_SEPSIS_1t_per_variant.xes.gz",
    "pm4py/14_Billing_1t_per_variant.xes.gz",
    "pm4py/15_bpic2020_permit_log_1t_per_variant.xes.gz",
    "pm4py/16_bpic2019_1t_per_variant.xes.gz",
    "pm4py/17_bpic2012_1t_per_variant.xes.gz",
    "pm4py/bpic2012.xes.gz",
    "simod/ConsultaDataMining201618.xes.gz",
    "bpic2020/DomesticDeclarations.xes.gz",
    "bpic2020/InternationalDeclarations.xes.gz",
    "bpic2020/PermitLog.xes.gz",
    "bpic2020/PrepaidTravelCost.xes.gz",
    "bpic2020/RequestForPayment.xes.gz",
]
TOP_VARIANTS = 20


def variants_digest(variants: dict[tuple[str, ...], int]) -> str:
    """SHA-256 of the variant table: one ``count<TAB>a<US>b<US>c`` line per variant, sorted.

    The test computes the same digest from civicflow.mining.variants, so equal digests mean equal
    tables without storing thousands of variants.
    """
    lines = sorted(f"{count}\t{chr(31).join(variant)}" for variant, count in variants.items())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def fixture_name(log: str) -> str:
    return log.replace("/", "__").removesuffix(".gz").removesuffix(".xes")


def read(path: Path) -> Any:
    import pm4py

    return pm4py.read_xes(str(path), variant="iterparse")


def frequencies(frame: Any) -> dict[str, Any]:
    import pm4py

    dfg, start, end = pm4py.discover_dfg(frame)
    performance, _, _ = pm4py.discover_performance_dfg(frame)
    variants = pm4py.get_variants(frame)
    ranked = sorted(variants.items(), key=lambda item: (-item[1], ",".join(item[0])))
    return {
        "cases": int(frame["case:concept:name"].nunique()),
        "events": len(frame),
        "dfg": sorted([a, b, int(n)] for (a, b), n in dfg.items()),
        "start_activities": {a: int(n) for a, n in sorted(start.items())},
        "end_activities": {a: int(n) for a, n in sorted(end.items())},
        "median_seconds": sorted([a, b, float(stats["median"])] for (a, b), stats in performance.items()),
        "variant_count": len(variants),
        "variants_sha256": variants_digest({tuple(v): int(n) for v, n in variants.items()}),
        "top_variants": [[list(v), int(n)] for v, n in ranked[:TOP_VARIANTS]],
    }


def _conformance_worker(path: str, pnml: str, kind: str, queue: Any) -> None:
    import pm4py

    frame = read(Path(path))
    net, initial, final = pm4py.read_pnml(pnml)
    start = time.process_time()
    if kind == "token_replay":
        from pm4py.algo.evaluation.replay_fitness.variants import token_replay as evaluation

        log = pm4py.convert_to_event_log(frame)
        traces = pm4py.conformance_diagnostics_token_based_replay(log, net, initial, final)
        seconds = time.process_time() - start
        result = evaluation.evaluate(traces)
        # the per-trace counts of the most frequent variants, for a per-variant cross-check
        counts: dict[tuple[str, ...], list[int]] = {}
        for trace, replay in zip(log, traces, strict=True):
            variant = tuple(event["concept:name"] for event in trace)
            if variant not in counts:
                keys = ("missing_tokens", "consumed_tokens", "remaining_tokens", "produced_tokens")
                counts[variant] = [1, *(int(replay[k]) for k in keys)]
            else:
                counts[variant][0] += 1
        ranked = sorted(counts.items(), key=lambda item: (-item[1][0], ",".join(item[0])))
        queue.put(
            {
                "finished": True,
                "cpu_seconds": round(seconds, 2),
                **{k: float(v) for k, v in result.items()},
                # [activities, cases, missing, consumed, remaining, produced]
                "top_variants": [[list(v), *c] for v, c in ranked[:TOP_VARIANTS]],
            }
        )
        return
    result = pm4py.fitness_alignments(frame, net, initial, final)
    seconds = time.process_time() - start
    queue.put({"finished": True, "cpu_seconds": round(seconds, 2), **{k: float(v) for k, v in result.items()}})


def conformance(path: Path, pnml: Path, kind: str, limit: float) -> dict[str, Any]:
    """Run one pm4py conformance step in its own process, so a time limit can stop it."""
    queue: Any = multiprocessing.Queue()
    worker = multiprocessing.Process(target=_conformance_worker, args=(str(path), str(pnml), kind, queue))
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        worker.terminate()
        worker.join()
        return {"finished": False, "limit_seconds": limit}
    if worker.exitcode != 0:
        return {"finished": False, "error": f"exit code {worker.exitcode}"}
    result: dict[str, Any] = queue.get()
    return result


def discover(frame: Any, pnml: Path, noise: float) -> dict[str, Any]:
    import pm4py

    net, initial, final = pm4py.discover_petri_net_inductive(frame, noise_threshold=noise)
    pm4py.write_pnml(net, initial, final, str(pnml))
    tree = pm4py.discover_process_tree_inductive(frame, noise_threshold=noise)
    return {
        "noise_threshold": noise,
        "pnml": pnml.name,
        "places": len(net.places),
        "transitions": len(net.transitions),
        "visible_transitions": sum(1 for t in net.transitions if t.label is not None),
        "process_tree": str(tree),
    }


def dumps(figures: dict[str, Any]) -> str:
    """JSON with one line per top-level key and per list item: small diffs when pm4py changes."""
    lines = []
    for key, value in figures.items():
        if isinstance(value, list) and value:
            items = ",\n  ".join(json.dumps(item, ensure_ascii=False) for item in value)
            lines.append(f" {json.dumps(key)}: [\n  {items}\n ]")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logs", nargs="*", default=DEFAULT_LOGS, help="paths under ../shared/data/eventlogs")
    parser.add_argument("--noise", type=float, default=0.2, help="inductive miner noise threshold (IMf)")
    parser.add_argument("--replay-limit", type=float, default=120, help="seconds for token replay per log")
    parser.add_argument("--align-limit", type=float, default=120, help="seconds for alignments per log")
    parser.add_argument(
        "--refresh",
        choices=["token_replay", "alignments"],
        help="only redo this step of existing fixtures, on their stored net (nothing is rediscovered)",
    )
    args = parser.parse_args()
    import pm4py

    OUT.mkdir(parents=True, exist_ok=True)
    for log in args.logs:
        path = LOGS / log
        name = fixture_name(log)
        if args.refresh:
            stored = json.loads((OUT / f"{name}.json").read_text())
            limit = args.replay_limit if args.refresh == "token_replay" else args.align_limit
            stored[args.refresh] = conformance(path, OUT / stored["discovery"]["pnml"], args.refresh, limit)
            (OUT / f"{name}.json").write_text(dumps(stored))
            print(f"{log}: {args.refresh} {stored[args.refresh]}", flush=True)
            continue
        started = time.time()
        frame = read(path)
        figures: dict[str, Any] = {"log": log, "pm4py": pm4py.__version__, "importer": "iterparse"}
        figures |= frequencies(frame)
        pnml = OUT / f"{name}.pnml"
        figures["discovery"] = discover(frame, pnml, args.noise)
        figures["token_replay"] = conformance(path, pnml, "token_replay", args.replay_limit)
        figures["alignments"] = conformance(path, pnml, "alignments", args.align_limit)
        (OUT / f"{name}.json").write_text(dumps(figures))
        print(
            f"{log}: {figures['events']} events, {figures['variant_count']} variants, "
            f"replay {figures['token_replay'].get('log_fitness', 'not finished')}, "
            f"alignments {figures['alignments'].get('log_fitness', 'not finished')} "
            f"({time.time() - started:.0f} s)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
