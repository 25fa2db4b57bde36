"""``civicflow keys``: the data keys that seal personal data (see docs/security.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from civicflow.cli._common import fail, print_json, setup_django

__all__ = ["app"]

app = typer.Typer(help="Personal-data keys: status and KEK rotation.", no_args_is_help=True)


@contextmanager
def _database(what: str) -> Iterator[None]:
    from django.db import DatabaseError

    from civicflow.errors import CivicFlowError

    try:
        yield
    except CivicFlowError as exc:  # a KEK missing or malformed (docs/deployment.md), a key that does not unwrap
        fail(str(exc))
    except DatabaseError as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        fail(f"cannot {what} ({detail}): is the database reachable and migrated?")


@app.command()
def rotate(json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Rewrap every data key under the current KEK (CIVICFLOW_KEK); the old one must be in CIVICFLOW_KEK_PREVIOUS."""
    setup_django()
    from civicflow.security import keys

    with _database("rotate the data keys"):
        before = keys.status()
        pending = sum(n for kek_id, n in before.per_kek.items() if kek_id != before.current_kek_id)
        if json_output or pending == 0:
            moved = keys.rewrap()
        else:
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task("rewrapping data keys", total=pending)
                moved = keys.rewrap(progress=lambda done: bar.update(task, completed=done))
    if json_output:
        print_json({"rewrapped": moved, "kek_id": before.current_kek_id})
    else:
        typer.echo(f"rewrapped {moved} data key(s) under KEK {before.current_kek_id}")


@app.command()
def status(json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Count the live data keys per KEK id, the shredded ones and those under a legal hold."""
    setup_django()
    from civicflow.security import keys

    with _database("count the data keys"):
        report = keys.status()
    if json_output:
        print_json(
            {
                "current_kek_id": report.current_kek_id,
                "per_kek": report.per_kek,
                "shredded": report.shredded,
                "legal_hold": report.legal_hold,
            }
        )
        return
    typer.echo(f"current KEK {report.current_kek_id}")
    for kek_id, count in report.per_kek.items():
        marker = "" if kek_id == report.current_kek_id else "  (rotate pending)"
        typer.echo(f"  {kek_id}: {count} data key(s){marker}")
    typer.echo(f"shredded: {report.shredded}, under legal hold: {report.legal_hold}")
