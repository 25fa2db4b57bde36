"""Simulation parameters: typed, frozen, and written to / read from JSON (``params.json``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from civicflow.mining import BusinessCalendar
from civicflow.simulation._calendar import ALWAYS
from civicflow.simulation._distribution import Distribution
from civicflow.simulation._errors import ParameterError

__all__ = [
    "ActivityParams",
    "ArrivalParams",
    "BoundaryParams",
    "CaseProfile",
    "ObservedCycleTimes",
    "PoolParams",
    "SimulationParams",
    "params_from_dict",
    "params_to_dict",
]

FORMAT = "civicflow-simulation-params/1"


@dataclass(frozen=True, slots=True, kw_only=True)
class ArrivalParams:
    """Expected new cases per hour for each weekday (0 = Monday) and hour of day (UTC)."""

    hourly: tuple[tuple[float, ...], ...]

    def __post_init__(self) -> None:
        if len(self.hourly) != 7 or any(len(row) != 24 for row in self.hourly):
            raise ParameterError("arrival rates are 7 weekdays x 24 hours")
        if any(rate < 0 for row in self.hourly for rate in row):
            raise ParameterError("arrival rates cannot be negative")

    @classmethod
    def constant(cls, per_hour: float) -> ArrivalParams:
        return cls(hourly=tuple(tuple([per_hour] * 24) for _ in range(7)))

    def rate(self, moment: dt.datetime) -> float:
        return self.hourly[moment.weekday()][moment.hour]

    def scaled(self, factor: float) -> ArrivalParams:
        return ArrivalParams(hourly=tuple(tuple(rate * factor for rate in row) for row in self.hourly))

    @property
    def per_week(self) -> float:
        return sum(sum(row) for row in self.hourly)


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolParams:
    """A resource pool (a department, a BPMN lane): how many work at once, and when."""

    name: str
    capacity: int
    calendar: BusinessCalendar = ALWAYS

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise ParameterError(f"pool {self.name!r}: capacity must be at least 1")


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityParams:
    """Processing time of one element (a task, a wait, a call) and its queue priority (higher first)."""

    duration: Distribution
    priority: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class BoundaryParams:
    """A boundary event without a fixed timer: how often it fires and how long after its activity began."""

    probability: float
    delay: Distribution

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise ParameterError("a boundary probability is between 0 and 1")


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseProfile:
    """A kind of case, by the values of its case attributes, and how its cases behave differently.

    Why: what a case is decides both its path and how long its steps take (a commercial building
    goes to a caseworker and takes long in every review). Drawn independently, paths and durations
    lose that link: simple cases get the slow reviews of complex ones, and the other way round.
    A case draws its profile at arrival (by ``share``); its steps then use the profile's
    durations, branch probabilities and boundary events where the profile had enough history of
    its own, and the pooled ones elsewhere.
    """

    values: Mapping[str, str]
    share: float
    activities: Mapping[str, ActivityParams] = field(default_factory=dict)
    branches: Mapping[str, float] = field(default_factory=dict)
    boundaries: Mapping[str, BoundaryParams] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ParameterError(f"profile {dict(self.values)!r}: share must be between 0 and 1")
        for flow, probability in self.branches.items():
            if not 0.0 <= probability <= 1.0:
                raise ParameterError(f"profile {dict(self.values)!r}, branch {flow!r}: probability not in [0, 1]")


@dataclass(frozen=True, slots=True, kw_only=True)
class ObservedCycleTimes:
    """What the history showed, kept with fitted parameters so that a run can report the distance."""

    cases: int
    mean: float
    median: float
    p90: float
    quantiles: tuple[float, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulationParams:
    """Everything a run needs beside the BPMN model. Times in seconds; element keys are BPMN ids.

    A run lets cases arrive for ``arrival_days`` from ``start`` and stops ``observation_days`` after
    ``start``: fitted parameters copy the observed window, so that cases still open at its end are
    left out of cycle times in the simulation as they were in the history.
    """

    process_id: str
    start: dt.datetime
    arrival_days: float
    observation_days: float
    arrivals: ArrivalParams
    activities: Mapping[str, ActivityParams] = field(default_factory=dict)
    branches: Mapping[str, float] = field(default_factory=dict)  # sequence flow id -> probability
    boundaries: Mapping[str, BoundaryParams] = field(default_factory=dict)
    pools: Mapping[str, PoolParams] = field(default_factory=dict)
    sla_seconds: float | None = None
    observed: ObservedCycleTimes | None = None
    profiles: tuple[CaseProfile, ...] = ()  # none: every case behaves as the pooled parameters say

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ParameterError("start must carry a time zone")
        if self.arrival_days <= 0 or self.observation_days < self.arrival_days:
            raise ParameterError("arrival_days must be positive and observation_days at least arrival_days")
        for flow, probability in self.branches.items():
            if not 0.0 <= probability <= 1.0:
                raise ParameterError(f"branch {flow!r}: probability must be between 0 and 1")
        if self.profiles and abs(sum(p.share for p in self.profiles) - 1.0) > 1e-6:
            raise ParameterError("the profiles' shares must add up to 1")


# --- JSON --------------------------------------------------------------------------------------


def _calendar_to_dict(calendar: BusinessCalendar) -> dict[str, Any]:
    end = "24:00" if calendar.day_end == dt.time.max else calendar.day_end.strftime("%H:%M")
    return {
        "days": sorted(calendar.working_days),
        "hours": [calendar.day_start.strftime("%H:%M"), end],
        "holidays": [day.isoformat() for day in sorted(calendar.holidays)],
        "timezone": calendar.timezone,
    }


def _time(text: str) -> dt.time:
    return dt.time.max if text == "24:00" else dt.time.fromisoformat(text)


def _calendar_from_dict(data: Mapping[str, Any]) -> BusinessCalendar:
    hours = data.get("hours", ["00:00", "24:00"])
    try:
        return BusinessCalendar.of(
            working_days=[int(d) for d in data.get("days", range(7))],
            hours=(_time(hours[0]), _time(hours[1])),
            holidays=[dt.date.fromisoformat(d) for d in data.get("holidays", ())],
            timezone=str(data.get("timezone", "UTC")),
        )
    except (ValueError, TypeError, IndexError) as error:
        raise ParameterError(f"bad calendar {dict(data)!r}: {error}") from None


def _activities_to_dict(activities: Mapping[str, ActivityParams]) -> dict[str, Any]:
    return {key: {"duration": a.duration.as_dict(), "priority": a.priority} for key, a in sorted(activities.items())}


def _boundaries_to_dict(boundaries: Mapping[str, BoundaryParams]) -> dict[str, Any]:
    return {key: {"probability": b.probability, "delay": b.delay.as_dict()} for key, b in sorted(boundaries.items())}


def _activities_from_dict(data: Mapping[str, Any]) -> dict[str, ActivityParams]:
    return {
        str(key): ActivityParams(
            duration=Distribution.from_dict(value["duration"]), priority=int(value.get("priority", 0))
        )
        for key, value in data.items()
    }


def _branches_from_dict(data: Mapping[str, Any]) -> dict[str, float]:
    return {str(key): float(value) for key, value in data.items()}


def _boundaries_from_dict(data: Mapping[str, Any]) -> dict[str, BoundaryParams]:
    return {
        str(key): BoundaryParams(probability=float(value["probability"]), delay=Distribution.from_dict(value["delay"]))
        for key, value in data.items()
    }


def params_to_dict(params: SimulationParams) -> dict[str, Any]:
    """A JSON-ready dict (the ``params.json`` format)."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "process": params.process_id,
        "start": params.start.isoformat(),
        "arrival_days": params.arrival_days,
        "observation_days": params.observation_days,
        "arrivals": {"hourly": [list(row) for row in params.arrivals.hourly]},
        "activities": _activities_to_dict(params.activities),
        "branches": dict(sorted(params.branches.items())),
        "boundaries": _boundaries_to_dict(params.boundaries),
        "pools": {
            key: {"capacity": p.capacity, "calendar": _calendar_to_dict(p.calendar)}
            for key, p in sorted(params.pools.items())
        },
        "sla_seconds": params.sla_seconds,
    }
    if params.profiles:
        data["profiles"] = [
            {
                "values": dict(profile.values),
                "share": profile.share,
                "activities": _activities_to_dict(profile.activities),
                "branches": dict(sorted(profile.branches.items())),
                "boundaries": _boundaries_to_dict(profile.boundaries),
            }
            for profile in params.profiles
        ]
    if params.observed is not None:
        o = params.observed
        data["observed"] = {
            "cases": o.cases,
            "mean": o.mean,
            "median": o.median,
            "p90": o.p90,
            "quantiles": list(o.quantiles),
        }
    return data


