"""BPMN 2.0 XML -> model."""

from civicflow.bpmn.reader._definitions import load
from civicflow.bpmn.reader._xml import LoadOptions

__all__ = ["LoadOptions", "load"]
