"""``civicflow mine``: process mining on event logs."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer

from civicflow import mining
from civicflow.cli._common import fail, print_json
from civicflow.cli._mine_logs import is_ocel, read_log, read_ocel, write_log
from civicflow.mining import ACTIVITY, CASE, TIMESTAMP, EventLog

__all__ = ["app"]

app = typer.Typer(help="Process mining: statistics, discovery, performance, conformance.", no_args_is_help=True)

_LOG = typer.Argument(help="Event log (XES, CSV, Parquet, OCEL JSON/XML/SQLite), or engine:[PROCESS_KEY].")
JsonOption = Annotated[bool, typer.Option("--json", help="Print results as JSON.")]
CaseOption = Annotated[str, typer.Option("--case", help="CSV/Parquet column holding the case id.")]
ActivityOption = Annotated[str, typer.Option("--activity", help="CSV/Parquet column holding the activity.")]
TimestampOption = Annotated[str, typer.Option("--timestamp", help="CSV/Parquet column holding the timestamp.")]


ObjectTypeOption = Annotated[
    str | None, typer.Option("--object-type", help="OCEL logs: flatten to one case per object of this type.")
]


def _load(path: Path, case: str, activity: str, timestamp: str, object_type: str | None = None) -> EventLog:
    """Read any supported log (``engine:[KEY]``: the engine's history); CSV/Parquet columns are mapped."""
    mapping = mining.ColumnMapping(case=case, activity=activity, timestamp=timestamp)
    return read_log(path, mapping, object_type)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, pl.DataFrame):
        return [{k: _plain(v) for k, v in row.items()} for row in value.iter_rows(named=True)]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _table(frame: pl.DataFrame, limit: int = 20) -> None:
    with pl.Config(tbl_rows=limit, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=160, tbl_hide_dataframe_shape=True):
        typer.echo(str(frame.head(limit)))


@app.command()
def stats(
    log: Annotated[Path, _LOG],
    *,
    json_output: JsonOption = False,
    case: CaseOption = CASE,
    activity: ActivityOption = ACTIVITY,
    timestamp: TimestampOption = TIMESTAMP,
    object_type: ObjectTypeOption = None,
) -> None:
    """Log statistics: counts, start/end activities, case durations."""
    result = mining.log_statistics(_load(log, case, activity, timestamp, object_type))
    if json_output:
        print_json(_plain(result))
        return
    fs = mining.format_seconds
    d = result.case_duration
    typer.echo(
        f"cases {result.cases}, events {result.events}, activities {result.activities}, variants {result.variants}"
    )
    typer.echo(
        f"case duration: min {fs(d.min)}, median {fs(d.median)}, mean {fs(d.mean)}, p90 {fs(d.p90)}, max {fs(d.max)}"
    )
    e = result.events_per_case
    typer.echo(f"events per case: min {e.min:g}, median {e.median:g}, mean {e.mean:.2f}, max {e.max:g}")
    typer.echo("start: " + ", ".join(f"{a} ({n})" for a, n in result.start_activities.items()))
    typer.echo("end: " + ", ".join(f"{a} ({n})" for a, n in result.end_activities.items()))


@app.command()
def dfg(
    log: Annotated[Path, _LOG],
    *,
    json_output: JsonOption = False,
    out: Annotated[Path | None, typer.Option(help="Write the map as .svg or .html.")] = None,
    performance: Annotated[bool, typer.Option("--performance", help="Label edges with median time.")] = False,
    case: CaseOption = CASE,
    activity: ActivityOption = ACTIVITY,
    timestamp: TimestampOption = TIMESTAMP,
    object_type: ObjectTypeOption = None,
) -> None:
    """Directly-follows graph with frequency and performance (mean, median, p90)."""
    if out is not None and out.suffix.lower() not in {".svg", ".html", ".htm"}:
        fail(f"{out}: --out must end in .svg or .html")
    graph = mining.directly_follows_graph(_load(log, case, activity, timestamp, object_type))
    if out is not None:
        view = mining.DfgView.PERFORMANCE if performance else mining.DfgView.FREQUENCY
        text = mining.dfg_svg(graph, view) if out.suffix.lower() == ".svg" else mining.dfg_html(graph, view, log.name)
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as error:
            fail(f"{out}: cannot write: {error.strerror}")
    if json_output:
        print_json(_plain(graph))
    elif out is None:
        _table(graph.edges, 50)


