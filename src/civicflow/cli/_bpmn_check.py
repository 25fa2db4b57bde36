"""``civicflow bpmn check``: load and validate BPMN files, one diagnostic per line or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from civicflow.bpmn import BpmnParseError, Severity, load, validate
from civicflow.cli._common import print_json

__all__ = ["run_check"]


def run_check(files: list[Path], *, json_output: bool) -> int:
    """Print diagnostics for ``files``; the exit code is 1 when any file has an error."""
    results: list[dict[str, object]] = []
    failed = False
    for path in files:
        name = str(path)
        try:
            diagnostics = validate(load(path))
        except BpmnParseError as exc:
            failed = True
            one_line = " ".join(exc.message.split())
            results.append({"file": name, "loaded": False, "error": one_line, "line": exc.line, "diagnostics": []})
            if not json_output:
                where = f"{name}:{exc.line}" if exc.line is not None else name
                subject = f" {exc.element_id}" if exc.element_id else ""
                typer.echo(f"{where}: BPMN000 error{subject}: {one_line}")
            continue
        failed = failed or any(d.severity is Severity.ERROR for d in diagnostics)
        results.append({"file": name, "loaded": True, "diagnostics": [d.to_json() for d in diagnostics]})
        if not json_output:
            for d in diagnostics:
                message = " ".join(d.message.split())
                typer.echo(f"{name}:{d.line or 0}: {d.code} {d.severity.value} {d.element_id or '-'}: {message}")
    if json_output:
        print_json({"ok": not failed, "files": results})
    sys.stdout.flush()
    return 1 if failed else 0
