"""``civicflow pilot``: try a candidate process version on a share of new cases (docs/pilots.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from civicflow.cli._common import fail, print_json, setup_django

if TYPE_CHECKING:
    from civicflow.kpi import MeasureComparison, VersionComparison
    from civicflow.pilots.models import Pilot

__all__ = ["app"]

app = typer.Typer(help="Pilots: a candidate version on a share of new cases.", no_args_is_help=True)
ACTOR = "cli"  # who the audit trail names for a change made from the command line

JsonOption = Annotated[bool, typer.Option("--json", help="Print as JSON.")]
_LABELS = {
    "processing": "processing time (working hours, median)",
    "sla": "SLA compliance",
    "rework": "rework rate",
    "incidents": "incident rate",
    "satisfaction": "satisfied (4-5 of 5)",
    "cost": "cost per case (median, minor units)",
}


@contextmanager
def _refusals() -> Iterator[None]:
    from django.db import DatabaseError

    from civicflow.errors import CivicFlowError

    try:
        yield
    except CivicFlowError as exc:
        fail(str(exc))
    except DatabaseError as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        fail(f"cannot reach the pilots ({detail}): is the database reachable and migrated?")


def _pilot_dict(pilot: Pilot) -> dict[str, Any]:
    from civicflow.pilots import service

    counts = service.summary(pilot)
    return {
        "id": pilot.pk,
        "process": pilot.process_id,
        "current": pilot.current.version,
        "candidate": pilot.candidate.version,
        "share": str(pilot.share),
        "rule": pilot.rule,
        "status": pilot.status,
        "started": pilot.started.isoformat(),
        "started_by": pilot.started_by,
        "ended": pilot.ended.isoformat() if pilot.ended else None,
        "ended_by": pilot.ended_by or None,
        "instances": {"current": counts.current, "candidate": counts.candidate},
        "running": {"current": counts.running_current, "candidate": counts.running_candidate},
        "candidate_share": counts.candidate_share,
    }


def _measure_dict(item: MeasureComparison) -> dict[str, Any]:
    def interval(found: Any) -> dict[str, Any]:
        return {"estimate": found.estimate, "low": found.low, "high": found.high}

    return {
        "measure": str(item.measure),
        "current": interval(item.current),
        "candidate": interval(item.candidate),
        "counts": {"current": item.counts[0], "candidate": item.counts[1]},
        "test": item.test.test,
        "statistic": item.test.statistic,
        "p_value": item.test.p_value,
        "significant": item.test.significant,
        "candidate_better": item.candidate_better,
        "note": item.test.note,
    }


def verdict(item: MeasureComparison) -> str:
    """One plain sentence on a measure: which version is better, and whether that is significant yet."""
    if item.test.p_value is None:
        return f"not enough data yet ({item.test.note})"
    p = f"p = {item.test.p_value:.3g}, {item.test.test}"
    if not item.test.significant:
        return f"no significant difference yet ({p})"
    better = "the candidate is better" if item.candidate_better else "the candidate is worse"
    return f"{better}, significant at 5% ({p})"


def _figure(measure: str, value: float | None) -> str:
    if value is None:
        return "-"
    if measure == "processing":
        return f"{value / 3600:.1f} h"
    if measure == "cost":
        return f"{value:.0f}"
    return f"{value:.1%}"


def _print_comparison(found: VersionComparison) -> None:
    typer.echo(f"{'measure':<42} {'current':>10} {'candidate':>10}  verdict")
    for item in found.measures:
        name = str(item.measure)
        typer.echo(
            f"{_LABELS[name]:<42} {_figure(name, item.current.estimate):>10} "
            f"{_figure(name, item.candidate.estimate):>10}  {verdict(item)}"
        )


@app.command()
def start(
    process: Annotated[str, typer.Argument(help="Process id, e.g. building_permit.")],
    *,
    candidate: Annotated[int, typer.Option(help="The version to pilot.")],
    share: Annotated[str, typer.Option(help="Share of new instances for the candidate, e.g. 0.3.")],
    current: Annotated[int | None, typer.Option(help="The version to compare with (default: the one below).")] = None,
    rule: Annotated[str, typer.Option(help='FEEL over the start variables, e.g. district = "north".')] = "",
    note: Annotated[str, typer.Option(help="Why this pilot runs (shown on the dashboard).")] = "",
    json_output: JsonOption = False,
) -> None:
    """Start a pilot: SHARE of new instances (matching RULE) start on CANDIDATE, the rest on CURRENT."""
    setup_django()
    from civicflow.pilots import service

    with _refusals():
        pilot = service.start(
            process, candidate=candidate, current=current, share=share, rule=rule, note=note, actor=ACTOR
        )
        shown = _pilot_dict(pilot)
    if json_output:
        print_json(shown)
        return
    scope = f" of instances matching {pilot.rule}" if pilot.rule else ""
    typer.echo(
        f"pilot {pilot.pk}: {float(pilot.share):.0%} of new {process} instances{scope} start on version "
        f"{pilot.candidate.version}, the rest on version {pilot.current.version}"
    )


@app.command()
def status(
    pilot_id: Annotated[int | None, typer.Argument(help="A pilot id; without it, every pilot.")] = None,
    json_output: JsonOption = False,
) -> None:
    """List pilots, or one pilot's split and both versions' KPIs with the significance of each difference."""
    setup_django()
    from civicflow.pilots import service
    from civicflow.pilots.models import Pilot

    with _refusals():
        if pilot_id is None:
            rows = [_pilot_dict(p) for p in Pilot.objects.select_related("current", "candidate")]
            if json_output:
                print_json(rows)
                return
            if not rows:
                typer.echo("no pilots")
            for row in rows:
                typer.echo(
                    f"{row['id']:>4}  {row['process']}  v{row['current']} vs v{row['candidate']}  share {row['share']}"
                    f"  {row['status']}  instances {row['instances']['current']}/{row['instances']['candidate']}"
                )
            return
        pilot = service.get(pilot_id)
        shown = _pilot_dict(pilot)
        found = service.compare(pilot)
    if json_output:
        shown["measures"] = [_measure_dict(m) for m in found.measures] if found else None
        print_json(shown)
        return
    share = shown["candidate_share"]
    actual = "-" if share is None else f"{share:.1%}"
    typer.echo(
        f"pilot {pilot.pk} of {pilot.process_id}: version {pilot.current.version} (current) vs "
        f"{pilot.candidate.version} (candidate), {pilot.status}; new instances {shown['instances']['current']} / "
        f"{shown['instances']['candidate']} (candidate share {actual}, configured {float(pilot.share):.0%})"
    )
    if found is None:
        typer.echo("no KPI comparison: the process is not a catalogue service (its targets are declared there)")
        return
    _print_comparison(found)


@app.command()
def adopt(
    pilot_id: Annotated[int, typer.Argument(help="The pilot to adopt.")],
    *,
    migrate: Annotated[bool, typer.Option("--migrate", help="Also move running current-version instances.")] = False,
    mapping: Annotated[
        Path | None, typer.Option(help="JSON file {old element id: new element id} for --migrate.")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Send every new instance to the candidate; with --migrate, move running ones too (all or nothing)."""
    setup_django()
    from civicflow.pilots import service

    elements: dict[str, str] | None = None
    if mapping is not None and not migrate:
        fail("--mapping is for --migrate")
    if migrate:
        elements = {}
        if mapping is not None:
            try:
                elements = json.loads(mapping.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                fail(f"cannot read the mapping {mapping}: {exc}")
            if not isinstance(elements, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in elements.items()
            ):
                fail(f"the mapping {mapping} must be a JSON object of element ids to element ids")
    with _refusals():
        pilot, moved = service.adopt(pilot_id, actor=ACTOR, migrate=elements)
    if json_output:
        print_json({"id": pilot.pk, "status": pilot.status, "migrated": moved})
        return
    typer.echo(f"pilot {pilot.pk} adopted: new instances start on version {pilot.candidate.version}")
    if migrate:
        typer.echo(f"moved {len(moved)} running instance(s) to version {pilot.candidate.version}")


@app.command()
def stop(pilot_id: Annotated[int, typer.Argument(help="The pilot to stop.")], json_output: JsonOption = False) -> None:
    """No new instance goes to the candidate; its running instances finish on their version."""
    setup_django()
    from civicflow.pilots import service

    with _refusals():
        pilot = service.stop(pilot_id, actor=ACTOR)
    if json_output:
        print_json({"id": pilot.pk, "status": pilot.status})
        return
    typer.echo(f"pilot {pilot.pk} stopped: new instances start on version {pilot.current.version}")
