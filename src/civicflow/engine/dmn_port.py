"""The decision port implemented with civicflow.dmn (business rule tasks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from civicflow.engine.errors import ExpressionError
from civicflow.engine.ports import DecisionOutcome

if TYPE_CHECKING:
    from civicflow.dmn import DmnModel

__all__ = ["DmnDecisions"]


@dataclass(frozen=True, slots=True)
class DmnDecisions:
    """Evaluates decisions of the given DMN models by id or name (first model that knows it)."""

    models: Sequence[DmnModel]

    def evaluate(self, decision_id: str, variables: Mapping[str, Any]) -> DecisionOutcome:
        from civicflow.dmn import DmnError, DmnUnknownDecision, explanation_references

        for model in self.models:
            try:
                result = model.evaluate(decision_id, dict(variables))
            except DmnUnknownDecision:
                continue
            except DmnError as exc:
                raise ExpressionError(f"decision {decision_id!r} failed: {exc}") from exc
            return DecisionOutcome(
                value=result.value,
                decision=decision_id,
                explanation=explanation_references(result.explanation),
            )
        raise ExpressionError(f"no deployed DMN model has a decision {decision_id!r}")
