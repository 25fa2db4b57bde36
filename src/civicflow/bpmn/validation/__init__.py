"""Validation of a loaded model: stable diagnostic codes with element ids and line numbers."""

from __future__ import annotations

from civicflow.bpmn.model import Definitions
from civicflow.bpmn.validation._expressions import check_expressions, feel_checker
from civicflow.bpmn.validation._extensions import check_extensions
from civicflow.bpmn.validation._flow import check_flow
from civicflow.bpmn.validation._index import Index
from civicflow.bpmn.validation._structure import check_structure
from civicflow.bpmn.validation.diagnostics import CODES, Diagnostic, Severity

__all__ = ["CODES", "Diagnostic", "Severity", "validate"]


def validate(definitions: Definitions, *, check_feel: bool = True) -> list[Diagnostic]:
    """Every finding for ``definitions``, ordered by line then code.

    FEEL syntax is checked with ``civicflow.feel.compile`` when it exists; otherwise a
    BPMN026 warning says the check was skipped.
    """
    index = Index.build(definitions)
    feel = feel_checker() if check_feel else None
    found = [
        *check_structure(index),
        *check_flow(index),
        *check_expressions(index, feel),
        *check_extensions(index),
    ]
    if not check_feel:
        found = [d for d in found if d.code != "BPMN026"]
    return sorted(found, key=lambda d: (d.line or 0, d.code, d.element_id or ""))
