"""``civicflow simulate``: what-if simulation of a BPMN model, with parameters fitted from history.

``civicflow simulate MODEL --params FILE`` is ``civicflow simulate run MODEL --params FILE``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from civicflow import mining, simulation
from civicflow.bpmn.errors import BpmnError
from civicflow.bpmn.timers import parse_duration
from civicflow.cli._common import fail, print_json, setup_django
from civicflow.cli._mine_logs import ENGINE, read_log, write_log
from civicflow.services import REFERENCE_SERVICES
from civicflow.simulation import Calibration, ComparisonRow, SimulationKpis

__all__ = ["app", "model_source"]


class _RunByDefault(TyperGroup):
    """``simulate MODEL ...`` runs: a first argument that is no subcommand is the model of ``run``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_RunByDefault,
    help="What-if simulation: fit parameters from history, run scenarios, compare side by side.",
    no_args_is_help=True,
)

ModelArgument = Annotated[str, typer.Argument(help="BPMN file, or a reference service id (building_permit ...).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print results as JSON.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the random draws (same seed, same run).")]
RunsOption = Annotated[int, typer.Option("--runs", min=1, max=50, help="Independent runs pooled into the figures.")]


def model_source(model: str) -> tuple[bytes, str | None]:
    """The BPMN bytes of ``model`` (a file or a reference service id) and the service's SLA, if any."""
    for service in REFERENCE_SERVICES:
        if model == service.id:
            return (service.folder / service.bpmn[0]).read_bytes(), service.kpis.processing_time
    path = Path(model)
    if not path.is_file():
        known = ", ".join(s.id for s in REFERENCE_SERVICES)
        fail(f"{model}: no such BPMN file or reference service ({known})")
    return path.read_bytes(), None


