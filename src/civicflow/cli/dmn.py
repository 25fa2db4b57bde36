"""``civicflow dmn``: evaluate decisions and run the DMN TCK."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from civicflow.cli._common import not_available

__all__ = ["app"]

app = typer.Typer(help="Evaluate DMN decisions and run the DMN TCK.", no_args_is_help=True)


@app.command(name="eval")
def evaluate(
    file: Annotated[Path, typer.Argument(help="DMN file.")],
    decision: Annotated[str, typer.Option(help="Decision name or id.")],
    input_json: Annotated[str, typer.Option("--input", help="Input data as a JSON object.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print result and explanation as JSON.")] = False,
) -> None:
    """Evaluate one decision of a DMN model."""
    not_available("civicflow dmn eval")


@app.command()
def tck(
    directory: Annotated[Path, typer.Argument(help="Folder holding TCK test folders.")],
    json_output: Annotated[bool, typer.Option("--json", help="Also print per-case results as JSON.")] = False,
) -> None:
    """Run DMN TCK test folders; prints pass counts per compliance level."""
    not_available("civicflow dmn tck")
