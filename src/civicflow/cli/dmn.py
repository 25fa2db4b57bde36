"""``civicflow dmn``: evaluate decisions and run the DMN TCK."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from civicflow.cli._common import fail, print_json

__all__ = ["app"]

app = typer.Typer(help="Evaluate DMN decisions and run the DMN TCK.", no_args_is_help=True)


class _WallClock:
    """The real clock for now()/today(): adapters may read it, the pure core may not."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def _json_value(value: Any) -> Any:
    from civicflow.feel.values import from_feel

    return from_feel(value, json_safe=True)


def _explanation_json(result: Any) -> list[dict[str, Any]]:
    return [
        {
            "decision": d.decision,
            "id": d.id,
            "value": _json_value(d.value),
            "supplied": d.supplied,
            "tables": [
                {
                    "table": t.table_id,
                    "hit_policy": t.hit_policy,
                    "inputs": {label: _json_value(v) for label, v in t.inputs},
                    "matched_rules": [
                        {
                            "index": m.index,
                            "id": m.id,
                            "outputs": _json_value(m.outputs),
                            "annotations": list(m.annotations),
                        }
                        for m in t.matched
                    ],
                    "result": _json_value(t.result),
                }
                for t in d.tables
            ],
        }
        for d in result.explanation
    ]


@app.command(name="eval")
def evaluate(
    file: Annotated[Path, typer.Argument(help="DMN file.")],
    decision: Annotated[str, typer.Option(help="Decision name or id.")],
    input_json: Annotated[str, typer.Option("--input", help="Input data as a JSON object.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print result and explanation as JSON.")] = False,
) -> None:
    """Evaluate one decision of a DMN model."""
    from civicflow.dmn import DmnError, load
    from civicflow.feel.errors import FeelError

    try:
        inputs = json.loads(input_json, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        fail(f"--input is not valid JSON: {exc}")
    if not isinstance(inputs, dict):
        fail(f"--input must be a JSON object, not {type(inputs).__name__}")
    try:
        model = load(file)
        result = model.evaluate(decision, model.from_json(inputs), clock=_WallClock())
    except (DmnError, FeelError) as exc:
        fail(str(exc))
    if json_output:
        print_json(
            {
                "outputs": {k: _json_value(v) for k, v in result.outputs.items()},
                "warnings": [{"kind": w.kind, "message": w.message} for w in result.warnings],
                "explanation": _explanation_json(result),
            }
        )
        return
    for name, value in result.outputs.items():
        typer.echo(f"{name}: {json.dumps(_json_value(value), ensure_ascii=False, default=str)}")
    for warning in result.warnings:
        typer.echo(f"warning: {warning.message}", err=True)


@app.command()
def tck(
    directory: Annotated[Path, typer.Argument(help="Folder holding TCK test folders.")],
    json_output: Annotated[bool, typer.Option("--json", help="Also print per-case results as JSON.")] = False,
) -> None:
    """Run DMN TCK test folders; prints pass counts per compliance level (exit 1 if any failed)."""
    from civicflow.dmn.tck import UNSCORED_LEVEL, find_test_files, run_tck

    if not directory.is_dir():
        fail(f"{directory}: not a directory")
    if not find_test_files(directory):
        fail(f"{directory}: no TCK test files (*-test-*.xml) found")
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(transient=True, console=Console(stderr=True)) as bar:
            task = bar.add_task("DMN TCK", total=None)
            summary = run_tck(
                directory,
                clock=_WallClock(),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    else:
        summary = run_tck(directory, clock=_WallClock())
    lines = []
    for level in summary.levels:
        passed, failed = summary.counts(level)
        nn_passed, nn_failed = summary.counts(level, non_null_only=True)
        label = f"{level} (not scored)" if level == UNSCORED_LEVEL else level
        lines.append(f"{label}: {passed} passed, {failed} failed (non-null: {nn_passed} passed, {nn_failed} failed)")
    passed, failed = summary.counts()
    lines.append(f"{passed} passed, {failed} failed")
    if json_output:
        levels = {}
        for level in summary.levels:
            p, f = summary.counts(level)
            np_, nf = summary.counts(level, non_null_only=True)
            levels[level] = {"passed": p, "failed": f, "non_null_passed": np_, "non_null_failed": nf}
        print_json(
            {
                "levels": levels,
                "passed": passed,
                "failed": failed,
                "summary": lines,
                "cases": [
                    {
                        "level": r.level,
                        "folder": r.folder,
                        "case": r.case_id,
                        "passed": r.passed,
                        "non_null": r.non_null,
                        "expected": r.expected,
                        "actual": r.actual,
                        "error": r.error,
                    }
                    for r in summary.results
                ],
            }
        )
    else:
        for line in lines:
            typer.echo(line)
    if failed:
        raise typer.Exit(1)
