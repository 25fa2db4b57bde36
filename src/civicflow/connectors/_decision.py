"""The ``decision`` connector: evaluate a deployed DMN decision, its result into a variable.

Options: ``decisionId`` (id or name of the latest deployed version; required), ``resultVariable``
(default ``decisionResult``), ``input`` (a FEEL context; default: the variables the job sees).
Unlike a business rule task it runs as a job, so a failing decision retries and raises an
incident instead of failing the step that reached it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from civicflow.connectors._plugin import BasePlugin, Call, ConnectorError, ConnectorOptionsError, register
from civicflow.connectors._values import option, required

__all__ = ["DecisionOptions", "DecisionPlugin"]

Evaluate = Callable[[str, Mapping[str, Any]], Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionOptions:
    decision_id: str
    result_variable: str = "decisionResult"
    input: Mapping[str, Any] = field(default_factory=dict)


@register("decision")
class DecisionPlugin(BasePlugin[DecisionOptions]):
    def __init__(self, evaluate: Evaluate | None = None) -> None:
        self._evaluate = evaluate

    def options(self, call: Call) -> DecisionOptions:
        given = option(call, "input", plugin="decision")
        if given is not None and not isinstance(given, Mapping):
            raise ConnectorOptionsError("option 'input' must be a context", plugin="decision", option="input")
        return DecisionOptions(
            decision_id=str(required(call, "decisionId", plugin="decision")),
            result_variable=str(option(call, "resultVariable", "decisionResult", plugin="decision")),
            input=dict(given) if given is not None else dict(call.variables),
        )

    def run(self, call: Call, options: DecisionOptions) -> Mapping[str, Any] | None:
        evaluate = self._evaluate
        if evaluate is None:
            from civicflow.runtime.definitions import RuntimeDecisions

            decisions = RuntimeDecisions()

            def latest(decision_id: str, variables: Mapping[str, Any]) -> Any:
                return decisions.evaluate(decision_id, variables).value

            evaluate = latest
        try:
            value = evaluate(options.decision_id, options.input)
        except Exception as exc:
            raise ConnectorError(f"decision {options.decision_id!r}: {exc}", plugin="decision") from exc
        import civicflow.feel

        return {options.result_variable: civicflow.feel.from_feel(value, json_safe=True)}
