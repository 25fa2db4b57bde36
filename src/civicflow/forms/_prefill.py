"""Which form fields ask to be prefilled, and from where (``civicflow:prefill``, see docs/forms.md).

A field declares its sources in its form-js ``properties`` (Camunda Modeler's custom properties
panel writes strings)::

    "civicflow:prefill": "party.name, applications.name"
    "civicflow:prefillEditable": "false"

Each source is ``<source>.<attribute>``: a prefill plugin's name and one of the attributes it
provides. The first source that has a value wins. A prefilled field may be corrected by the citizen
unless ``civicflow:prefillEditable`` is ``"false"``. Fetching the values is the adapters' business
(``civicflow.parties.prefill``); this module only reads the declarations and merges found values
into answers without ever overwriting one the citizen gave.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from civicflow.forms._errors import FormSchemaError
from civicflow.forms._model import Component, ComponentType, Form
from civicflow.forms._paths import MISSING, get_path, html_id, html_name, set_path

__all__ = [
    "PREFILL_EDITABLE_PROPERTY",
    "PREFILL_PROPERTY",
    "PrefillRequest",
    "PrefillSource",
    "changed_answers",
    "is_empty_answer",
    "keep_prefilled",
    "prefill_answers",
    "prefill_requests",
]

PREFILL_PROPERTY: Final = "civicflow:prefill"
PREFILL_EDITABLE_PROPERTY: Final = "civicflow:prefillEditable"
_SOURCE = re.compile(r"([a-z][a-z0-9_-]{0,49})\.([A-Za-z][A-Za-z0-9_-]{0,99})", re.ASCII)
_MAX_SOURCES: Final = 5
_FALSE: Final = frozenset({"false", "no", "0"})
_TRUE: Final = frozenset({"true", "yes", "1", ""})


@dataclass(frozen=True, slots=True, kw_only=True)
class PrefillSource:
    """One ``<source>.<attribute>`` of a declaration: a plugin name and an attribute it provides."""

    source: str
    attribute: str

    def __str__(self) -> str:
        return f"{self.source}.{self.attribute}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PrefillRequest:
    """A field that asks to be prefilled: its data path, its sources in order, and whether it may be changed."""

    path: tuple[str, ...]
    sources: tuple[PrefillSource, ...]
    editable: bool = True

    @property
    def name(self) -> str:
        """The field's HTML name (``applicant.name``), as the rendering model names it."""
        return html_name(self.path)

    @property
    def id(self) -> str:
        """The field's element id (``field-applicant-name``)."""
        return html_id(self.path)


def _where(component: Component) -> str:
    return f"{component.location} (key {component.key!r})" if component.key else component.location


def _sources(component: Component, declared: str) -> tuple[PrefillSource, ...]:
    parts = [part.strip() for part in declared.split(",")]
    if not any(parts) or len(parts) > _MAX_SOURCES:
        raise FormSchemaError(
            f"{PREFILL_PROPERTY} must name 1 to {_MAX_SOURCES} sources like 'party.name', not {declared!r}",
            path=_where(component),
        )
    found: list[PrefillSource] = []
    for part in parts:
        match = _SOURCE.fullmatch(part)
        if match is None:
            raise FormSchemaError(
                f"{PREFILL_PROPERTY} source {part!r} is not '<source>.<attribute>' (like 'party.email')",
                path=_where(component),
            )
        found.append(PrefillSource(source=match.group(1), attribute=match.group(2)))
    return tuple(found)


def _editable(component: Component) -> bool:
    declared = (component.property(PREFILL_EDITABLE_PROPERTY) or "").strip().lower()
    if declared in _FALSE:
        return False
    if declared in _TRUE:
        return True
    raise FormSchemaError(
        f"{PREFILL_EDITABLE_PROPERTY} must be 'true' or 'false', not {declared!r}", path=_where(component)
    )


def _collect(
    components: tuple[Component, ...], prefix: tuple[str, ...], *, in_list: bool, out: list[PrefillRequest]
) -> None:
    for component in components:
        path = prefix + component.path
        declared = component.property(PREFILL_PROPERTY)
        if declared is not None:
            if not component.is_input or component.type is ComponentType.FILEPICKER:
                raise FormSchemaError(
                    f"{PREFILL_PROPERTY} needs a field the citizen fills in, not a {component.type}",
                    path=_where(component),
                )
            if in_list:
                message = f"{PREFILL_PROPERTY} cannot be used inside a dynamic list"
                raise FormSchemaError(message, path=_where(component))
            out.append(PrefillRequest(path=path, sources=_sources(component, declared), editable=_editable(component)))
        _collect(component.components, path, in_list=in_list or component.is_repeating, out=out)


def prefill_requests(form: Form) -> tuple[PrefillRequest, ...]:
    """The form's prefill declarations in document order; raises FormSchemaError for a malformed one."""
    found: list[PrefillRequest] = []
    _collect(form.components, (), in_list=False, out=found)
    return tuple(found)


def is_empty_answer(value: Any) -> bool:
    """Whether an answer counts as not given (absent, null, blank text or an empty list)."""
    if value is MISSING or value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and not value


def prefill_answers(
    answers: Mapping[str, Any], requests: tuple[PrefillRequest, ...], found: Mapping[tuple[str, ...], Any]
) -> tuple[dict[str, Any], tuple[PrefillRequest, ...]]:
    """``answers`` with the ``found`` values (by field path) filled in where no answer was given.

    Returns a new answers dict (``answers`` is not changed) and the requests that were filled. A
    value the citizen gave, for example in a saved draft, is never overwritten.
    """
    merged = _copy(answers)
    filled: list[PrefillRequest] = []
    for request in requests:
        value = found.get(request.path, MISSING)
        if is_empty_answer(value) or not is_empty_answer(get_path(merged, request.path)):
            continue
        set_path(merged, request.path, value)
        filled.append(request)
    return merged, tuple(filled)


def keep_prefilled(answers: Mapping[str, Any], fixed: Mapping[tuple[str, ...], Any]) -> dict[str, Any]:
    """``answers`` with the ``fixed`` values (by field path) put back: a changed value posted for a
    prefilled field the citizen may not change (``civicflow:prefillEditable`` false) is ignored."""
    merged = _copy(answers)
    for path, value in fixed.items():
        set_path(merged, path, value)
    return merged


def _text(value: Any) -> str:
    return "" if value is MISSING or value is None else str(value).strip()


def changed_answers(answers: Mapping[str, Any], prefilled: Mapping[tuple[str, ...], Any]) -> frozenset[tuple[str, ...]]:
    """The paths of prefilled fields whose answer is no longer the prefilled value (the citizen corrected it)."""
    return frozenset(path for path, value in prefilled.items() if _text(get_path(answers, path)) != _text(value))


def _copy(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _copy(value) if isinstance(value, Mapping) else value for key, value in data.items()}
