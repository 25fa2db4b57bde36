"""The Simulate page's work: fit parameters from a service's history, keep them, run a scenario.

Fitted parameters are kept in the user's session per service (with when they were fitted and
how well they reproduce the history): the session is shared by every web worker, where a
process-local cache is not, and a scenario run does not refit. "Fit from history" replaces them.
Runs use a fixed seed: the same form gives the same figures, and a scenario is compared with its
baseline on the same cases.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from civicflow.bpmn.timers import parse_duration
from civicflow.runtime.clock import current_clock
from civicflow.runtime.mining_log import engine_event_log
from civicflow.runtime.prediction_traces import ATTRIBUTES
from civicflow.services import ReferenceService
from civicflow.simulation import (
    ComparisonRow,
    FitOptions,
    Scenario,
    SimKind,
    SimModel,
    SimulationKpis,
    SimulationParams,
    apply_scenario,
    calibration,
    compare,
    fit_params,
    load_model,
    params_from_dict,
    params_to_dict,
    replicate,
)

__all__ = ["Fitted", "fit_service", "fitted", "model_of", "parallel_pairs", "run_scenario", "steps"]

_KEY = "workbench-simulation:{}"
_SEED = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Fitted:
    params: SimulationParams
    fitted_at: datetime
    mean_error: float | None
    p90_error: float | None
    ks: float | None


def model_of(service: ReferenceService) -> SimModel:
    return load_model((service.folder / service.bpmn[0]).read_bytes())


def fitted(session: SessionBase, service: ReferenceService) -> Fitted | None:
    data: dict[str, Any] | None = session.get(_KEY.format(service.id))
    if data is None:
        return None
    return Fitted(
        params=params_from_dict(data["params"]),
        fitted_at=datetime.fromisoformat(data["fitted_at"]),
        mean_error=data.get("mean_error"),
        p90_error=data.get("p90_error"),
        ks=data.get("ks"),
    )


def fit_service(session: SessionBase, service: ReferenceService) -> Fitted | None:
    """Fit from the engine's history of the service (None when it has no completed case yet)."""
    attributes = ATTRIBUTES.get(service.process_id, ())  # the case profiles (docs/simulation.md)
    log = engine_event_log(process_key=service.process_id, attributes=attributes)
    if log.case_count == 0:
        return None
    model = model_of(service)
    sla = parse_duration(service.kpis.processing_time).exact.total_seconds()
    params = fit_params(log, model, FitOptions(sla_seconds=sla, case_attributes=attributes))
    if params.observed is None or params.observed.cases == 0:
        return None
    kpis, _record = replicate(model, params, rng=random.Random(_SEED))  # noqa: S311 - simulation draws  # nosec B311
    report = calibration(params, kpis)
    result = Fitted(
        params=params,
        fitted_at=current_clock().now(),
        mean_error=report.error("mean") if report else None,
        p90_error=report.error("p90") if report else None,
        ks=report.ks if report else None,
    )
    session[_KEY.format(service.id)] = {
        "params": params_to_dict(params),
        "fitted_at": result.fitted_at.isoformat(),
        "mean_error": result.mean_error,
        "p90_error": result.p90_error,
        "ks": result.ks,
    }
    return result


def steps(model: SimModel) -> list[tuple[str, str]]:
    """(element id, name) of the steps a scenario may take out: tasks with one way out."""
    found = [
        (node.id, node.name)
        for node in model.nodes.values()
        if node.kind == SimKind.TASK and len(node.outgoing) == 1 and node.container is None
    ]
    return sorted(found, key=lambda item: item[1].lower())


def parallel_pairs(model: SimModel) -> list[tuple[str, str, str]]:
    """(first id, second id, label) of two steps in a row that could run side by side."""
    pairs = []
    for node in model.nodes.values():
        if node.kind != SimKind.TASK or len(node.outgoing) != 1:
            continue
        after = model.nodes.get(node.outgoing[0].target)
        if after is not None and after.kind == SimKind.TASK and after.incoming == 1 and len(after.outgoing) == 1:
            pairs.append((node.id, after.id, f"{node.name} + {after.name}"))
    return sorted(pairs, key=lambda item: item[2].lower())


def run_scenario(
    model: SimModel, params: SimulationParams, scenario: Scenario
) -> tuple[SimulationKpis, SimulationKpis, tuple[ComparisonRow, ...]]:
    """Baseline and scenario on the same seed, and the comparison rows."""
    changed_model, changed_params = apply_scenario(model, params, scenario)
    baseline, _ = replicate(model, params, rng=random.Random(_SEED))  # noqa: S311 - simulation draws  # nosec B311
    other, _ = replicate(changed_model, changed_params, rng=random.Random(_SEED))  # noqa: S311 - simulation draws  # nosec B311
    return baseline, other, compare(baseline, other)