def _sla_seconds(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return parse_duration(text).exact.total_seconds()
    except BpmnError:
        fail(f"--sla {text!r}: not an ISO 8601 duration (for example P56D)")


def _days(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 86400:.2f} d"


def _figure(row: ComparisonRow, value: float | None) -> str:
    if value is None:
        return "-"
    if row.unit == "seconds":
        return mining.format_seconds(value)
    if row.unit == "share":
        return f"{value:.1%}"
    return f"{value:g}"


def _kpis_json(kpis: SimulationKpis) -> dict[str, Any]:
    return {
        "cases": kpis.cases,
        "completed": kpis.completed,
        "cycle_time": {"mean": kpis.cycle.mean, "median": kpis.cycle.median, "p90": kpis.cycle.p90},
        "sla_met": kpis.sla_met,
        "bottleneck": kpis.bottleneck,
        "pools": [
            {
                "pool": p.pool,
                "staff": p.capacity,
                "items": p.items,
                "waiting_mean": p.waiting_mean,
                "utilisation": p.utilisation,
            }
            for p in kpis.pools
        ],
        "waiting_by_step": kpis.waiting_by_step,
    }


def _calibration_json(report: Calibration) -> dict[str, Any]:
    return {
        figure: {
            "observed": getattr(report.observed, figure),
            "simulated": getattr(report.simulated, figure),
            "error": report.error(figure),
        }
        for figure in ("mean", "median", "p90")
    } | {"ks": report.ks, "observed_cases": report.observed.count}


def _print_calibration(report: Calibration) -> None:
    typer.echo(f"cycle time       observed     simulated   error   ({report.observed.count} observed cases)")
    for figure in ("mean", "median", "p90"):
        error = report.error(figure)
        typer.echo(
            f"  {figure:<8} {_days(getattr(report.observed, figure)):>14}"
            f" {_days(getattr(report.simulated, figure)):>13}"
            f"  {'-' if error is None else f'{error:+.1%}':>6}"
        )
    typer.echo(f"  KS distance of the distributions: {report.ks:.3f}")


def _load_params(path: Path) -> simulation.SimulationParams:
    try:
        return simulation.params_from_dict(json.loads(path.read_text(encoding="utf-8")))
    except OSError as error:
        fail(f"{path}: {error.strerror or error}")
    except json.JSONDecodeError as error:
        fail(f"{path}: not JSON ({error.msg} at line {error.lineno})")


@app.command()
def fit(
    log: Annotated[Path, typer.Argument(help="Event log (XES, CSV, Parquet), or engine:PROCESS_KEY.")],
    *,
    model: Annotated[str, typer.Option("--model", help="BPMN file or reference service id.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the parameters (JSON).")],
    capacity_quantile: Annotated[
        float,
        typer.Option(
            "--capacity-quantile",
            min=0.5,
            max=1.0,
            help="Staff per lane covers the observed concurrency this share of the time.",
        ),
    ] = 0.95,
    sla: Annotated[str | None, typer.Option("--sla", help="Cycle-time target (ISO 8601, e.g. P56D).")] = None,
    attribute: Annotated[
        list[str] | None,
        typer.Option(
            "--attribute",
            help="Case attribute whose values make case profiles (repeat; engine history: the service's "
            "declared attributes by default; 'none' for no profiles).",
        ),
    ] = None,
    runs: RunsOption = 3,
    seed: SeedOption = 1,
    json_output: JsonOption = False,
) -> None:
    """Fit simulation parameters from history, then check them: observed vs simulated cycle times."""
    source, service_sla = model_source(model)
    sim_model = simulation.load_model(source)
    attributes = _profile_attributes(str(log), attribute)
    event_log = read_log(
        log,
        mining.ColumnMapping(case=mining.CASE, activity=mining.ACTIVITY, timestamp=mining.TIMESTAMP),
        attributes=attributes,
    )
    options = simulation.FitOptions(
        capacity_quantile=capacity_quantile, sla_seconds=_sla_seconds(sla or service_sla), case_attributes=attributes
    )
    try:
        params = simulation.fit_params(event_log, sim_model, options)
    except simulation.CalibrationError as error:
        fail(f"{log}: {error}")
    try:
        out.write_text(json.dumps(simulation.params_to_dict(params), indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        fail(f"{out}: {error.strerror or error}")
    kpis, _record = simulation.replicate(sim_model, params, rng=random.Random(seed), runs=runs)  # noqa: S311 - simulation draws  # nosec B311
    report = simulation.calibration(params, kpis)
    if json_output:
        print_json({"params": str(out), "kpis": _kpis_json(kpis), "calibration": report and _calibration_json(report)})
        return
    typer.echo(f"civicflow: parameters for {params.process_id} written to {out}")
    staff = ", ".join(f"{p.name} {p.capacity}" for p in params.pools.values())
    typer.echo(f"arrivals {params.arrivals.per_week:.1f} per week; staff {staff or '-'}")
    own = [p for p in params.profiles if p.values]
    if own:
        names = ", ".join(own[0].values)
        pooled = sum(p.share for p in params.profiles if not p.values)
        typer.echo(f"case profiles by {names}: {len(own)}, and {pooled:.1%} of the cases in rarer kinds, pooled")
    if report is not None:
        _print_calibration(report)


def _profile_attributes(source: str, given: list[str] | None) -> tuple[str, ...]:
    """The attributes asked for; from the engine's history, by default the service's declared ones."""
    if given:
        return () if [name.lower() for name in given] == ["none"] else tuple(given)
    if not source.startswith(ENGINE):
        return ()
    setup_django()
    from civicflow.runtime.prediction_traces import ATTRIBUTES

    return ATTRIBUTES.get(source.removeprefix(ENGINE).split(":")[0], ())


@app.command()
def run(
    model: ModelArgument,
    *,
    params_file: Annotated[Path, typer.Option("--params", help="Parameters (from simulate fit, or by hand).")],
    scenario_file: Annotated[
        Path | None, typer.Option("--scenario", help="Scenario JSON: staff, extra_staff, remove, parallelise ...")
    ] = None,
    cases: Annotated[int | None, typer.Option("--cases", min=1, help="Simulate this many cases.")] = None,
    runs: RunsOption = 1,
    seed: SeedOption = 1,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the simulated log (.xes.gz, .csv, .parquet).")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Simulate MODEL; with --scenario, the scenario beside the baseline (same seed)."""
    source, _sla = model_source(model)
    sim_model = simulation.load_model(source, process_id=None)
    params = _load_params(params_file)
    baseline, record = simulation.replicate(sim_model, params, rng=random.Random(seed), runs=runs, cases=cases)  # noqa: S311 - simulation draws  # nosec B311
    report = simulation.calibration(params, baseline)
    rows: tuple[ComparisonRow, ...] = ()
    scenario_name = None
    if scenario_file is not None:
        try:
            data = json.loads(scenario_file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            fail(f"{scenario_file}: {error}")
        scenario = simulation.scenario_from_dict(data)
        scenario_name = scenario.name
        changed_model, changed_params = simulation.apply_scenario(sim_model, params, scenario)
        rng = random.Random(seed)  # noqa: S311 - simulation draws  # nosec B311
        other, record = simulation.replicate(changed_model, changed_params, rng=rng, runs=runs, cases=cases)
        rows = simulation.compare(baseline, other)
    if out is not None:
        write_log(simulation.simulated_log(record), out)
    if json_output:
        print_json(
            {
                "baseline": _kpis_json(baseline),
                "calibration": report and _calibration_json(report),
                "scenario": scenario_name,
                "comparison": [
                    {
                        "metric": r.metric,
                        "unit": r.unit,
                        "baseline": r.baseline,
                        "scenario": r.scenario,
                        "delta": r.delta,
                        "relative": r.relative,
                    }
                    for r in rows
                ],
            }
        )
        return
    if rows:
        typer.echo(f"{'':<34}{'baseline':>14}{scenario_name or 'scenario':>14}{'change':>10}")
        for row in rows:
            change = "-" if row.relative is None else f"{row.relative:+.1%}"
            typer.echo(f"{row.metric:<34}{_figure(row, row.baseline):>14}{_figure(row, row.scenario):>14}{change:>10}")
        return
    cycle = baseline.cycle
    typer.echo(
        f"{baseline.cases} cases, {baseline.completed} completed: cycle time mean {_days(cycle.mean)}, "
        f"median {_days(cycle.median)}, p90 {_days(cycle.p90)}"
        + ("" if baseline.sla_met is None else f"; SLA met {baseline.sla_met:.1%}")
    )
    for pool in baseline.pools:
        typer.echo(
            f"  {pool.pool:<20} staff {pool.capacity:>4}  waiting {mining.format_seconds(pool.waiting_mean):>10}"
            f"  utilisation {pool.utilisation:.0%}"
        )
    if report is not None:
        _print_calibration(report)
