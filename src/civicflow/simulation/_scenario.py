"""What-if scenarios: change staffing, take a step out, run a sequence of steps in parallel, change demand."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from civicflow.simulation._errors import ParameterError
from civicflow.simulation._model import SimFlow, SimKind, SimModel, SimNode
from civicflow.simulation._params import PoolParams, SimulationParams

__all__ = ["Scenario", "apply_scenario", "scenario_from_dict"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """Changes to a baseline. ``staff`` sets a pool's capacity, ``extra_staff`` adds to it;
    ``remove`` lists steps to take out; ``parallelise`` lists sequences of steps (each directly
    followed by the next) to run side by side; ``arrival_factor`` scales demand."""

    name: str = "scenario"
    staff: Mapping[str, int] = field(default_factory=dict)
    extra_staff: Mapping[str, int] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    parallelise: tuple[tuple[str, ...], ...] = ()
    arrival_factor: float = 1.0

    def __post_init__(self) -> None:
        if self.arrival_factor <= 0:
            raise ParameterError("arrival_factor must be positive")


def scenario_from_dict(data: Any) -> Scenario:
    """Read a scenario file: ``{"name", "staff", "extra_staff", "remove", "parallelise", "arrival_factor"}``."""
    if not isinstance(data, dict):
        raise ParameterError("a scenario is a JSON object")
    unknown = set(data) - {"name", "staff", "extra_staff", "remove", "parallelise", "arrival_factor"}
    if unknown:
        raise ParameterError(f"unknown scenario field {sorted(unknown)[0]!r}")
    try:
        return Scenario(
            name=str(data.get("name", "scenario")),
            staff={str(k): int(v) for k, v in dict(data.get("staff", {})).items()},
            extra_staff={str(k): int(v) for k, v in dict(data.get("extra_staff", {})).items()},
            remove=tuple(str(s) for s in data.get("remove", ())),
            parallelise=tuple(tuple(str(s) for s in group) for group in data.get("parallelise", ())),
            arrival_factor=float(data.get("arrival_factor", 1.0)),
        )
    except (TypeError, ValueError) as error:
        raise ParameterError(f"bad scenario: {error}") from None


def _staffed(params: SimulationParams, scenario: Scenario) -> dict[str, PoolParams]:
    pools = dict(params.pools)
    for name in (*scenario.staff, *scenario.extra_staff):
        if name not in pools:
            raise ParameterError(f"no pool {name!r} (pools: {', '.join(sorted(pools))})")
    for name, capacity in scenario.staff.items():
        pools[name] = replace(pools[name], capacity=capacity)
    for name, extra in scenario.extra_staff.items():
        pools[name] = replace(pools[name], capacity=pools[name].capacity + extra)
    return pools


def _step(model: SimModel, node_id: str) -> SimNode:
    node = model.nodes.get(node_id)
    if node is None or node.kind not in (SimKind.TASK, SimKind.WAIT, SimKind.SUBPROCESS):
        raise ParameterError(f"{node_id!r} is not a step of the model")
    return node


def _remove(nodes: dict[str, SimNode], model: SimModel, node_id: str) -> None:
    node = _step(model, node_id)
    if len(node.outgoing) != 1:
        raise ParameterError(f"{node_id!r} cannot be removed: it has {len(node.outgoing)} outgoing flows")
    nodes[node_id] = replace(node, removed=True, boundaries=(), pool=None)


def _parallelise(nodes: dict[str, SimNode], model: SimModel, group: tuple[str, ...], index: int) -> None:
    if len(group) < 2:
        raise ParameterError("parallelise needs at least two steps")
    steps = [_step(model, node_id) for node_id in group]
    for current, following in itertools.pairwise(steps):
        if len(current.outgoing) != 1 or current.outgoing[0].target != following.id or following.incoming != 1:
            raise ParameterError(f"{current.id!r} is not directly followed by {following.id!r} alone")
    if len(steps[-1].outgoing) != 1:
        raise ParameterError(f"{steps[-1].id!r} must have one outgoing flow")
    split, join = f"scenario_split_{index}", f"scenario_join_{index}"
    after = steps[-1].outgoing[0]
    # the flow into the first step now goes to the split (it keeps its id, so its probability stands)
    for key, node in list(nodes.items()):
        if any(f.target == steps[0].id for f in node.outgoing):
            flows = tuple(SimFlow(id=f.id, target=split) if f.target == steps[0].id else f for f in node.outgoing)
            nodes[key] = replace(node, outgoing=flows)
    container = steps[0].container
    nodes[split] = SimNode(
        id=split,
        name="parallel split",
        kind=SimKind.PARALLEL,
        incoming=1,
        container=container,
        outgoing=tuple(SimFlow(id=f"{split}_{s.id}", target=s.id) for s in steps),
    )
    nodes[join] = SimNode(
        id=join,
        name="parallel join",
        kind=SimKind.PARALLEL,
        incoming=len(steps),
        container=container,
        outgoing=(SimFlow(id=after.id, target=after.target),),
    )
    for step in steps:
        nodes[step.id] = replace(nodes[step.id], incoming=1, outgoing=(SimFlow(id=f"{step.id}_{join}", target=join),))


def apply_scenario(model: SimModel, params: SimulationParams, scenario: Scenario) -> tuple[SimModel, SimulationParams]:
    """The model and parameters with the scenario's changes; :class:`ParameterError` if one cannot apply."""
    nodes = dict(model.nodes)
    for node_id in scenario.remove:
        _remove(nodes, model, node_id)
    for index, group in enumerate(scenario.parallelise, start=1):
        _parallelise(nodes, model.replace_nodes(dict(nodes)), group, index)
    changed = replace(
        params,
        pools=_staffed(params, scenario),
        arrivals=params.arrivals.scaled(scenario.arrival_factor),
    )
    return model.replace_nodes(nodes), changed
