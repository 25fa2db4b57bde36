"""civicflow.bpmn: BPMN 2.0 XML -> immutable model (+ Camunda 7 / Zeebe extensions), validator, writer.

``load(path_or_bytes)`` reads a file into :class:`Definitions` and ``write(definitions)``
turns one back into XML; see ``civicflow.bpmn.model``
for the element classes.
"""

from civicflow.bpmn.errors import BpmnError, BpmnParseError, TimerFormatError
from civicflow.bpmn.expressions import Expression
from civicflow.bpmn.model import Definitions
from civicflow.bpmn.personal import PersonalData, personal_data
from civicflow.bpmn.reader import LoadOptions, load
from civicflow.bpmn.validation import CODES, Diagnostic, Severity, validate
from civicflow.bpmn.writer import write

__all__ = [
    "CODES",
    "BpmnError",
    "BpmnParseError",
    "Definitions",
    "Diagnostic",
    "Expression",
    "LoadOptions",
    "PersonalData",
    "Severity",
    "TimerFormatError",
    "load",
    "personal_data",
    "validate",
    "write",
]
