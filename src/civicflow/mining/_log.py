"""The shared event-log representation of the mining core."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import polars as pl

__all__ = [
    "ACTIVITY",
    "CASE",
    "INDEX",
    "LIFECYCLE",
    "OFFSET",
    "RESOURCE",
    "TIMESTAMP",
    "EventLog",
]

# Column names follow the XES standard extensions (concept, time, org, lifecycle).
CASE: Final = "case:concept:name"
ACTIVITY: Final = "concept:name"
TIMESTAMP: Final = "time:timestamp"
OFFSET: Final = "time:offset"
RESOURCE: Final = "org:resource"
LIFECYCLE: Final = "lifecycle:transition"
INDEX: Final = "@@index"

TIMESTAMP_DTYPE: Final = pl.Datetime("us", "UTC")


@dataclass(frozen=True, slots=True, kw_only=True)
class EventLog:
    """Events sorted by case, timestamp and original order, with case and log attributes.

    ``events`` has ``case:concept:name``, ``concept:name`` (Utf8), ``time:timestamp``
    (UTC, microseconds), ``@@index`` (original event order), optionally ``time:offset``
    (minutes east of UTC as written in the source), ``org:resource``,
    ``lifecycle:transition`` and any other event attribute. ``cases`` is keyed by
    ``case:concept:name``; ``attributes`` holds log-level metadata.
    """

    events: pl.DataFrame
    cases: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema={CASE: pl.Utf8}))
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_events(
        cls,
        events: pl.DataFrame,
        *,
        cases: pl.DataFrame | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> EventLog:
        """Normalize types, add ``@@index`` if absent and sort; keep case rows for every case."""
        if INDEX not in events.columns:
            events = events.with_row_index(INDEX)
        casts: dict[str, pl.DataType] = {CASE: pl.Utf8(), ACTIVITY: pl.Utf8(), TIMESTAMP: TIMESTAMP_DTYPE}
        for name in (RESOURCE, LIFECYCLE):
            if name in events.columns:
                casts[name] = pl.Utf8()
        events = events.with_columns(
            pl.col(INDEX).cast(pl.UInt32),
            *(_cast(events, name, dtype) for name, dtype in casts.items()),
        ).sort([CASE, TIMESTAMP, INDEX], nulls_last=True, maintain_order=True)
        if cases is None:
            cases = events.select(pl.col(CASE).unique(maintain_order=True))
        return cls(events=events, cases=cases, attributes=dict(attributes or {}))

    @property
    def case_count(self) -> int:
        """Number of distinct cases with at least one event."""
        return int(self.events[CASE].n_unique())

    @property
    def event_count(self) -> int:
        """Number of events."""
        return self.events.height

    @property
    def activities(self) -> list[str]:
        """Distinct activity names, sorted."""
        return sorted(a for a in self.events[ACTIVITY].unique().to_list() if a is not None)


def _cast(frame: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Expr:
    current = frame.schema[name]
    if dtype == TIMESTAMP_DTYPE and isinstance(current, pl.Datetime) and current.time_zone is not None:
        return pl.col(name).dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    if dtype == TIMESTAMP_DTYPE and isinstance(current, pl.Datetime):
        # A naive datetime here is taken as UTC: the readers localize before building a log.
        return pl.col(name).dt.cast_time_unit("us").dt.replace_time_zone("UTC")
    return pl.col(name).cast(dtype)
