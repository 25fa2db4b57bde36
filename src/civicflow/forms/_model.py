"""A typed model of the form-js JSON schema (what Camunda Modeler's form editor writes).

One :class:`Component` class covers every component type: form-js itself treats components as one
record with type-specific attributes, and a class per type would only multiply ``isinstance``
checks in the validator and the renderer. Expressions are kept as FEEL text without the leading
``=``; the loader has already checked that they parse.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = [
    "INPUT_TYPES",
    "Component",
    "ComponentType",
    "DateTimeSubtype",
    "Form",
    "Layout",
    "LocalText",
    "Option",
    "Validate",
]


class ComponentType(enum.StrEnum):
    """The ``type`` of a form-js component."""

    BUTTON = "button"
    CHECKBOX = "checkbox"
    CHECKLIST = "checklist"
    DATETIME = "datetime"
    DOCUMENT_PREVIEW = "documentPreview"
    DYNAMICLIST = "dynamiclist"
    EXPRESSION = "expression"
    FILEPICKER = "filepicker"
    GROUP = "group"
    HTML = "html"
    IFRAME = "iframe"
    IMAGE = "image"
    NUMBER = "number"
    RADIO = "radio"
    SELECT = "select"
    SEPARATOR = "separator"
    SPACER = "spacer"
    TABLE = "table"
    TAGLIST = "taglist"
    TEXT = "text"
    TEXTAREA = "textarea"
    TEXTFIELD = "textfield"


# Components whose value the citizen types or picks; they need a key.
INPUT_TYPES = frozenset(
    {
        ComponentType.CHECKBOX,
        ComponentType.CHECKLIST,
        ComponentType.DATETIME,
        ComponentType.FILEPICKER,
        ComponentType.NUMBER,
        ComponentType.RADIO,
        ComponentType.SELECT,
        ComponentType.TAGLIST,
        ComponentType.TEXTAREA,
        ComponentType.TEXTFIELD,
    }
)


class DateTimeSubtype(enum.StrEnum):
    """What a ``datetime`` component asks for."""

    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalText:
    """A text in the form's own language plus translations (``properties`` ``"label:nl"`` and the like)."""

    text: str
    translations: tuple[tuple[str, str], ...] = ()

    def in_language(self, language: str) -> str:
        """The translation for ``language`` (``nl`` also matches ``nl-BE``), else the text as written."""
        base = language.split("-", 1)[0].lower()
        for lang, text in self.translations:
            if lang == language.lower() or lang == base:
                return text
        return self.text


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """One choice of a radio, select, checklist or taglist."""

    value: Any
    label: LocalText


@dataclass(frozen=True, slots=True, kw_only=True)
class Validate:
    """The ``validate`` object; a ``str`` bound is a FEEL expression evaluated against the data."""

    required: bool = False
    min_length: int | str | None = None
    max_length: int | str | None = None
    min: Decimal | str | None = None
    max: Decimal | str | None = None
    pattern: str | None = None
    validation_type: str | None = None  # "email" or "phone"


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """Grid placement as form-js writes it; templates may use ``columns`` for widths."""

    row: str | None = None
    columns: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Component:
    """One form-js component. Attributes that do not apply to a type keep their defaults.

    ``readonly``, ``disabled`` and ``multiple`` are a bool or a FEEL expression (text).
    ``path`` is the data path of a field (``key`` split at dots) or of a group/dynamic list
    (``path``); it is relative to the enclosing group with a path or the dynamic list item.
    """

    type: ComponentType
    id: str | None = None
    key: str | None = None
    path: tuple[str, ...] = ()
    label: LocalText | None = None
    description: LocalText | None = None
    default_value: Any = None
    validate: Validate = field(default_factory=Validate)
    hide: str | None = None
    readonly: bool | str = False
    disabled: bool | str = False
    properties: Mapping[str, str] = field(default_factory=dict)
    layout: Layout | None = None
    components: tuple[Component, ...] = ()
    # choices
    options: tuple[Option, ...] = ()
    values_key: str | None = None
    values_expression: str | None = None
    searchable: bool = False
    # datetime
    subtype: DateTimeSubtype = DateTimeSubtype.DATE
    date_label: LocalText | None = None
    time_label: LocalText | None = None
    time_serializing_format: str = "utc_offset"
    disallow_passed_dates: bool = False
    # number
    decimal_digits: int | None = None
    increment: Decimal | None = None
    serialize_to_string: bool = False
    # presentation: text/html content, image source, iframe url
    text: LocalText | None = None
    source: str | None = None
    alt: LocalText | None = None
    url: str | None = None
    height: int | None = None
    # filepicker
    accept: str | None = None
    multiple: bool | str = False
    # expression field
    expression: str | None = None
    compute_on: str = "change"
    # dynamic list
    is_repeating: bool = False
    default_repetitions: int = 1
    allow_add_remove: bool = False
    # button
    action: str = "submit"
    # where it sits in the JSON, for messages: components[2].components[0]
    location: str = ""

    @property
    def is_input(self) -> bool:
        """Whether the citizen supplies this component's value."""
        return self.type in INPUT_TYPES

    def property(self, name: str) -> str | None:
        """A custom property (form-js ``properties``) or None."""
        return self.properties.get(name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Form:
    """A loaded form-js form."""

    id: str | None
    components: tuple[Component, ...]
    schema_version: int | None = None
    exporter: str | None = None
    properties: Mapping[str, str] = field(default_factory=dict)

    def property(self, name: str) -> str | None:
        """A custom property of the form itself (``"civicflow:pages"``) or None."""
        return self.properties.get(name)

    def walk(self) -> list[Component]:
        """Every component, depth first, in document order."""
        found: list[Component] = []
        stack = list(reversed(self.components))
        while stack:
            component = stack.pop()
            found.append(component)
            stack.extend(reversed(component.components))
        return found
