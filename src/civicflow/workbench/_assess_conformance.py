"""Conformance of a log against a deployed BPMN model, computed once per (log, model) and kept as JSON.

The model becomes an accepting Petri net (``civicflow.mining.bpmn_to_petri``, activities labelled
by element name as the logs are); token replay gives fitness and precision, optimal alignments
give the deviations: log moves (the log did something the model does not allow there) and model
moves (the model required something the log skipped). Deviations are mapped back to the BPMN
elements carrying that name, for the diagram.

Alignments are exponential in the worst case, so the work is bounded: only the most frequent
variants are checked (``MAX_VARIANTS``) and each alignment search stops after ``MAX_STATES``
states (that variant is then counted as not aligned).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

from civicflow.mining import (
    ACTIVITY,
    CASE,
    LIFECYCLE,
    EventLog,
    align,
    bpmn_to_petri,
    filter_variants,
    token_replay,
    variants,
)
from civicflow.runtime.definitions import graph_for
from civicflow.runtime.models import ProcessDefinition

__all__ = ["MAX_STATES", "MAX_VARIANTS", "conformance"]

VERSION = 2
MAX_VARIANTS = 200
MAX_STATES = 50_000


def _checkable(log: EventLog, elements: dict[str, list[str]], visible: set[str]) -> EventLog:
    """The part of ``log`` a model can be held to.

    One event per activity instance (the complete events, when the log records lifecycles);
    events naming model elements the net treats as silent (start and end events: logs need not
    record them) are dropped; and when the log knows its cases' status (the engine's history),
    only finished cases are kept: an open or cancelled case has not run to the model's end.
    """
    events = log.events
    if LIFECYCLE in events.columns:
        transition = pl.col(LIFECYCLE).str.to_lowercase()
        events = events.filter(transition.is_null() | (transition == "complete"))
    silent = [name for name in elements if name not in visible]
    events = events.filter(~pl.col(ACTIVITY).is_in(silent))
    if "status" in log.cases.columns:
        finished = log.cases.filter(pl.col("status") == "completed")[CASE]
        events = events.filter(pl.col(CASE).is_in(finished.implode()))
    return EventLog.from_events(events, cases=log.cases)


def _elements(definition: ProcessDefinition) -> dict[str, list[str]]:
    """Activity label (element name, else id) -> the ids of the BPMN elements it names."""
    found: dict[str, list[str]] = {}
    for node_id, node in graph_for(definition.pk).nodes.items():
        found.setdefault((node.name or "").strip() or node_id, []).append(node_id)
    return found


def conformance(digest: str, log: EventLog, definition: ProcessDefinition) -> dict[str, Any]:
    """Fitness, precision and deviations of ``log`` against ``definition``; raises ConformanceError."""
    key = hashlib.sha256(f"{digest}\n{definition.key}\n{definition.content_hash}".encode()).hexdigest()
    path = Path(settings.INSTANCE_DIR) / "assess" / "cache" / f"conformance-{key}.json"
    if path.exists():
        cached: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if cached.get("version") == VERSION:
            return cached
    result = _compute(log, definition)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".part", delete=False, encoding="utf-8") as handle:
        json.dump(result, handle)
    Path(handle.name).replace(path)
    return result


def _compute(log: EventLog, definition: ProcessDefinition) -> dict[str, Any]:
    net = bpmn_to_petri(definition.resource.content.encode(), process_id=definition.process_id)
    elements = _elements(definition)
    completed = _checkable(log, elements, net.labels)
    if completed.event_count == 0:
        return {"version": VERSION, "model": definition.key, "cases": log.case_count, "checked_cases": 0}
    ranked = variants(completed)
    checked = completed
    if ranked.height > MAX_VARIANTS:
        checked = filter_variants(completed, ranked["variant"].head(MAX_VARIANTS).to_list())
    replay = token_replay(checked, net)
    alignment = align(checked, net, max_states=MAX_STATES)
    ranked_points = sorted(
        alignment.deviation_points.items(), key=lambda item: (-(item[1].log_moves + item[1].model_moves), item[0])
    )
    deviations = [
        {
            "activity": label,
            "log_moves": counts.log_moves,
            "model_moves": counts.model_moves,
            "elements": elements.get(label, []),
        }
        for label, counts in ranked_points
    ]
    return {
        "version": VERSION,
        "model": definition.key,
        "cases": log.case_count,
        "checked_cases": checked.case_count,
        "variants": ranked.height,
        "checked_variants": min(ranked.height, MAX_VARIANTS),
        "fitness": replay.fitness,
        "precision": replay.precision,
        "alignment_fitness": alignment.log_fitness,
        "fitting_share": alignment.fitting_traces_share,
        "not_aligned": alignment.not_aligned,
        "deviations": deviations,
    }
