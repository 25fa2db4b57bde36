"""Model -> BPMN 2.0 XML with diagram interchange."""

from civicflow.bpmn.writer._definitions import write

__all__ = ["write"]
