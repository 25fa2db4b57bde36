"""Per-evaluation state: warnings, step budget, limits and the clock for now()/today()."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from civicflow.feel.errors import FeelLimitExceeded

__all__ = ["Clock", "Evaluation", "FeelLimits", "FeelWarning"]


class Clock(Protocol):
    """Source of the current instant; the pure core never reads the wall clock itself."""

    def now(self) -> datetime:
        """Return the current instant as an aware datetime."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class FeelLimits:
    """Bounds that keep hostile expressions from hanging or exhausting memory."""

    max_expression_length: int = 100_000
    max_nesting_depth: int = 200
    max_collection_size: int = 1_000_000
    max_steps: int = 10_000_000
    # Backtracking regular expressions cannot be bounded by steps; the regex engine's timeout can.
    max_regex_seconds: float = 1.0


DEFAULT_LIMITS = FeelLimits()


@dataclass(frozen=True, slots=True, kw_only=True)
class FeelWarning:
    """A semantic problem met while evaluating; the offending sub-expression yielded null."""

    kind: str
    message: str
    span: tuple[int, int] | None = None


@dataclass(slots=True)
class Evaluation:
    """Mutable state of one top-level evaluation; never shared between threads."""

    limits: FeelLimits = DEFAULT_LIMITS
    clock: Clock | None = None
    warnings: list[FeelWarning] = field(default_factory=list)
    steps: int = 0

    def warn(self, kind: str, message: str, span: tuple[int, int] | None = None) -> None:
        self.warnings.append(FeelWarning(kind=kind, message=message, span=span))

    def step(self, count: int = 1) -> None:
        """Charge ``count`` units of work; raise when the budget is spent."""
        self.steps += count
        if self.steps > self.limits.max_steps:
            raise FeelLimitExceeded(f"evaluation exceeded {self.limits.max_steps} steps", limit="max_steps")

    def check_size(self, size: int) -> None:
        """Refuse to build a collection larger than the configured bound."""
        if size > self.limits.max_collection_size:
            raise FeelLimitExceeded(
                f"collection of {size} items exceeds the limit of {self.limits.max_collection_size}",
                limit="max_collection_size",
            )
