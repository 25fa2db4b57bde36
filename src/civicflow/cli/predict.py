"""``civicflow predict``: train the remaining-time and SLA-risk models, show a case's prediction.

See docs/prediction.md for the method, the stored model and the held-out figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from civicflow.cli._common import fail, print_json, setup_django

if TYPE_CHECKING:
    from civicflow.prediction import Prediction
    from civicflow.runtime.models import PredictionModel

__all__ = ["app"]

app = typer.Typer(help="Predicted remaining time and SLA risk of running cases.", no_args_is_help=True)


def _metrics_lines(row: PredictionModel) -> list[str]:
    lines = [
        f"{row.service}: model version {row.version} from {row.cases:,} finished cases ({row.prefixes:,} prefixes)"
    ]
    m = row.metrics
    if not m:
        lines.append("  held-out test: not enough history yet (see docs/prediction.md, 'Evaluation')")
        return lines
    lines.append(
        f"  held-out test: trained on {m['train_cases']:,} earlier cases, tested on {m['test_cases']:,} later cases "
        f"({m['test_prefixes']:,} prefixes)"
    )
    lines.append(
        f"  remaining time MAE {m['mae_hours'] / 24:.1f} days vs historical mean "
        f"{m['baseline_mae_hours'] / 24:.1f} days: {m['improvement'] * 100:.1f}% better"
    )
    if m.get("excluded_running"):
        lines.append(
            f"  left out: {m['excluded_running']:,} later cases still running (slow ones: the figures are flattered)"
        )
    auc = "n/a (no missed target among the test cases)" if m["auc"] is None else f"{m['auc']:.3f}"
    lines.append(f"  SLA risk AUC {auc}; {m['miss_rate'] * 100:.1f}% of the test cases missed the target")
    return lines


def _model_dict(row: PredictionModel) -> dict[str, Any]:
    return {
        "service": row.service,
        "version": row.version,
        "trained_at": row.trained_at.isoformat(),
        "cases": row.cases,
        "prefixes": row.prefixes,
        "library": row.library,
        "metrics": row.metrics,
    }


@app.command("train")
def train_command(
    service: Annotated[
        str | None, typer.Option(help="Only this service (its id); default: every reference service.")
    ] = None,
    min_cases: Annotated[int, typer.Option("--min-cases", help="Finished cases needed to train.", min=5)] = 20,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Train a model per service on its finished cases, test it on held-out later cases, store it."""
    setup_django()
    from django.db import DatabaseError

    from civicflow.prediction import PredictionError
    from civicflow.runtime.prediction import service_for, train_service
    from civicflow.services import REFERENCE_SERVICES

    try:
        chosen = [service_for(service)] if service is not None else list(REFERENCE_SERVICES)
    except PredictionError as exc:
        fail(str(exc))
    trained, refused = [], {}
    for item in chosen:
        try:
            trained.append(train_service(item, min_cases=min_cases))
        except PredictionError as exc:
            refused[item.id] = str(exc)
        except DatabaseError as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            fail(f"cannot read the history ({detail}): is the database reachable and migrated?")
    if json_output:
        print_json({"models": [_model_dict(row) for row in trained], "not_trained": refused})
    else:
        for row in trained:
            typer.echo("\n".join(_metrics_lines(row)))
        for key, reason in refused.items():
            typer.echo(f"{key}: not trained: {reason}")
    if not trained:
        raise typer.Exit(1)


def _prediction_dict(row: PredictionModel, prediction: Prediction) -> dict[str, Any]:
    return {
        "service": row.service,
        "model_version": row.version,
        "remaining_seconds": prediction.remaining.total_seconds(),
        "sla_risk": prediction.sla_risk,
        "overdue": prediction.overdue,
        "reasons": [reason.as_dict() for reason in prediction.reasons],
    }


@app.command()
def show(
    case: Annotated[str, typer.Argument(help="The case: its instance id or business key (BP-2026-00012).")],
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Predict one running case now: expected remaining time, SLA risk and the main reasons."""
    setup_django()
    from uuid import UUID

    from civicflow.prediction import PredictionError
    from civicflow.runtime.models import ProcessInstance
    from civicflow.runtime.prediction import predict_case

    try:
        instance_id = UUID(case)
    except ValueError:
        found = list(
            ProcessInstance.objects.filter(business_key=case, parent__isnull=True).values_list("pk", flat=True)[:2]
        )
        if len(found) != 1:
            fail(f"no case {case!r}" if not found else f"{case!r} names more than one case: give the instance id")
        instance_id = found[0]
    try:
        row, prediction = predict_case(instance_id)
    except PredictionError as exc:
        fail(str(exc))
    if json_output:
        print_json({"case": str(instance_id), **_prediction_dict(row, prediction)})
        return
    days = prediction.remaining.total_seconds() / 86400
    typer.echo(f"case {case} ({row.service}, model version {row.version})")
    typer.echo(f"  expected remaining time: {days:.1f} days")
    if prediction.overdue:
        typer.echo("  already past its processing target")
    elif prediction.sla_risk is not None:
        typer.echo(f"  risk of missing the processing target: {prediction.sla_risk * 100:.0f}%")
    for reason in prediction.reasons:
        subject = f" {reason.subject}" if reason.subject else ""
        typer.echo(f"  reason: {reason.kind}{subject} = {reason.value} ({reason.effect_hours:+.0f} h)")
