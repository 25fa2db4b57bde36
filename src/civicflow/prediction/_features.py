"""Features of a case at a moment, from the prefix of its history up to that moment.

A :class:`FeatureSpace` is fixed when a model is trained (the services, activities, departments
and declared attributes seen in training), so that a running case is encoded exactly as the
training prefixes were. One row per (case, moment):

- service, time elapsed since the start (calendar hours and working hours), hours since the last
  step, steps done, hour of day and weekday of the moment, open cases of the service (workload);
- per department: its activities open at the moment, over all cases (its queue);
- the last activity completed and the department of the activity open longest;
- per activity: how often it completed, how long its last completion took (missing = never
  completed), and for how long it has been open (missing = not open): how long this applicant
  took over the documents says something about how long they will take to pay;
- the declared attributes (numbers as they are, text as categories).

Nothing after the moment is read: a prefix ends at the last step at or before it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

import polars as pl

from civicflow.mining import BusinessCalendar
from civicflow.prediction._trace import Attribute, CaseTrace, OpenCases, Transition

__all__ = ["Column", "FeatureSpace", "Moment", "moment_at", "prefix_moments"]

_HOUR = 3600.0
# HistGradientBoosting takes at most 255 categories per feature; rare ones beyond become missing.
_MAX_CATEGORIES = 250
MISSING = math.nan


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    """One feature: ``kind`` (what it measures) and ``subject`` (the activity or attribute, if any)."""

    kind: str
    subject: str = ""
    categories: tuple[str, ...] = ()  # a categorical column's values, by code

    @property
    def categorical(self) -> bool:
        return bool(self.categories)

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.subject}" if self.subject else self.kind


@dataclass(slots=True)
class _Prefix:
    """The state of a case after its steps up to a moment."""

    open: dict[int, tuple[str, dt.datetime]] = field(default_factory=dict)
    done: Counter[str] = field(default_factory=Counter)
    took: dict[str, float] = field(default_factory=dict)  # element -> hours its last completion took
    steps: int = 0
    last: str | None = None
    last_at: dt.datetime | None = None

    def apply(self, element: str, key: int, transition: Transition, at: dt.datetime) -> None:
        self.steps += 1
        self.last_at = at
        if transition is Transition.START:
            self.open[key] = (element, at)
            return
        opened = self.open.pop(key, None)
        if transition is Transition.COMPLETE:
            self.done[element] += 1
            self.last = element
            if opened is not None:
                self.took[element] = (at - opened[1]).total_seconds() / _HOUR


@dataclass(frozen=True, slots=True, kw_only=True)
class Moment:
    """A case's prefix at ``at``: what the features are computed from."""

    trace: CaseTrace
    at: dt.datetime
    prefix: _Prefix


def prefix_moments(trace: CaseTrace) -> Iterator[Moment]:
    """The prefixes of a finished case at each distinct step time before its end (training samples)."""
    prefix = _Prefix()
    steps = trace.steps
    for n, step in enumerate(steps):
        prefix.apply(step.element, step.key, step.transition, step.at)
        following = steps[n + 1].at if n + 1 < len(steps) else None
        if following is not None and following == step.at:
            continue  # more happened at this instant: the prefix includes all of it
        if trace.ended is not None and step.at >= trace.ended:
            break
        yield Moment(trace=trace, at=step.at, prefix=_copy(prefix))


def moment_at(trace: CaseTrace, at: dt.datetime) -> Moment:
    """The prefix of ``trace`` at ``at`` (a running case now)."""
    prefix = _Prefix()
    for step in trace.steps:
        if step.at > at:
            break
        prefix.apply(step.element, step.key, step.transition, step.at)
    return Moment(trace=trace, at=at, prefix=prefix)


def _copy(prefix: _Prefix) -> _Prefix:
    return _Prefix(
        dict(prefix.open), Counter(prefix.done), dict(prefix.took), prefix.steps, prefix.last, prefix.last_at
    )


def _categories(values: Iterable[str]) -> tuple[str, ...]:
    counts = Counter(values)
    kept = [value for value, _n in counts.most_common(_MAX_CATEGORIES)]
    return tuple(sorted(kept))


