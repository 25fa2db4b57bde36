"""How KPI alerts are raised: the due-date window, SLA thresholds and the rolling window (docs/kpi.md).

No Django models here: the settings module reads the environment, :meth:`AlertOptions.from_settings`
checks the values, so a bad value is one clear error in the worker's log and the CLI.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from civicflow.errors import ConfigurationError

__all__ = ["AlertConfigError", "AlertOptions", "parse_thresholds"]

_OVERRIDE = re.compile(r"(?P<service>[a-z0-9_-]+)(?:\.(?P<stage>[A-Za-z0-9_.-]+))?=(?P<percent>[0-9.]+)")
_MAX_OVERRIDES = 500  # hostile input: a threshold list longer than this is not configuration


class AlertConfigError(ConfigurationError):
    """An alert setting (docs/deployment.md) has a value that cannot be used."""


def _percent(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise AlertConfigError(f"{name}: {text!r} is not a percentage") from None
    if not 0 < value <= 100:
        raise AlertConfigError(f"{name}: {text!r} must be above 0 and at most 100")
    return value / 100


def parse_thresholds(text: str) -> tuple[float, dict[str, float]]:
    """``"80,building_permit.zoning_review=90,tax_refund=70"`` -> (0.8, {key: fraction}).

    The first bare number is the default (80 when absent); ``service=N`` sets every stage of a
    service, ``service.stage=N`` one stage. Keys are ``service`` or ``service.stage``.
    """
    name = "CIVICFLOW_ALERT_SLA_THRESHOLD"
    default = 0.8
    overrides: dict[str, float] = {}
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) > _MAX_OVERRIDES:
        raise AlertConfigError(f"{name}: more than {_MAX_OVERRIDES} entries")
    for part in parts:
        if "=" not in part:
            default = _percent(part, name)
            continue
        match = _OVERRIDE.fullmatch(part)
        if match is None:
            raise AlertConfigError(f"{name}: {part[:80]!r} is not 'service=percent' or 'service.stage=percent'")
        key = match["service"] + (f".{match['stage']}" if match["stage"] else "")
        overrides[key] = _percent(match["percent"], name)
    return default, overrides


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertOptions:
    """``due_fraction``: a task alerts once this share of its allowed time (created .. due) is left.

    ``sla_threshold``: a stage alerts when its SLA compliance over the last ``sla_window`` falls
    below this (per service or stage in ``sla_overrides``), counted only when at least
    ``sla_min_completed`` activations finished in the window.
    """

    due_fraction: float = 0.2
    sla_threshold: float = 0.8
    sla_overrides: Mapping[str, float] = field(default_factory=dict)
    sla_window: timedelta = timedelta(days=30)
    sla_min_completed: int = 5
    interval: float = 60.0  # seconds between two worker passes

    def __post_init__(self) -> None:
        if not 0 < self.due_fraction < 1:
            raise AlertConfigError(f"the due-date window must be a fraction between 0 and 1, not {self.due_fraction}")
        if not timedelta(days=1) <= self.sla_window <= timedelta(days=366):
            raise AlertConfigError("the SLA alert window must be between 1 and 366 days")
        if self.sla_min_completed < 1:
            raise AlertConfigError("the SLA alert minimum must be at least 1 finished activation")
        if not 1 <= self.interval <= 86400:
            raise AlertConfigError("CIVICFLOW_ALERT_INTERVAL must be between 1 and 86400 seconds")

    def threshold(self, service: str, stage: str) -> float:
        """The threshold of one stage: its own, else its service's, else the default."""
        return self.sla_overrides.get(f"{service}.{stage}", self.sla_overrides.get(service, self.sla_threshold))

    @classmethod
    def from_settings(cls, settings: Any) -> AlertOptions:
        """Options from the Django settings of docs/deployment.md (defaults where a setting is absent)."""
        default, overrides = parse_thresholds(str(getattr(settings, "CIVICFLOW_ALERT_SLA_THRESHOLD", "80")))
        return cls(
            due_fraction=_percent(
                str(getattr(settings, "CIVICFLOW_ALERT_DUE_PERCENT", "20")), "CIVICFLOW_ALERT_DUE_PERCENT"
            ),
            sla_threshold=default,
            sla_overrides=overrides,
            sla_window=timedelta(days=_whole(settings, "CIVICFLOW_ALERT_SLA_WINDOW_DAYS", 30)),
            sla_min_completed=_whole(settings, "CIVICFLOW_ALERT_SLA_MIN_COMPLETED", 5),
            interval=_whole(settings, "CIVICFLOW_ALERT_INTERVAL", 60),
        )


def _whole(settings: Any, name: str, default: int) -> int:
    text = str(getattr(settings, name, default))
    try:
        return int(text)
    except ValueError:
        raise AlertConfigError(f"{name}: {text[:40]!r} is not a whole number") from None
