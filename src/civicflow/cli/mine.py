"""``civicflow mine``: process mining on event logs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from civicflow.cli._common import not_available

__all__ = ["app"]

app = typer.Typer(help="Process mining: statistics, discovery, performance, conformance.", no_args_is_help=True)

_LOG = typer.Argument(help="Event log (XES, CSV, Parquet, OCEL).")


def _register(name: str, summary: str, with_model: bool = False) -> None:
    def command(
        log: Annotated[Path, _LOG],
        json_output: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
        out: Annotated[Path | None, typer.Option(help="Write SVG/HTML/BPMN/PNML here.")] = None,
    ) -> None:
        not_available(f"civicflow mine {name}")

    def command_with_model(
        log: Annotated[Path, _LOG],
        model: Annotated[Path, typer.Argument(help="BPMN or PNML model.")],
        json_output: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
        out: Annotated[Path | None, typer.Option(help="Write SVG/HTML here.")] = None,
    ) -> None:
        not_available(f"civicflow mine {name}")

    app.command(name=name, help=summary)(command_with_model if with_model else command)


_register("stats", "Log statistics.")
_register("dfg", "Directly-follows graph.")
_register("variants", "Trace variants.")
_register("performance", "Durations, waiting and service time, bottlenecks.")
_register("discover", "Discover a process model (inductive miner).")
_register("conformance", "Check a log against a model.", with_model=True)