def _numeric(value: Attribute) -> bool:
    return isinstance(value, bool | int | float)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeatureSpace:
    """The columns of a model and how a case's prefix is encoded into them."""

    columns: tuple[Column, ...]
    elements: tuple[str, ...]
    attributes: tuple[str, ...]
    departments: Mapping[str, str]  # element -> department (lane or first candidate group)
    calendar: BusinessCalendar

    @classmethod
    def learn(
        cls,
        traces: Sequence[CaseTrace],
        *,
        departments: Mapping[str, str],
        calendar: BusinessCalendar,
    ) -> FeatureSpace:
        """The columns the training ``traces`` call for."""
        elements = sorted({step.element for trace in traces for step in trace.steps})
        names = sorted({name for trace in traces for name in trace.attributes})
        attribute_columns = []
        for name in names:
            values = [trace.attributes.get(name) for trace in traces]
            present = [value for value in values if value is not None]
            if all(_numeric(value) for value in present):
                attribute_columns.append(Column(kind="attribute", subject=name))
            else:
                attribute_columns.append(
                    Column(kind="attribute", subject=name, categories=_categories(str(value) for value in present))
                )
        known = {element: departments[element] for element in elements if element in departments}
        columns = (
            Column(kind="service", categories=_categories(trace.service for trace in traces)),
            Column(kind="elapsed"),
            Column(kind="working_elapsed"),
            Column(kind="since_last"),
            Column(kind="steps"),
            Column(kind="hour"),
            Column(kind="weekday"),
            Column(kind="workload"),
            Column(kind="last", categories=tuple(elements[:_MAX_CATEGORIES])),
            Column(kind="department", categories=_categories(known.values())),
            *(Column(kind="queue", subject=department) for department in sorted(set(known.values()))),
            *(Column(kind="done", subject=element) for element in elements),
            *(Column(kind="open", subject=element) for element in elements),
            *(Column(kind="took", subject=element) for element in elements),
            *attribute_columns,
        )
        return cls(
            columns=columns, elements=tuple(elements), attributes=tuple(names), departments=known, calendar=calendar
        )

    def keeping(self, keep: Sequence[bool]) -> FeatureSpace:
        """This space with only the columns marked in ``keep`` (columns never seen filled are dropped)."""
        columns = tuple(column for column, kept in zip(self.columns, keep, strict=True) if kept)
        return replace(self, columns=columns)

    @property
    def categorical(self) -> list[bool]:
        return [column.categorical for column in self.columns]

    def encode(self, moments: Sequence[Moment], workload: OpenCases) -> list[list[float]]:
        """One row of floats per moment (categories as codes, missing as NaN)."""
        index = {column.name: n for n, column in enumerate(self.columns)}
        codes = [{value: float(code) for code, value in enumerate(column.categories)} for column in self.columns]
        rows = [self._row(moment, workload, index, codes) for moment in moments]
        working = self._working_hours(moments)
        at = index.get("working_elapsed")
        if at is not None:
            for row, hours in zip(rows, working, strict=True):
                row[at] = hours
        return rows

    def _row(
        self,
        moment: Moment,
        workload: OpenCases,
        index: Mapping[str, int],
        codes: Sequence[Mapping[str, float]],
    ) -> list[float]:
        trace, at, prefix = moment.trace, moment.at, moment.prefix
        row = [MISSING] * len(self.columns)

        def put(name: str, value: float) -> None:
            where = index.get(name)
            if where is not None:
                row[where] = value

        def put_category(name: str, value: str | None) -> None:
            where = index.get(name)
            if where is not None and value is not None:
                row[where] = codes[where].get(value, MISSING)

        put_category("service", trace.service)
        put("elapsed", (at - trace.started).total_seconds() / _HOUR)
        put("since_last", 0.0 if prefix.last_at is None else (at - prefix.last_at).total_seconds() / _HOUR)
        put("steps", float(prefix.steps))
        put("hour", at.hour + at.minute / 60)
        put("weekday", float(at.weekday()))
        put("workload", float(workload.at(trace.service, at)))
        put_category("last", prefix.last)
        for department in set(self.departments.values()):
            put(f"queue:{department}", float(workload.queue(department, at)))
        for element in self.elements:
            put(f"done:{element}", float(prefix.done.get(element, 0)))
        for element, hours in prefix.took.items():
            put(f"took:{element}", hours)
        longest: tuple[dt.datetime, str] | None = None
        for element, since in prefix.open.values():
            hours = (at - since).total_seconds() / _HOUR
            where = index.get(f"open:{element}")
            if where is not None:
                row[where] = hours if math.isnan(row[where]) else max(row[where], hours)
            if element in self.departments and (longest is None or since < longest[0]):
                longest = (since, element)
        put_category("department", None if longest is None else self.departments[longest[1]])
        for name in self.attributes:
            value = trace.attributes.get(name)
            where = index.get(f"attribute:{name}")
            if value is None or where is None:
                continue
            if self.columns[where].categorical:
                row[where] = codes[where].get(str(value), MISSING)
            elif _numeric(value):
                row[where] = float(value)
        return row

    def _working_hours(self, moments: Sequence[Moment]) -> list[float]:
        if not moments:
            return []
        frame = pl.DataFrame(
            {"started": [m.trace.started for m in moments], "at": [m.at for m in moments]},
            schema={"started": pl.Datetime("us", "UTC"), "at": pl.Datetime("us", "UTC")},
        )
        seconds = self.calendar.working_seconds(frame, "started", "at")
        return [MISSING if value is None else value / _HOUR for value in seconds.to_list()]
