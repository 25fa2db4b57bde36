"""Errors of the simulation: bad parameters, a model it cannot simulate, a log it cannot fit."""

from __future__ import annotations

from civicflow.errors import CivicFlowError

__all__ = ["CalibrationError", "ParameterError", "SimulationError"]


class SimulationError(CivicFlowError):
    """Root of the simulation's errors."""


class ParameterError(SimulationError):
    """Simulation parameters or a scenario are invalid."""


class CalibrationError(SimulationError):
    """Parameters cannot be fitted from this log and model."""
