"""Errors of the KPI core.

CivicFlowError
└── KpiError             (a period, target or cost table cannot be read)
"""

from __future__ import annotations

from civicflow.errors import CivicFlowError

__all__ = ["KpiError"]


class KpiError(CivicFlowError):
    """A KPI input is malformed: a period label, a target duration, a cost, a record."""
