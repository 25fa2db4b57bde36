"""``civicflow feel``: evaluate one FEEL expression."""

from __future__ import annotations

from typing import Annotated

import typer

from civicflow.cli._common import not_available

__all__ = ["feel"]


def feel(
    expression: Annotated[str, typer.Argument(metavar="EXPR", help="A FEEL expression.")],
    context: Annotated[str | None, typer.Option(help="Variables as a JSON object.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print value and warnings as JSON.")] = False,
) -> None:
    """Evaluate a FEEL expression."""
    not_available("civicflow feel")
