"""Errors of the prediction core.

CivicFlowError
└── PredictionError      (too little history to train, a sealed model that fails its check)
"""

from __future__ import annotations

from civicflow.errors import CivicFlowError

__all__ = ["PredictionError"]


class PredictionError(CivicFlowError):
    """A model cannot be trained, stored or loaded with this input."""
