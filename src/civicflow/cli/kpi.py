"""``civicflow kpi``: key performance indicators."""

from __future__ import annotations

from typing import Annotated

import typer

from civicflow.cli._common import not_available

__all__ = ["app"]

app = typer.Typer(help="Key performance indicators per service and stage.", no_args_is_help=True)


@app.command()
def report(
    service: Annotated[str | None, typer.Option(help="Limit to one service.")] = None,
    period: Annotated[str | None, typer.Option(help="Period, e.g. 2026-Q3.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Print the KPI report."""
    not_available("civicflow kpi report")
