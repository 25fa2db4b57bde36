"""``civicflow bpmn``: check, run and test BPMN models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(help="Check, run and test BPMN 2.0 models.", no_args_is_help=True)


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="BPMN files to parse and validate.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print diagnostics as JSON.")] = False,
) -> None:
    """Parse and validate; exit 1 on any error."""
    from civicflow.cli._bpmn_check import run_check

    raise typer.Exit(run_check(files, json_output=json_output))


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="BPMN file.")],
    process: Annotated[str | None, typer.Option(help="Process id (when the file has several).")] = None,
    variables: Annotated[str | None, typer.Option("--vars", help="Start variables as JSON.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the state as JSON.")] = False,
) -> None:
    """Run in memory to the first wait and print the state."""
    from civicflow.cli._bpmn_run import run_model

    raise typer.Exit(run_model(file, process=process, variables=variables, json_output=json_output))


@app.command(name="test")
def run_tests(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files (or folders of them).")],
    json_output: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write JUnit XML to this file.")] = None,
    restore: Annotated[
        bool, typer.Option("--restore", help="Serialize and restore the state after every command.")
    ] = False,
) -> None:
    """Run process tests on a virtual clock; prints 'N passed, M failed'."""
    from civicflow.cli._bpmn_run import run_scenarios

    raise typer.Exit(run_scenarios(scenarios, json_output=json_output, junit=junit, restore=restore))
