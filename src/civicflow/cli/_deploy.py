"""``civicflow deploy``: store BPMN, DMN and form files as a deployment and print the versions."""

from __future__ import annotations

from pathlib import Path

import typer

from civicflow.cli._common import print_json, setup_django
from civicflow.runtime.errors import RuntimeServiceError

__all__ = ["run_deploy"]


class DatabaseUnavailableError(RuntimeServiceError):
    """The database cannot be reached or has not been migrated."""


def run_deploy(paths: list[Path], *, name: str | None, json_output: bool) -> int:
    setup_django()
    from django.db import DatabaseError

    from civicflow.runtime import services

    try:
        result = services.deploy(paths, name=name)
    except DatabaseError as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise DatabaseUnavailableError(
            f"the database is unavailable or not migrated (run 'civicflow manage migrate'): {detail}"
        ) from exc
    rows = [
        {"kind": "process", "id": d.process_id, "version": d.version, "key": d.key, "new": d.key in result.new}
        for d in result.processes
    ] + [
        {"kind": "decision", "id": d.decision_id, "version": d.version, "key": d.key, "new": d.key in result.new}
        for d in result.decisions
    ]
    if json_output:
        print_json({"deployment": result.deployment.pk, "name": result.deployment.name, "definitions": rows})
        return 0
    typer.echo(f"deployment {result.deployment.pk}: {result.deployment.name}")
    for row in rows:
        status = "new" if row["new"] else "unchanged"
        typer.echo(f"  {row['kind']:<8} {row['id']}  version {row['version']}  ({status})")
    if not rows:
        typer.echo("  (no process or decision definitions: forms only)")
    return 0
