"""What is measured for a service: its stages with SLA targets, its business calendar, task costs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from civicflow.kpi._errors import KpiError
from civicflow.mining import BusinessCalendar

__all__ = ["KpiDefinition", "StageDefinition", "parse_target"]

# Years and months have no fixed length, so a target in them could not be compared exactly.
_DURATION = re.compile(r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?")
# Hostile input: a target longer than this is a typo, not a service level.
_LONGEST = dt.timedelta(days=3660)


def parse_target(text: str, *, element: str = "process") -> dt.timedelta:
    """An ISO 8601 duration in weeks, days, hours, minutes, seconds (``P56D``, ``P2W``, ``PT36H``)."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or text.strip() in {"P", "PT"} or text.strip().endswith("T"):
        raise KpiError(f"bad SLA target {text!r} for {element}: expected an ISO 8601 duration such as P10D or PT36H")
    parts = {key: int(value or 0) for key, value in match.groupdict().items()}
    if any(value > 100_000 for value in parts.values()):
        raise KpiError(f"SLA target {text!r} for {element} is out of range")
    target = dt.timedelta(weeks=parts["w"], days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])
    if target > _LONGEST or target <= dt.timedelta(0):
        raise KpiError(f"SLA target {text!r} for {element} must be between one second and ten years")
    return target


@dataclass(frozen=True, slots=True, kw_only=True)
class StageDefinition:
    """A measured stage: a BPMN element (user task, receive task, wait) and its calendar-time target."""

    element: str
    label: str
    target: dt.timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class KpiDefinition:
    """The KPI configuration of one service.

    ``processing_target`` is the end-to-end SLA in calendar time; ``task_costs`` maps a task type
    (the user task's element id) to its cost in minor currency units (cents), so sums stay exact.
    """

    service: str
    processing_target: dt.timedelta
    stages: tuple[StageDefinition, ...] = ()
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    task_costs: Mapping[str, int] = field(default_factory=dict)
    currency: str = "EUR"

    def __post_init__(self) -> None:
        for task_type, cost in self.task_costs.items():
            if cost < 0:
                raise KpiError(f"cost of task type {task_type!r} in service {self.service!r} is negative")
        elements = [stage.element for stage in self.stages]
        if len(set(elements)) != len(elements):
            raise KpiError(f"service {self.service!r} lists a stage twice")

    def stage(self, element: str) -> StageDefinition | None:
        """The stage definition of ``element``, if it is a measured stage."""
        return next((stage for stage in self.stages if stage.element == element), None)
