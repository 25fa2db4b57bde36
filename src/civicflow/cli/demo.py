"""``civicflow demo``: fill the database with generated history of the reference services."""

from __future__ import annotations

import random
import time
from typing import Annotated

import typer

from civicflow.cli._common import fail, setup_django

__all__ = ["app"]

app = typer.Typer(help="Demonstration data for a new installation.", no_args_is_help=True)


@app.command()
def load(
    cases: Annotated[int, typer.Option("--cases", help="Number of cases to generate.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random choices (same seed, same history).")] = 1,
    service: Annotated[
        list[str] | None, typer.Option("--service", help="Only this reference service id (repeatable).")
    ] = None,
    months: Annotated[int, typer.Option("--months", help="Months over which the cases arrive.")] = 6,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Run the reference services on a virtual clock: arrivals, tasks, messages, timers, rework, SLA breaches."""
    if cases < 1:
        fail("--cases must be at least 1")
    if months < 1:
        fail("--months must be at least 1")
    setup_django()
    from django.core.management import call_command
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from civicflow.runtime.demo import load as run_load

    call_command("migrate", interactive=False, verbosity=0)
    began = time.monotonic()
    columns = (TextColumn("simulating"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn())
    with Progress(*columns, disable=quiet, transient=True) as bar:
        task = bar.add_task("demo", total=None)

        def progress(done: int, total: int) -> None:
            if done % 24 == 0 or done == total:
                bar.update(task, completed=done, total=total)

        result = run_load(
            cases,
            rng=random.Random(seed),  # noqa: S311 - simulation, not security  # nosec B311
            service_ids=service,
            months=months,
            progress=progress,
        )
    seconds = time.monotonic() - began
    per_service = ", ".join(f"{k} {v}" for k, v in sorted(result.by_service.items()))
    typer.echo(
        f"civicflow: {result.cases} cases ({per_service}) from {result.first:%Y-%m-%d} to {result.last:%Y-%m-%d}: "
        f"{result.completed} completed, {result.active} active; {result.tasks_completed} tasks, "
        f"{result.messages} messages, {result.jobs} jobs, {result.history_rows} history rows in {seconds:.1f} s"
    )
