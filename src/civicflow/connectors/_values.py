"""Option values as written in a model: ``=`` starts FEEL (Zeebe style), anything else is literal."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import civicflow.feel
from civicflow.connectors._plugin import Call, ConnectorOptionsError

__all__ = ["option", "option_float", "option_mapping", "required", "resolve"]


def resolve(raw: str, variables: Mapping[str, Any], *, plugin: str = "", name: str = "") -> Any:
    """The value of one option: FEEL after a leading ``=``, else the text itself.

    FEEL never raises on a semantic error (it answers null with a warning); for an option that
    is a mistake in the model, so the warning becomes the job's failure message.
    """
    text = raw.strip()
    if not text.startswith("="):
        return raw
    try:
        result = civicflow.feel.evaluate(text[1:], dict(variables))
    except civicflow.feel.FeelError as exc:
        raise ConnectorOptionsError(f"option {name!r}: {exc}", plugin=plugin, option=name) from exc
    if result.value is None and result.warnings:
        raise ConnectorOptionsError(f"option {name!r}: {result.warnings[0].message}", plugin=plugin, option=name)
    return civicflow.feel.from_feel(result.value, json_safe=True)


def option(call: Call, name: str, default: Any = None, *, plugin: str = "") -> Any:
    """Option ``name`` of ``call`` evaluated, or ``default`` when the model does not set it."""
    raw = call.options.get(name)
    if raw is None:
        return call.inputs.get(name, default)
    return resolve(raw, call.variables, plugin=plugin, name=name)


def required(call: Call, name: str, *, plugin: str = "") -> Any:
    value = option(call, name, plugin=plugin)
    if value is None or value == "":
        raise ConnectorOptionsError(f"the {plugin} connector needs option {name!r}", plugin=plugin, option=name)
    return value


def option_float(call: Call, name: str, default: float, *, plugin: str = "") -> float:
    value = option(call, name, plugin=plugin)
    if value is None:
        return default
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ConnectorOptionsError(f"option {name!r} is not a number: {value!r}", plugin=plugin, option=name) from exc


def option_mapping(call: Call, name: str, *, plugin: str = "") -> dict[str, str]:
    """A map of texts: a FEEL context, or a JSON object written literally."""
    value = option(call, name, plugin=plugin)
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ConnectorOptionsError(
                f"option {name!r} is neither a FEEL context nor a JSON object", plugin=plugin, option=name
            ) from exc
    if not isinstance(value, Mapping):
        raise ConnectorOptionsError(f"option {name!r} must be a context of texts", plugin=plugin, option=name)
    return {str(k): "" if v is None else str(v) for k, v in value.items()}
