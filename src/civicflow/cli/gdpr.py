"""``civicflow gdpr``: data subject rights."""

from __future__ import annotations

from typing import Annotated

import typer

from civicflow.cli._common import not_available

__all__ = ["app"]

app = typer.Typer(help="Data subject rights: access export and erasure.", no_args_is_help=True)


@app.command()
def export(subject: Annotated[str, typer.Argument(help="Subject identifier.")]) -> None:
    """Export everything held about a data subject (GDPR Art. 15)."""
    not_available("civicflow gdpr export")


@app.command()
def erase(subject: Annotated[str, typer.Argument(help="Subject identifier.")]) -> None:
    """Erase a data subject's personal data by crypto-shredding (GDPR Art. 17)."""
    not_available("civicflow gdpr erase")
