"""The worker's audit steps: copy runtime history into the audit chain, and sign checkpoints.

They live here, above both the runtime and the security layer, because neither may import the
other. Each history event becomes one entry: action = the event type, object = the instance and
element, details = references only (keys, flows, job types, variable *names*; never values, never
messages or names typed by people). A decision a business rule task took (``DecisionEvaluated``)
keeps its decision id and version and its explanation as references, like the API's entry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from uuid import UUID

__all__ = ["AuditFollower", "audit_steps", "history_details"]

# payload fields that are references (integers or model identifiers), copied as they are
_REFERENCE_FIELDS: Final = frozenset(
    {"key", "scope", "owner", "job", "origin", "flow", "target", "process", "type", "role", "element", "kind"}
)
# payload fields holding variables: only their names go into the audit trail
_VARIABLE_FIELDS: Final = frozenset({"variables"})
# DecisionEvaluated's explanation: the engine's decision port fills it with
# civicflow.dmn.explanation_references (table ids, hit policy, input labels, matched rule ids,
# no values), the same details the API's decision evaluation records, so it is kept whole
_EXPLANATION_FIELD: Final = "explanation"
_Row = tuple[int, UUID, str, str | None, dict[str, Any], datetime]


def history_details(payload: dict[str, Any]) -> dict[str, Any]:
    """The references in a history event's payload; values, messages and free text are left out."""
    details: dict[str, Any] = {}
    for name, value in payload.items():
        if name in _REFERENCE_FIELDS and (value is None or isinstance(value, int | str)):
            details[name] = value
        elif name in _VARIABLE_FIELDS and isinstance(value, dict):
            details["variable_names"] = sorted(str(key) for key in value)
        elif name == _EXPLANATION_FIELD and isinstance(value, list):
            details["explanation"] = value
    decision = payload.get("decision")
    if isinstance(decision, str):  # a DecisionEvaluated: the decision as the API names it, <id>:<version>
        version = payload.get("version")
        details["decision"] = f"{decision}:{version}" if isinstance(version, int) else decision
    return details


@dataclass(slots=True)
class AuditFollower:
    """Appends history events after the head's cursor, one batch per call, cursor and entries together.

    A gap in history ids (an insert not yet committed) is waited on for ``gap_grace`` seconds
    before it is taken to be a rolled-back insert and passed, as the KPI projection does.
    """

    batch_size: int = 2000
    gap_grace: float = 10.0
    monotonic: Callable[[], float] = time.monotonic
    _gap: tuple[int, float] | None = field(default=None, init=False)

    def advance(self) -> int:
        from django.db import transaction

        from civicflow.runtime.kpi_projection import _contiguous  # the same gap rule as the KPI projection
        from civicflow.runtime.models import HistoryEvent
        from civicflow.security.audit import NewEntry, append, history_cursor

        with transaction.atomic():
            cursor = history_cursor()
            rows: list[_Row] = list(
                HistoryEvent.objects.filter(pk__gt=cursor)
                .order_by("pk")
                .values_list("pk", "instance_id", "type", "element_id", "payload", "timestamp")[: self.batch_size]
            )
            usable = _contiguous(rows, rows[0][0] - 1 if rows and cursor == 0 else cursor)
            if rows and usable == 0:
                now = self.monotonic()
                if self._gap is None or self._gap[0] != rows[0][0]:
                    self._gap = (rows[0][0], now)
                if now - self._gap[1] < self.gap_grace:
                    return 0
                usable = len(rows)
            rows = rows[:usable]
            if not rows:
                return 0
            entries = [
                NewEntry(
                    actor="engine",
                    action=kind,
                    object_type="instance",
                    object_ref=f"{instance}/{element}" if element else str(instance),
                    details={"history_id": pk, **history_details(payload)},
                    at=at,
                )
                for pk, instance, kind, element, payload, at in rows
            ]
            append(entries, history_id=rows[-1][0])
            self._gap = None
        return len(rows)


_FOLLOWER = AuditFollower()


def follow_history(*, budget: float = 2.0) -> int:
    """Batches until up to date or ``budget`` seconds are spent; the events copied."""
    deadline = time.monotonic() + budget
    total = 0
    while (read := _FOLLOWER.advance()) and time.monotonic() < deadline:
        total += read
    return total + read


def audit_steps(*, seconds: float = 300.0, entries: int = 10_000) -> list[Callable[[], object]]:
    """The worker's audit steps: follow history every second; sign a checkpoint every ``seconds``
    (when anything was appended) and whenever ``entries`` entries are unsigned."""
    from civicflow.security.audit import checkpoint
    from civicflow.web.mail import every

    def by_count() -> object:
        return checkpoint(min_entries=entries)

    return [every(1.0, follow_history), every(seconds, checkpoint), every(5.0, by_count)]
