"""Record the full event history of representative scenarios, for replay in CI (STYLE.md 4).

Run deliberately, never by the suite, and only when a change is *meant* to alter histories
(see docs/bpmn-elements.md, "Event encoding and recorded histories"):

    .venv/bin/python tests/conformance/record_histories.py            # all of SCENARIOS
    .venv/bin/python tests/conformance/record_histories.py standard_loop  # some of them

Each scenario's history goes to ``histories/<scenario>.jsonl``: a header line (scenario file,
hashes of the scenario and its model files, event format, event count), then one
``civicflow.engine.encode_event`` dict a line. ``test_recorded_histories.py`` replays them.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from civicflow.engine import EVENT_FORMAT, encode_event
from civicflow.engine.scenario import ScenarioTrace, trace_scenario

__all__ = ["HISTORIES", "SCENARIOS", "SCENARIOS_DIR", "header_of", "read_history", "record"]

HERE = Path(__file__).parent
SCENARIOS_DIR = HERE / "scenarios"
HISTORIES = HERE / "histories"
REPO = HERE.parent.parent

# One or more per element family; small models with many kinds of events rather than long runs.
SCENARIOS = (
    # gateways
    "exclusive_default_flow",
    "exclusive_rework_loop",
    "parallel_fork_join",
    "inclusive_join_waits_for_upstream_token",
    "complex_gateway_reset_rule",
    "event_based_gateway_timer_wins",
    # timers
    "timer_intermediate_duration",
    "timer_cycle_non_interrupting_on_user_task",
    "timer_cycle_cron_weekdays",
    # messages, incl. buffered and expired
    "message_intermediate_catch_correlation",
    "message_buffered_before_catch",
    "message_buffer_expired",
    "send_and_throw_message",
    # signals
    "signal_boundary_interrupting",
    "signal_event_subprocess_non_interrupting",
    # conditions
    "conditional_boundary_non_interrupting",
    # errors, escalation, incidents, jobs
    "error_boundary_on_service_job",
    "error_end_in_subprocess_caught",
    "escalation_boundary_non_interrupting",
    "incident_resolved_job_retried",
    # compensation and transactions
    "compensation_reverse_order",
    "compensation_event_subprocess_snapshot",
    "transaction_cancel_compensates",
    # event subprocesses
    "event_subprocess_timer_interrupting",
    "event_subprocess_message_non_interrupting",
    # call activity
    "call_activity_io_mapping",
    # multi-instance and loops
    "multi_instance_parallel_collection",
    "multi_instance_sequential_output",
    "multi_instance_completion_condition",
    "standard_loop",
    # multiple events
    "multiple_catch_any_one",
    "parallel_multiple_catch_all",
    # the rest: DMN, ad hoc, links, cancellation, variables
    "business_rule_task_dmn",
    "ad_hoc_parallel",
    "link_events",
    "cancel_instance_with_timers",
    "io_mapping_input_output",
)


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


def header_of(scenario: Path, trace: ScenarioTrace) -> dict[str, Any]:
    """The header line of ``scenario``'s history as recorded now."""
    return {
        "scenario": scenario.relative_to(REPO).as_posix(),
        "scenario_hash": _sha256([scenario]),
        "models": [m.name for m in trace.models],
        "model_hash": _sha256(list(trace.models)),
        "event_format": EVENT_FORMAT,
        "events": len(trace.history),
    }


def _line(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def record(name: str) -> Path:
    """Run scenario ``name`` and (over)write its recorded history."""
    scenario = SCENARIOS_DIR / f"{name}.yaml"
    trace = trace_scenario(scenario)
    lines = [_line(header_of(scenario, trace))]
    lines.extend(_line(encode_event(event)) for event in trace.history)
    target = HISTORIES / f"{name}.jsonl"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def read_history(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(header, encoded events) of a recorded history file."""
    header, *events = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return header, events


def main(argv: list[str]) -> int:
    names = argv or list(SCENARIOS)
    unknown = [n for n in names if not (SCENARIOS_DIR / f"{n}.yaml").is_file()]
    if unknown:
        print(f"no such scenario: {', '.join(unknown)}", file=sys.stderr)
        return 2
    HISTORIES.mkdir(exist_ok=True)
    for name in names:
        target = record(name)
        count = sum(1 for _ in target.open(encoding="utf-8")) - 1
        print(f"{target.relative_to(REPO)}: {count} events")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
