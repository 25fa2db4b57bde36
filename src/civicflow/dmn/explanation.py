"""What an evaluation did, for review of automated decisions (GDPR Art. 22).

Each decision table evaluated records its inputs and the rules that matched; each decision
records the value it produced. Values are FEEL values (see :func:`civicflow.feel.from_feel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DecisionExplanation", "MatchedRule", "TableExplanation", "explanation_references"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchedRule:
    """One rule that matched: its 1-based position, id, outputs and annotations."""

    index: int
    id: str | None
    outputs: dict[str, Any]
    annotations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TableExplanation:
    """One decision table evaluation."""

    decision: str | None
    table_id: str | None
    hit_policy: str
    inputs: tuple[tuple[str, Any], ...]
    matched: tuple[MatchedRule, ...]
    result: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionExplanation:
    """One decision evaluated (or taken from the inputs), with the tables it ran."""

    decision: str
    id: str
    value: Any
    supplied: bool = False
    tables: tuple[TableExplanation, ...] = ()


def explanation_references(decisions: tuple[DecisionExplanation, ...]) -> list[dict[str, Any]]:
    """The explanation without its values: decision ids, table ids, input labels, matched rule ids.

    What an audit trail may keep of an automated decision: enough to say which rules decided (GDPR
    Art. 22 review), nothing of the personal values that went in or came out.
    """
    return [
        {
            "decision": decision.id,
            "supplied": decision.supplied,
            "tables": [
                {
                    "table": table.table_id,
                    "hit_policy": table.hit_policy,
                    "inputs": [label for label, _value in table.inputs],
                    "matched": [rule.id or f"#{rule.index}" for rule in table.matched],
                }
                for table in decision.tables
            ],
        }
        for decision in decisions
    ]