@app.command()
def variants(
    log: Annotated[Path, _LOG],
    *,
    json_output: JsonOption = False,
    top: Annotated[int, typer.Option(help="Show the N most frequent variants.", min=1)] = 20,
    case: CaseOption = CASE,
    activity: ActivityOption = ACTIVITY,
    timestamp: TimestampOption = TIMESTAMP,
    object_type: ObjectTypeOption = None,
) -> None:
    """Trace variants with counts and shares, most frequent first."""
    table = mining.variants(_load(log, case, activity, timestamp, object_type))
    if json_output:
        print_json({"variants": table.height, "top": _plain(table.head(top))})
        return
    typer.echo(f"{table.height} variants")
    for sequence, count, share in table.head(top).iter_rows():
        typer.echo(f"{count:>7} {share:6.1%}  {' -> '.join(sequence)}")


@app.command()
def performance(
    log: Annotated[Path, _LOG],
    *,
    json_output: JsonOption = False,
    top: Annotated[int, typer.Option(help="Rows per table.", min=1)] = 10,
    case: CaseOption = CASE,
    activity: ActivityOption = ACTIVITY,
    timestamp: TimestampOption = TIMESTAMP,
    object_type: ObjectTypeOption = None,
) -> None:
    """Durations, service vs waiting time, bottlenecks, rework and handovers."""
    loaded = _load(log, case, activity, timestamp, object_type)
    d = mining.log_statistics(loaded).case_duration
    tables = {
        "activities (seconds)": mining.activity_performance(loaded),
        "bottlenecks (waiting seconds)": mining.bottlenecks(loaded, top=top),
        "rework": mining.rework(loaded).head(top),
        "handover of work": mining.handover_of_work(loaded).head(top),
    }
    if json_output:
        report = {"case_duration": d, "lifecycle": mining.has_lifecycle(loaded.events)}
        report |= {title.split(" (")[0].replace(" ", "_"): table for title, table in tables.items()}
        print_json(_plain(report))
        return
    fs = mining.format_seconds
    typer.echo(f"case duration: median {fs(d.median)}, mean {fs(d.mean)}, p90 {fs(d.p90)}, max {fs(d.max)}")
    for title, table in tables.items():
        typer.echo(f"\n{title}")
        _table(table, top)


@app.command()
def convert(
    log: Annotated[Path, _LOG],
    out: Annotated[Path, typer.Argument(help="Target: .xes, .xes.gz, .csv, .parquet, .jsonocel, .xmlocel or .sqlite.")],
    *,
    case: CaseOption = CASE,
    activity: ActivityOption = ACTIVITY,
    timestamp: TimestampOption = TIMESTAMP,
    object_type: ObjectTypeOption = None,
) -> None:
    """Convert a log between formats; OCEL to a case format needs --object-type (flattening)."""
    if is_ocel(log) and is_ocel(out) and object_type is None:
        converted: EventLog | mining.ObjectCentricLog = read_ocel(log)
    else:
        converted = _load(log, case, activity, timestamp, object_type)
    write_log(converted, out)
    if isinstance(converted, EventLog):
        typer.echo(f"{out}: {converted.case_count} cases, {converted.event_count} events")
    else:
        typer.echo(f"{out}: {converted.events.height} events, {converted.objects.height} objects")


_MODEL_SUFFIXES = (".bpmn", ".pnml", ".svg", ".html", ".htm")


@app.command()
def discover(
    log: Annotated[Path, _LOG],
    *,
    json_output: JsonOption = False,
    out: Annotated[Path | None, typer.Option(help="Write the model as .bpmn, .pnml, .svg or .html.")] = None,
    noise: Annotated[
        float, typer.Option(help="IMf noise threshold, 0 to below 1 (0: plain IM, every trace fits).", min=0.0)
    ] = 0.0,
    case: CaseOption = CASE,
    activity: ActivityOption = ACTIVITY,
    timestamp: TimestampOption = TIMESTAMP,
) -> None:
    """Discover a process tree with the inductive miner (IMf with --noise); write BPMN, PNML or a picture."""
    suffix = "" if out is None else out.suffix.lower()
    if out is not None and suffix not in _MODEL_SUFFIXES:
        fail(f"{out}: --out must end in .bpmn, .pnml, .svg or .html")
    loaded = _load(log, case, activity, timestamp)
    try:
        tree = mining.discover_process_tree(loaded, noise_threshold=noise)
    except mining.EventLogError as error:
        fail(str(error))
    net = mining.tree_to_petri(tree)
    if out is not None:
        title = f"Discovered from {log.name}"
        content = {
            ".bpmn": lambda: mining.tree_to_bpmn(tree, name=title),
            ".pnml": lambda: mining.write_pnml(net),
            ".svg": lambda: mining.tree_svg(tree).encode(),
        }.get(suffix, lambda: mining.tree_html(tree, title).encode())()
        try:
            out.write_bytes(content)
        except OSError as error:
            fail(f"{out}: cannot write: {error.strerror}")
    summary = {
        "tree": str(tree),
        "noise": noise,
        "activities": len(tree.activities),
        "nodes": tree.size,
        "places": len(net.places),
        "transitions": len(net.transitions),
        "out": None if out is None else str(out),
    }
    if json_output:
        print_json(summary)
        return
    typer.echo(str(tree))
    typer.echo(
        f"{summary['activities']} activities, {tree.size} tree nodes; Petri net: {len(net.places)} places, "
        f"{len(net.transitions)} transitions" + ("" if out is None else f"; written to {out}")
    )


