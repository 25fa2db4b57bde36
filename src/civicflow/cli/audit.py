"""``civicflow audit``: the tamper-evident audit trail (see docs/security.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer

from civicflow.cli._common import fail, print_json, setup_django

__all__ = ["app"]

app = typer.Typer(help="Tamper-evident audit trail.", no_args_is_help=True)
_T = TypeVar("_T")


@contextmanager
def _database(what: str) -> Iterator[None]:
    from django.db import DatabaseError

    from civicflow.errors import ConfigurationError

    try:
        yield
    except ConfigurationError as exc:  # the signing key (docs/deployment.md)
        fail(str(exc))
    except DatabaseError as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        fail(f"cannot {what} ({detail}): is the database reachable and migrated?")


def _with_progress(run: Callable[[Callable[[int], None]], _T], total: int, *, show: bool) -> _T:
    if not show:
        return run(lambda _done: None)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("verifying the audit trail", total=total)
        return run(lambda done: progress.update(task, completed=done))


@app.command()
def verify(json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Verify the hash chain and the signed checkpoints; exit 1 naming the first bad entry."""
    setup_django()
    from civicflow.security.audit import verify as verify_trail
    from civicflow.security.models import AuditEntry

    with _database("verify the audit trail"):
        total = AuditEntry.objects.count()
        report = _with_progress(verify_trail, total, show=not json_output and total > 50_000)
    if json_output:
        problem = report.problem
        print_json(
            {
                "intact": problem is None,
                "entries": report.entries,
                "checkpoints": report.checkpoints,
                "head": report.head,
                "first_bad_entry": None if problem is None else problem.seq,
                "fault": None if problem is None else str(problem.fault),
                "message": report.message(),
            }
        )
        if problem is not None:
            raise typer.Exit(1)
        return
    if report.problem is not None:
        fail(report.message())
    typer.echo(report.message())


@app.command()
def checkpoint(json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Sign the chain's head now (nothing to do when it is empty or already signed)."""
    setup_django()
    from civicflow.security.audit import checkpoint as sign

    with _database("sign an audit checkpoint"):
        point = sign()
    if json_output:
        print_json(None if point is None else {"seq": point.seq, "head": point.head, "key_id": point.key_id})
    elif point is None:
        typer.echo("nothing to sign: the head is already signed (or the trail is empty)")
    else:
        typer.echo(f"signed checkpoint at #{point.seq}, head {point.head}, key {point.key_id}")


@app.command("public-key")
def public_key() -> None:
    """Print the PEM public key that verifies the checkpoints."""
    setup_django()
    from civicflow.security._keys import public_key_pem

    with _database("read the signing key"):
        pem = public_key_pem()
    typer.echo(pem, nl=False)
