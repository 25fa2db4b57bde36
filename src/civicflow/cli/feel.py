"""``civicflow feel``: evaluate one FEEL expression."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

import typer

from civicflow.cli._common import fail, print_json

__all__ = ["feel"]


class _WallClock:
    """The real clock for now()/today(): adapters may read it, the pure core may not."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def feel(
    expression: Annotated[str, typer.Argument(metavar="EXPR", help="A FEEL expression.")],
    context: Annotated[str | None, typer.Option(help="Variables as a JSON object.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print value and warnings as JSON.")] = False,
) -> None:
    """Evaluate a FEEL expression."""
    from civicflow import feel as feel_engine
    from civicflow.feel.errors import FeelError
    from civicflow.feel.values import from_feel, to_feel

    variables = {}
    if context is not None:
        try:
            variables = json.loads(context, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            fail(f"--context is not valid JSON: {exc}")
        if not isinstance(variables, dict):
            fail(f"--context must be a JSON object, not {type(variables).__name__}")
    try:
        result = feel_engine.evaluate(expression, to_feel(variables), clock=_WallClock())
    except FeelError as exc:
        fail(str(exc))
    value = from_feel(result.value, json_safe=True)
    if json_output:
        print_json(
            {
                "value": value,
                "warnings": [{"kind": w.kind, "message": w.message, "span": w.span} for w in result.warnings],
            }
        )
        return
    typer.echo(json.dumps(value, ensure_ascii=False, default=str))
    for warning in result.warnings:
        typer.echo(f"warning: {warning.message}", err=True)
