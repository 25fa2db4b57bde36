"""``civicflow audit``: the tamper-evident audit trail."""

from __future__ import annotations

from typing import Annotated

import typer

from civicflow.cli._common import not_available

__all__ = ["app"]

app = typer.Typer(help="Tamper-evident audit trail.", no_args_is_help=True)


@app.command()
def verify(json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Verify the hash chain and the signed checkpoints."""
    not_available("civicflow audit verify")