@app.command()
def conformance(
    log: Annotated[Path, _LOG],
    model: Annotated[Path, typer.Argument(help="BPMN (.bpmn) or Petri net (.pnml) model.")],
    *,
    json_output: JsonOption = False,
    out: Annotated[Path | None, typer.Option(help="Write a deviation chart (.svg) or report (.html).")] = None,
    top: Annotated[int, typer.Option(help="How many deviating activities to list.", min=1)] = 10,
    max_states: Annotated[
        int, typer.Option(help="Alignment search limit per variant; beyond it a variant is 'not aligned'.", min=1)
    ] = 250_000,
    label_by: Annotated[
        mining.ActivityLabel, typer.Option(help="BPMN: label activities by element name or id (engine logs: id).")
    ] = mining.ActivityLabel.NAME,
    case: CaseOption = CASE,
    activity: ActivityOption = ACTIVITY,
    timestamp: TimestampOption = TIMESTAMP,
    object_type: ObjectTypeOption = None,
) -> None:
    """Conformance of a log to a model: token replay (fitness, precision) and optimal alignments."""
    suffix = "" if out is None else out.suffix.lower()
    if out is not None and suffix not in {".svg", ".html", ".htm"}:
        fail(f"{out}: --out must end in .svg or .html")
    kind = model.suffix.lower()
    if kind not in {".bpmn", ".pnml"}:
        fail(f"{model}: unsupported model format (use .bpmn or .pnml)")
    if not model.is_file():
        fail(f"{model}: no such file")
    loaded = _load(log, case, activity, timestamp, object_type)
    try:
        net = mining.bpmn_to_petri(model, label_by=label_by) if kind == ".bpmn" else mining.read_pnml(model)
        compiled = mining.compile_net(net)
        replay = mining.token_replay(loaded, compiled)
        alignment = mining.align(loaded, compiled, max_states=max_states)
    except (mining.ConformanceError, mining.EventLogError) as error:
        fail(f"{model}: {error}")
    report = mining.conformance_report(model.name, replay, alignment)
    if out is not None:
        text = (
            mining.deviations_svg(report, top=top) if suffix == ".svg" else mining.conformance_html(report, alignment)
        )
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as error:
            fail(f"{out}: cannot write: {error.strerror}")
    if json_output:
        result = _plain(report) | {
            "deviations": _plain(report.deviations[:top]),
            "out": None if out is None else str(out),
        }
        print_json(result)
        return
    typer.echo(f"{report.cases} cases, {report.variants} variants against {model.name}")
    typer.echo(
        f"token replay: fitness {report.replay_fitness:.4f}, precision {report.precision:.4f}, "
        f"fitting cases {report.replay_fitting_share:.1%}"
    )
    typer.echo(
        f"alignments: fitness {report.alignment_fitness:.4f}, average trace fitness {report.average_fitness:.4f}, "
        f"fitting cases {report.fitting_share:.1%}"
        + (f", {report.not_aligned} variants not aligned (state limit)" if report.not_aligned else "")
    )
    if report.deviations:
        typer.echo("\ntop deviations (cases): activity, log moves, model moves")
        _table(
            pl.DataFrame(
                {
                    "activity": [r.activity for r in report.deviations[:top]],
                    "log moves": [r.log_moves for r in report.deviations[:top]],
                    "model moves": [r.model_moves for r in report.deviations[:top]],
                }
            ),
            top,
        )
    if out is not None:
        typer.echo(f"written to {out}")
