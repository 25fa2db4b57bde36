"""``civicflow bpmn run`` and ``civicflow bpmn test``: the engine in memory on a virtual clock."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr  # escapes text for XML output, parses nothing  # nosec B406

import typer

from civicflow.cli._common import fail, print_json

__all__ = ["run_model", "run_scenarios"]


def run_model(file: Path, *, process: str | None, variables: str | None, json_output: bool) -> int:
    from datetime import UTC, datetime

    from civicflow.bpmn import BpmnError
    from civicflow.engine import Context, SequentialIds, StartInstance, VirtualClock
    from civicflow.engine.runtime import InMemoryRuntime
    from civicflow.engine.scenario import load_graph
    from civicflow.engine.values import plain

    try:
        start_vars: Any = json.loads(variables) if variables else {}
    except json.JSONDecodeError as exc:
        fail(f"--vars is not JSON: {exc}")
    if not isinstance(start_vars, dict):
        fail("--vars must be a JSON object")
    clock = VirtualClock(datetime.now(tz=UTC))
    try:
        graph, decisions = load_graph([file], clock)
        rt = InMemoryRuntime(graph, Context(clock=clock, ids=SequentialIds(), decisions=decisions))
        rt.send(StartInstance(process=process, variables=start_vars))
    except (BpmnError, OSError) as exc:
        fail(str(exc))
    waits = [{"element": w.element, "name": w.name, "kind": w.kind, "detail": w.detail} for w in rt.waits()]
    result = {
        "process": rt.state.process,
        "state": rt.status(),
        "completed": rt.completed(),
        "waiting": waits,
        "variables": plain(rt.variables()),
    }
    if json_output:
        print_json(result)
        return 0
    typer.echo(f"process:   {result['process']}")
    typer.echo(f"state:     {result['state']}")
    typer.echo("completed: " + (", ".join(result["completed"]) or "-"))
    typer.echo("waiting:   " + (", ".join(f"{w['element']} ({w['kind']})" for w in waits) or "-"))
    for name, value in sorted(result["variables"].items()):
        typer.echo(f"  {name} = {json.dumps(value, ensure_ascii=False, default=str)}")
    for w in waits:
        if w["kind"] == "incident":
            typer.echo(f"incident at {w['element']}: {w['detail']}")
    return 0


def run_scenarios(paths: list[Path], *, json_output: bool, junit: Path | None, restore: bool) -> int:
    from civicflow.engine.scenario import run_scenario

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.yaml")))
        elif path.exists():
            files.append(path)
        else:
            fail(f"no such scenario file: {path}")
    started = time.perf_counter()
    results = [run_scenario(f, restore=restore) for f in files]
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    if junit is not None:
        _write_junit(junit, results, time.perf_counter() - started)
    if json_output:
        print_json(
            {
                "passed": passed,
                "failed": failed,
                "scenarios": [
                    {"name": r.name, "file": r.file, "passed": r.passed, "failures": r.failures} for r in results
                ],
            }
        )
    else:
        for r in results:
            if not r.passed:
                typer.echo(f"FAILED {r.file}: {r.name}")
                for failure in r.failures:
                    typer.echo(f"    {failure}")
    typer.echo(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def _write_junit(path: Path, results: list[Any], seconds: float) -> None:
    failures = sum(not r.passed for r in results)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuite name="civicflow-bpmn" tests="{len(results)}" failures="{failures}" time="{seconds:.3f}">',
    ]
    for r in results:
        lines.append(f'  <testcase classname={quoteattr(r.file)} name={quoteattr(r.name)} time="{r.seconds:.3f}">')
        lines.extend(
            f"    <failure message={quoteattr(f.splitlines()[0] if f else '')}>{escape(f)}</failure>"
            for f in r.failures
        )
        lines.append("  </testcase>")
    lines.append("</testsuite>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
