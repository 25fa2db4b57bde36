"""What a process declares about personal data: the variables to seal at rest and whose they are.

On the ``bpmn:process`` (Zeebe ``zeebe:properties`` or Camunda 7 ``camunda:properties``)::

    <zeebe:property name="civicflow:personal" value="applicantName, iban" />
    <zeebe:property name="civicflow:subject" value="applicantId" />

``civicflow:personal`` lists personal variables (comma- or space-separated) beyond those the
process's forms mark; ``civicflow:subject`` names the variable whose value identifies the data
subject (the applicant). The forms a process uses (start event and user task form references,
subprocesses included) are listed so the runtime can add the variables they mark personal.
See docs/security.md, "Personal data at rest".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from civicflow.bpmn.model import FlowElement, Process

__all__ = ["PERSONAL_PROPERTY", "SUBJECT_PROPERTY", "PersonalData", "personal_data"]

PERSONAL_PROPERTY: Final = "civicflow:personal"
SUBJECT_PROPERTY: Final = "civicflow:subject"
_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonalData:
    """A process's personal-data declaration: variable names, the subject variable, the forms it refers to."""

    variables: frozenset[str] = frozenset()
    subject_variable: str | None = None
    form_refs: tuple[str, ...] = ()  # form keys or form ids, in document order, without repeats


def _form_refs(elements: tuple[FlowElement, ...], out: list[str]) -> None:
    for element in elements:
        form = element.ext.form
        if form is not None:
            for ref in (form.form_id, form.form_key, form.external_reference):
                if ref and ref not in out:
                    out.append(ref)
        for task_form in element.ext.user_task_forms:
            if task_form.id and task_form.id not in out:
                out.append(task_form.id)
        _form_refs(getattr(element, "flow_elements", ()), out)


def personal_data(process: Process) -> PersonalData:
    """The declaration of ``process`` (empty when it declares nothing)."""
    variables: set[str] = set()
    subject = None
    for prop in process.ext.properties:
        value = (prop.value or "").strip()
        if prop.name == PERSONAL_PROPERTY:
            variables.update(name for name in _SEPARATORS.split(value) if name)
        elif prop.name == SUBJECT_PROPERTY and value:
            subject = value
    refs: list[str] = []
    _form_refs(process.flow_elements, refs)
    return PersonalData(variables=frozenset(variables), subject_variable=subject, form_refs=tuple(refs))