def params_from_dict(data: Any) -> SimulationParams:
    """Read parameters written by :func:`params_to_dict` (or by hand); :class:`ParameterError` if malformed."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ParameterError(f"not simulation parameters (expected format {FORMAT!r})")
    try:
        start = dt.datetime.fromisoformat(data["start"])
        observed = data.get("observed")
        return SimulationParams(
            process_id=str(data["process"]),
            start=start,
            arrival_days=float(data["arrival_days"]),
            observation_days=float(data["observation_days"]),
            arrivals=ArrivalParams(hourly=tuple(tuple(float(r) for r in row) for row in data["arrivals"]["hourly"])),
            activities=_activities_from_dict(data.get("activities", {})),
            branches=_branches_from_dict(data.get("branches", {})),
            boundaries=_boundaries_from_dict(data.get("boundaries", {})),
            profiles=tuple(
                CaseProfile(
                    values={str(k): str(v) for k, v in profile["values"].items()},
                    share=float(profile["share"]),
                    activities=_activities_from_dict(profile.get("activities", {})),
                    branches=_branches_from_dict(profile.get("branches", {})),
                    boundaries=_boundaries_from_dict(profile.get("boundaries", {})),
                )
                for profile in data.get("profiles", ())
            ),
            pools={
                str(key): PoolParams(
                    name=str(key),
                    capacity=int(value["capacity"]),
                    calendar=_calendar_from_dict(value.get("calendar", {})),
                )
                for key, value in data.get("pools", {}).items()
            },
            sla_seconds=None if data.get("sla_seconds") is None else float(data["sla_seconds"]),
            observed=None
            if observed is None
            else ObservedCycleTimes(
                cases=int(observed["cases"]),
                mean=float(observed["mean"]),
                median=float(observed["median"]),
                p90=float(observed["p90"]),
                quantiles=tuple(float(q) for q in observed.get("quantiles", ())),
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ParameterError(f"bad simulation parameters: {error}") from None
