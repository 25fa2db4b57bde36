"""Process mining: civicflow.mining against pm4py in the same run, on the same logs and nets.

    .venv/bin/python bench/mining_bench.py --pm4py-python /tmp/pm4pyvenv/bin/python [--rounds 3]

pm4py (AGPL, the optional ``bench`` extra) is installed in its own virtual environment and runs
only in worker processes started from here with that interpreter; this file's pm4py branch never
imports civicflow, and the civicflow branch never imports pm4py. Every (library, step, log) runs
in a fresh process that reads the log (untimed except for the import steps), times the step with
``time.process_time`` (CPU seconds of all threads: polars is multi-threaded, pm4py mostly not),
checks its result and reports ``ru_maxrss``, the process's peak resident memory. Figures are the
median over ``--rounds``; ratios are pm4py / civicflow CPU seconds from the same run.

Logs: ../shared/data/eventlogs/pm4py/bpic2012.xes.gz and a generated log of at least a million
events (bpic2012's cases repeated with shifted times, jittered events and shuffled trace order),
written once to /tmp/civicflow-bench/ and reused.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BPIC2012 = ROOT.parent / "shared" / "data" / "eventlogs" / "pm4py" / "bpic2012.xes.gz"
WORK = Path("/tmp/civicflow-bench")
# (step, target: pm4py CPU / civicflow CPU must reach this); imports are compared separately.
STEPS = [
    ("import", None),
    ("dfg", 5.0),
    ("variants", 5.0),
    ("performance_dfg", 5.0),
    ("case_durations", 5.0),
    ("handover", 5.0),
    ("inductive", 2.0),
    ("token_replay", 10.0),
    ("alignments", 10.0),
]
# pm4py's inductive-miner net for bpic2012 (bench/pm4py_fixtures.py); the generated log has the
# same activities, so both libraries replay and align both logs on this one net.
NET = ROOT / "tests" / "fixtures" / "pm4py" / "pm4py__bpic2012.pnml"
NOISE = 0.2
IMPORT_TARGETS = {"import_r4pm": 1.0, "import_default": 5.0}


# --- workers -------------------------------------------------------------------------------


def _civicflow(step: str, log_path: str) -> tuple[float, Any]:
    from civicflow import mining

    def replay() -> float:
        return mining.token_replay(events, mining.read_pnml(NET), precision=False).fitness

    def alignments() -> str:
        result = mining.align(events, mining.read_pnml(NET))
        return f"{result.log_fitness} ({result.not_aligned} variants not aligned)"

    if step == "import":
        start = time.process_time()
        log = mining.read_xes(log_path)
        return time.process_time() - start, log.event_count
    log = mining.read_xes(log_path)
    # pm4py reads every event whatever its lifecycle:transition; so do we, for the same input
    events = log.events.drop(mining.LIFECYCLE, strict=False)
    work = {
        "dfg": lambda: len(mining.directly_follows_graph(log, lifecycle_aware=False).edges),
        "variants": lambda: mining.variants(log).height,
        "performance_dfg": lambda: mining.directly_follows(log, lifecycle_aware=False).height,
        "case_durations": lambda: mining.case_durations(log).height,
        "handover": lambda: mining.handover_of_work(log).height,
        "inductive": lambda: len(str(mining.discover_process_tree(events, noise_threshold=NOISE))),
        "token_replay": replay,
        "alignments": alignments,
    }[step]
    start = time.process_time()
    result = work()
    return time.process_time() - start, result


def _pm4py(step: str, log_path: str) -> tuple[float, Any]:
    import warnings

    warnings.simplefilter("ignore")
    import pm4py

    if step in ("import_r4pm", "import_default"):
        # pm4py's default importer when r4pm is absent is chunk_regex; it fails on files with
        # keyless meta-attributes (bpic2012), where pm4py's other Python importer is timed.
        variants = ["r4pm"] if step == "import_r4pm" else ["chunk_regex", "iterparse"]
        for variant in variants:
            start = time.process_time()
            try:
                frame = pm4py.read_xes(log_path, variant=variant)
            except Exception:  # fall through to the next importer
                continue
            return time.process_time() - start, f"{len(frame)} ({variant})"
        raise RuntimeError("no pm4py importer read the log")
    frame = pm4py.read_xes(log_path, variant="r4pm")
    if step == "handover" and "org:resource" in frame:
        # pm4py's handover fails on a missing resource (str < float); ours counts it as "(unknown)"
        frame["org:resource"] = frame["org:resource"].fillna("(unknown)")

    def replay() -> float:
        net, initial, final = pm4py.read_pnml(str(NET))
        return pm4py.fitness_token_based_replay(frame, net, initial, final)["log_fitness"]

    def alignments() -> float:
        net, initial, final = pm4py.read_pnml(str(NET))
        return pm4py.fitness_alignments(frame, net, initial, final)["log_fitness"]

    work = {
        "dfg": lambda: len(pm4py.discover_dfg(frame)[0]),
        "variants": lambda: len(pm4py.get_variants(frame)),
        "performance_dfg": lambda: len(pm4py.discover_performance_dfg(frame)[0]),
        "case_durations": lambda: len(pm4py.get_all_case_durations(frame)),
        "handover": lambda: len(pm4py.discover_handover_of_work_network(frame).connections),
        "inductive": lambda: len(str(pm4py.discover_process_tree_inductive(frame, noise_threshold=NOISE))),
        "token_replay": replay,
        "alignments": alignments,
    }[step]
    start = time.process_time()
    result = work()
    return time.process_time() - start, result


def worker(library: str, step: str, log_path: str) -> None:
    seconds, result = (_civicflow if library == "civicflow" else _pm4py)(step, log_path)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"cpu": seconds, "peak_mb": peak_mb, "result": str(result)}))


# --- the generated log ---------------------------------------------------------------------


def generated_log(events: int) -> Path:
    """bpic2012 repeated until ``events`` events: shifted times, jittered events, shuffled traces.

    Written as XES text with polars expressions (write_xes goes row by row: too slow for a
    million events on a busy machine); each timestamp keeps its original offset.
    """
    import gzip
    import random

    import polars as pl

    from civicflow import mining

    path = WORK / f"generated-{events}.xes.gz"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    base = mining.read_xes(BPIC2012).events
    copies = -(-events // base.height)
    rng = random.Random(2012)  # a reproducible benchmark
    frames = []
    for copy in range(copies):
        jitter = pl.Series([rng.randint(0, 30_000_000) for _ in range(base.height)])  # up to 30 s, in us
        frames.append(
            base.with_columns(
                (pl.col(mining.CASE) + f"-{copy}").alias(mining.CASE),
                pl.col(mining.TIMESTAMP) + pl.duration(days=400 * copy) + pl.duration(microseconds=jitter),
            )
        )
    order = pl.concat(frames)[mining.CASE].unique().sort().to_list()
    rng.shuffle(order)
    rank = pl.DataFrame({mining.CASE: order, "_rank": range(len(order))})
    frame = pl.concat(frames).join(rank, on=mining.CASE).sort("_rank", mining.TIMESTAMP)
    temp = path.with_suffix(".tmp")
    temp.write_bytes(gzip.compress(_xes_text(frame, mining).encode(), compresslevel=3))
    temp.rename(path)
    return path


def _xes_text(frame: Any, mining: Any) -> str:
    import polars as pl

    def text(column: str) -> Any:
        escaped = pl.col(column).cast(pl.Utf8).fill_null("")
        for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
            escaped = escaped.str.replace_all(raw, entity, literal=True)
        return escaped

    offset = pl.col(mining.OFFSET).fill_null(0)
    local = pl.col(mining.TIMESTAMP).dt.replace_time_zone(None) + pl.duration(minutes=offset)
    zone = pl.format(
        "{}{}:{}",
        pl.when(offset < 0).then(pl.lit("-")).otherwise(pl.lit("+")),
        (offset.abs() // 60).cast(pl.Utf8).str.zfill(2),
        (offset.abs() % 60).cast(pl.Utf8).str.zfill(2),
    )
    case = pl.col(mining.CASE)
    event = pl.format(
        '<event><string key="concept:name" value="{}"/><string key="org:resource" value="{}"/>'
        '<string key="lifecycle:transition" value="{}"/><date key="time:timestamp" value="{}{}"/></event>',
        text(mining.ACTIVITY),
        text(mining.RESOURCE),
        text(mining.LIFECYCLE),
        local.dt.strftime("%Y-%m-%dT%H:%M:%S%.3f"),
        zone,
    )
    opening = pl.when(case != case.shift(1).fill_null("")).then(
        pl.format('<trace><string key="concept:name" value="{}"/>', text(mining.CASE))
    )
    closing = pl.when(case != case.shift(-1).fill_null("")).then(pl.lit("</trace>"))
    lines = frame.select(pl.concat_str([opening.fill_null(""), event, closing.fill_null("")]).alias("x"))["x"]
    header = '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
    return header + "\n".join(lines.to_list()) + "\n</log>\n"


# --- the parent ----------------------------------------------------------------------------


def run(python: str, library: str, step: str, log: Path, limit: float) -> dict[str, Any]:
    command = [python, __file__, "--worker", library, "--step", step, "--log", str(log)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=limit)
    except subprocess.TimeoutExpired:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        # CPU the stopped worker used, reading the log included: a lower bound, not a measurement
        return {"error": f"not finished within {limit:.0f} s", "cpu_before_stop": spent}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(python: str, library: str, step: str, log: Path, rounds: int, limit: float) -> dict[str, Any]:
    runs = [run(python, library, step, log, limit)]
    if "error" not in runs[0]:
        runs += [run(python, library, step, log, limit) for _ in range(rounds - 1)]
    failed = [r for r in runs if "error" in r]
    if failed:
        return failed[0]
    return {
        "cpu": statistics.median(r["cpu"] for r in runs),
        "peak_mb": statistics.median(r["peak_mb"] for r in runs),
        "result": runs[-1]["result"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pm4py-python", default=sys.executable, help="an interpreter with pm4py and r4pm")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--events", type=int, default=1_000_000, help="size of the generated log")
    parser.add_argument("--steps", nargs="*", default=[s for s, _ in STEPS])
    parser.add_argument("--logs", nargs="*", default=["bpic2012", "generated"])
    parser.add_argument("--limit", type=float, default=900, help="seconds (wall clock) per step and process")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--libs", nargs="*", default=["civicflow", "pm4py"], help="run only these sides (pm4py's long runs apart)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--log", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.step, args.log)
        return 0
    logs = {"bpic2012": BPIC2012}
    if "generated" in args.logs:
        logs["generated"] = generated_log(args.events)
    targets = dict(STEPS)
    rows: list[dict[str, Any]] = []
    for name in args.logs:
        for step in args.steps:
            skipped = {"error": "not run (--libs)"}
            ours = skipped
            if "civicflow" in args.libs:
                ours = measure(sys.executable, "civicflow", step, logs[name], args.rounds, args.limit)
            peers = ["import_r4pm", "import_default"] if step == "import" else [step]
            for peer in peers:
                theirs = skipped
                if "pm4py" in args.libs:
                    theirs = measure(args.pm4py_python, "pm4py", peer, logs[name], args.rounds, args.limit)
                target = IMPORT_TARGETS.get(peer, targets.get(step))
                row = {"log": name, "step": peer if step == "import" else step, "civicflow": ours, "pm4py": theirs}
                if "cpu" in ours and "cpu_before_stop" in theirs:
                    # pm4py did not finish: the CPU it had used when stopped bounds the ratio from below
                    row["ratio_at_least"] = theirs["cpu_before_stop"] / ours["cpu"]
                    row["target"] = target
                    row["met"] = row["ratio_at_least"] >= (target or 0)
                elif "cpu" in ours and "cpu" in theirs:
                    row["ratio"] = theirs["cpu"] / ours["cpu"]
                    row["target"] = target
                    row["met"] = row["ratio"] >= (target or 0) and ours["peak_mb"] <= theirs["peak_mb"]
                rows.append(row)
                print(_line(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


def _line(row: dict[str, Any]) -> str:
    ours, theirs = row["civicflow"], row["pm4py"]
    if "ratio_at_least" in row:
        return (
            f"{row['log']:10} {row['step']:16} civicflow {ours['cpu']:8.3f} s {ours['peak_mb']:7.0f} MB | "
            f"pm4py {theirs['error']} after {theirs['cpu_before_stop']:.0f} CPU s | x>={row['ratio_at_least']:.1f} "
            f"(target x{row['target']}) {'met' if row['met'] else 'NOT met'}"
        )
    if "cpu" not in ours or "cpu" not in theirs:
        return f"{row['log']:10} {row['step']:16} civicflow {ours} | pm4py {theirs}"
    return (
        f"{row['log']:10} {row['step']:16} civicflow {ours['cpu']:8.3f} s {ours['peak_mb']:7.0f} MB | "
        f"pm4py {theirs['cpu']:8.3f} s {theirs['peak_mb']:7.0f} MB | x{row['ratio']:6.1f} "
        f"(target x{row['target']}) {'met' if row['met'] else 'NOT met'}"
    )


if __name__ == "__main__":
    sys.exit(main())
