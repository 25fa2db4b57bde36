"""``civicflow kpi``: key performance indicators per service and stage (see docs/kpi.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from civicflow.cli._common import fail, print_json, setup_django

__all__ = ["app"]

_PERIOD_HELP = (
    "day, week, month, quarter or year (the current one), or a label: 2026, 2026-Q3, 2026-11, 2026-W48, 2026-11-30."
)
app = typer.Typer(help="Key performance indicators per service and stage.", no_args_is_help=True)


@app.command()
def report(
    service: Annotated[str | None, typer.Option(help="Limit to one service (its id).")] = None,
    period: Annotated[
        str,
        typer.Option(help=_PERIOD_HELP),
    ] = "month",
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Print the KPI report of each reference service: a table per service and per stage."""
    from civicflow.kpi import KpiError, Period
    from civicflow.services import REFERENCE_SERVICES

    known = {item.id: item for item in REFERENCE_SERVICES}
    if service is not None and service not in known:
        fail(f"unknown service {service!r} (known: {', '.join(sorted(known))})")
    from civicflow.runtime.clock import current_clock

    try:
        chosen = Period.parse(period, clock=current_clock())
    except KpiError as exc:
        fail(str(exc))
    setup_django()
    from django.db import DatabaseError

    from civicflow.cli._kpi_report import render
    from civicflow.web.kpis import service_kpis

    try:
        results = [service_kpis(item, chosen) for item in REFERENCE_SERVICES if service in {None, item.id}]
    except DatabaseError as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        fail(f"cannot read the KPI read models ({detail}): is the database reachable and migrated?")
    if json_output:
        from civicflow.kpi import kpis_as_dict

        print_json([kpis_as_dict(result) for result in results])
    else:
        typer.echo(render(results))


@app.command()
def alerts(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be raised, resolved and mailed.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Raise KPI alerts now (tasks nearing their due date, stages below their SLA threshold) and print them."""
    setup_django()
    from django.db import DatabaseError

    from civicflow.errors import ConfigurationError
    from civicflow.workbench import check_alerts

    try:
        run = check_alerts(dry_run=dry_run)
    except ConfigurationError as exc:  # an alert setting (docs/deployment.md)
        fail(str(exc))
    except DatabaseError as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        fail(f"cannot check the alerts ({detail}): is the database reachable and migrated?")
    rows = [("raise", a) for a in run.raised] + [("resolve", a) for a in run.resolved]
    if json_output:
        print_json(
            {
                "dry_run": dry_run,
                "alerts": [
                    {"action": action, "kind": a.kind, "key": a.key, "group": a.department, "message": a.message}
                    for action, a in rows
                ],
                "mails": run.mails,
            }
        )
        return
    verb = "would " if dry_run else ""
    for action, a in rows:
        typer.echo(f"{verb}{action} {a.kind} for {a.department}: {a.message}")
    typer.echo(
        f"{len(run.raised)} raised, {len(run.resolved)} resolved, {len(run.mails)} mail(s)"
        + (" (dry run: nothing written)" if dry_run else "")
    )
