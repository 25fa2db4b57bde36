"""form-js JSON -> :class:`Form`, with bounds, so that a hostile or broken schema fails early and clearly.

Unknown attributes are ignored (form-js adds some in every release: appearance, columns ...);
unknown component types, wrong attribute types, duplicate keys and FEEL that does not parse raise
:class:`FormSchemaError` naming the component.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import regex

from civicflow.feel import FeelError
from civicflow.feel import compile as feel_compile
from civicflow.forms._coercion import option_key
from civicflow.forms._errors import FormSchemaError
from civicflow.forms._model import (
    Component,
    ComponentType,
    DateTimeSubtype,
    Form,
    Layout,
    LocalText,
    Option,
    Validate,
)

__all__ = ["FormLimits", "load_form"]

_KEY = re.compile(r"^\w+(\.\w+)*$", re.ASCII)
_PATH = re.compile(r"^(\w+(\.\w+)*)?$", re.ASCII)
# Attributes that may carry translations in ``properties`` as ``"<attribute>:<language>"``.
_TRANSLATABLE = ("label", "description", "text", "alt", "dateLabel", "timeLabel")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class FormLimits:
    """Bounds on a schema; the defaults are far above any form a person fills in."""

    max_bytes: int = 2_000_000
    max_depth: int = 12
    max_components: int = 2_000
    max_text_length: int = 100_000
    max_expression_length: int = 10_000
    max_options: int = 5_000


DEFAULT_LIMITS = FormLimits()


def load_form(source: str | bytes | Mapping[str, Any], *, limits: FormLimits | None = None) -> Form:
    """Load a form-js schema from JSON text or an already decoded mapping.

    Raises :class:`FormSchemaError` for anything that is not a usable form.
    """
    limits = limits or DEFAULT_LIMITS
    if isinstance(source, str | bytes):
        if len(source) > limits.max_bytes:
            raise FormSchemaError(f"the form is larger than {limits.max_bytes} bytes")
        try:
            document = json.loads(source)
        except RecursionError:
            raise FormSchemaError("the form nests too deeply") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise FormSchemaError(f"not JSON: {error}") from None
    else:
        document = source
    if not isinstance(document, Mapping):
        raise FormSchemaError("a form is a JSON object")
    if document.get("type", "default") != "default":
        raise FormSchemaError(f"form type {document.get('type')!r} is not 'default'")
    raw_components = document.get("components")
    if not isinstance(raw_components, list):
        raise FormSchemaError("a form needs a 'components' list")
    loader = _Loader(limits)
    components = loader.components(raw_components, "components", depth=1)
    version = document.get("schemaVersion")
    exporter = document.get("exporter")
    return Form(
        id=_opt_str(document.get("id"), "id", ""),
        components=components,
        schema_version=version if isinstance(version, int) and not isinstance(version, bool) else None,
        exporter=str(exporter.get("name")) if isinstance(exporter, Mapping) and exporter.get("name") else None,
        properties=loader.properties(document.get("properties"), "form"),
    )


class _Loader:
    def __init__(self, limits: FormLimits) -> None:
        self.limits = limits
        self.count = 0

    def components(self, raw: list[Any], where: str, *, depth: int) -> tuple[Component, ...]:
        if depth > self.limits.max_depth:
            raise FormSchemaError(f"components nest deeper than {self.limits.max_depth} levels", path=where)
        loaded = tuple(self.component(item, f"{where}[{index}]", depth) for index, item in enumerate(raw))
        _check_unique_paths(loaded, where)
        return loaded

    def component(self, raw: Any, where: str, depth: int) -> Component:
        self.count += 1
        if self.count > self.limits.max_components:
            raise FormSchemaError(f"more than {self.limits.max_components} components", path=where)
        if not isinstance(raw, Mapping):
            raise FormSchemaError("a component is a JSON object", path=where)
        type_name = raw.get("type")
        try:
            kind = ComponentType(str(type_name))
        except ValueError:
            raise FormSchemaError(f"unsupported component type {type_name!r}", path=where) from None
        key = _opt_str(raw.get("key"), "key", where)
        if key is not None:
            where = f"{where} (key {key!r})"
        properties = self.properties(raw.get("properties"), where)
        attrs: dict[str, Any] = {
            "type": kind,
            "id": _opt_str(raw.get("id"), "id", where),
            "location": where,
            "properties": properties,
            "label": self.text(raw, "label", properties, where),
            "description": self.text(raw, "description", properties, where),
            "validate": self.validate(raw.get("validate"), where),
            "hide": self.hide(raw.get("conditional"), where),
            "readonly": self.flag(raw.get("readonly"), "readonly", where),
            "disabled": self.flag(raw.get("disabled"), "disabled", where),
            "layout": _layout(raw.get("layout")),
            "default_value": raw.get("defaultValue"),
        }
        if kind in _KEYED:
            if key is None:
                raise FormSchemaError(f"a {kind} component needs a 'key'", path=where)
            if not _KEY.match(key):
                raise FormSchemaError(f"key {key!r} is not a dot-separated path of word characters", path=where)
            attrs["key"] = key
            attrs["path"] = tuple(key.split("."))
        if kind in (ComponentType.GROUP, ComponentType.DYNAMICLIST):
            path = _opt_str(raw.get("path"), "path", where) or ""
            if not _PATH.match(path):
                raise FormSchemaError(f"path {path!r} is not a dot-separated path of word characters", path=where)
            if kind is ComponentType.DYNAMICLIST and not path:
                raise FormSchemaError("a dynamic list needs a 'path'", path=where)
            attrs["path"] = tuple(path.split(".")) if path else ()
            children = raw.get("components", [])
            if not isinstance(children, list):
                raise FormSchemaError("'components' must be a list", path=where)
            attrs["components"] = self.components(children, f"{where}.components", depth=depth + 1)
            attrs["is_repeating"] = kind is ComponentType.DYNAMICLIST
            attrs["allow_add_remove"] = raw.get("allowAddRemove") is True
            attrs["default_repetitions"] = _opt_int(raw.get("defaultRepetitions"), "defaultRepetitions", where) or 1
        self.specific(kind, raw, attrs, properties, where)
        return Component(**attrs)

    def specific(
        self, kind: ComponentType, raw: Mapping[str, Any], attrs: dict[str, Any], props: Mapping[str, str], where: str
    ) -> None:
        if kind in (ComponentType.RADIO, ComponentType.SELECT, ComponentType.CHECKLIST, ComponentType.TAGLIST):
            attrs["options"] = self.options(raw.get("values"), props, where)
            attrs["values_key"] = _opt_str(raw.get("valuesKey"), "valuesKey", where)
            attrs["values_expression"] = self.expression(raw.get("valuesExpression"), "valuesExpression", where)
            attrs["searchable"] = raw.get("searchable") is True
        elif kind is ComponentType.DATETIME:
            try:
                attrs["subtype"] = DateTimeSubtype(raw.get("subtype", "date"))
            except ValueError:
                raise FormSchemaError(f"unknown datetime subtype {raw.get('subtype')!r}", path=where) from None
            attrs["date_label"] = self.text(raw, "dateLabel", props, where)
            attrs["time_label"] = self.text(raw, "timeLabel", props, where)
            attrs["time_serializing_format"] = _opt_str(raw.get("timeSerializingFormat"), "", where) or "utc_offset"
            attrs["disallow_passed_dates"] = raw.get("disallowPassedDates") is True
        elif kind is ComponentType.NUMBER:
            attrs["decimal_digits"] = _opt_int(raw.get("decimalDigits"), "decimalDigits", where)
            increment = raw.get("increment")
            attrs["increment"] = _decimal(increment, "increment", where) if increment not in (None, "") else None
            attrs["serialize_to_string"] = raw.get("serializeToString") is True
        elif kind in (ComponentType.TEXT, ComponentType.HTML):
            attrs["text"] = self.text(raw, "text" if kind is ComponentType.TEXT else "content", props, where)
        elif kind is ComponentType.IMAGE:
            attrs["source"] = _opt_str(raw.get("source"), "source", where)
            attrs["alt"] = self.text(raw, "alt", props, where)
        elif kind is ComponentType.IFRAME:
            attrs["url"] = _opt_str(raw.get("url"), "url", where)
            attrs["height"] = _opt_int(raw.get("height"), "height", where)
        elif kind is ComponentType.FILEPICKER:
            attrs["accept"] = _opt_str(raw.get("accept"), "accept", where)
            attrs["multiple"] = self.flag(raw.get("multiple"), "multiple", where)
        elif kind is ComponentType.EXPRESSION:
            attrs["expression"] = self.expression(raw.get("expression"), "expression", where)
            attrs["compute_on"] = _opt_str(raw.get("computeOn"), "computeOn", where) or "change"
        elif kind is ComponentType.BUTTON:
            attrs["action"] = _opt_str(raw.get("action"), "action", where) or "submit"

    def text(self, raw: Mapping[str, Any], name: str, props: Mapping[str, str], where: str) -> LocalText | None:
        value = _opt_str(raw.get(name), name, where)
        prop_name = "text" if name == "content" else name
        translations = tuple(
            (key.split(":", 1)[1].lower(), text)
            for key, text in props.items()
            if key.startswith(f"{prop_name}:") and _LANGUAGE.match(key.split(":", 1)[1].lower())
        )
        if value is None and not translations:
            return None
        self.check_length(value or "", name, where)
        return LocalText(text=value or "", translations=translations)

    def properties(self, raw: Any, where: str) -> dict[str, str]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            raise FormSchemaError("'properties' must be an object", path=where)
        props: dict[str, str] = {}
        for key, value in raw.items():
            # form-js writes custom properties as strings; numbers from hand-written JSON are accepted.
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise FormSchemaError(f"property {key!r} must be a string", path=where)
            props[str(key)] = str(value)
            self.check_length(props[str(key)], f"properties.{key}", where)
        return props

    def options(self, raw: Any, props: Mapping[str, str], where: str) -> tuple[Option, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise FormSchemaError("'values' must be a list", path=where)
        if len(raw) > self.limits.max_options:
            raise FormSchemaError(f"more than {self.limits.max_options} options", path=where)
        options = []
        for index, item in enumerate(raw):
            if not isinstance(item, Mapping) or "value" not in item:
                raise FormSchemaError(f"values[{index}] needs a 'value'", path=where)
            value = item["value"]
            if not isinstance(value, str | int | float | bool) or value is None:
                raise FormSchemaError(f"values[{index}].value must be a string, number or boolean", path=where)
            label = item.get("label", str(value))
            if not isinstance(label, str):
                raise FormSchemaError(f"values[{index}].label must be a string", path=where)
            # Keyed as the value is written in JSON (`option.true:nl`, `option.1:nl`), the way the
            # form editor writes it, not as Python prints it (`True`).
            prefix = f"option.{option_key(value)}:"
            translations = tuple(
                (key[len(prefix) :].lower(), text) for key, text in props.items() if key.startswith(prefix)
            )
            options.append(Option(value=value, label=LocalText(text=label, translations=translations)))
        return tuple(options)

    def validate(self, raw: Any, where: str) -> Validate:
        if raw is None:
            return Validate()
        if not isinstance(raw, Mapping):
            raise FormSchemaError("'validate' must be an object", path=where)
        pattern = _opt_str(raw.get("pattern"), "validate.pattern", where) or None
        if pattern is not None:
            self.check_length(pattern, "validate.pattern", where)
            try:
                regex.compile(pattern)
            except regex.error as error:
                raise FormSchemaError(f"validate.pattern is not a regular expression: {error}", path=where) from None
        validation_type = raw.get("validationType") or None
        if validation_type not in (None, "email", "phone", "custom"):
            raise FormSchemaError(f"unknown validationType {validation_type!r}", path=where)
        return Validate(
            required=raw.get("required") is True,
            min_length=self.bound(raw.get("minLength"), "validate.minLength", where, integer=True),
            max_length=self.bound(raw.get("maxLength"), "validate.maxLength", where, integer=True),
            min=self.bound(raw.get("min"), "validate.min", where, integer=False),
            max=self.bound(raw.get("max"), "validate.max", where, integer=False),
            pattern=pattern,
            validation_type=None if validation_type == "custom" else validation_type,
        )

    def bound(self, raw: Any, name: str, where: str, *, integer: bool) -> Any:
        if raw is None or raw == "":
            return None
        if isinstance(raw, str) and raw.startswith("="):
            return self.expression(raw, name, where)
        number = _decimal(raw, name, where)
        if integer:
            if number != number.to_integral_value():
                raise FormSchemaError(f"{name} must be a whole number", path=where)
            return int(number)
        return number

    def hide(self, raw: Any, where: str) -> str | None:
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            raise FormSchemaError("'conditional' must be an object", path=where)
        return self.expression(raw.get("hide"), "conditional.hide", where)

    def flag(self, raw: Any, name: str, where: str) -> bool | str:
        if raw is None:
            return False
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str):
            return self.expression(raw, name, where) or False
        raise FormSchemaError(f"{name} must be a boolean or a FEEL expression", path=where)

    def expression(self, raw: Any, name: str, where: str) -> str | None:
        """FEEL text without the leading ``=`` (form-js writes it; older files and people omit it)."""
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise FormSchemaError(f"{name} must be a FEEL expression (text)", path=where)
        text = raw[1:] if raw.startswith("=") else raw
        if not text.strip():
            return None
        if len(text) > self.limits.max_expression_length:
            raise FormSchemaError(f"{name} is longer than {self.limits.max_expression_length} characters", path=where)
        try:
            feel_compile(text)
        except FeelError as error:
            raise FormSchemaError(f"{name} is not FEEL: {error}", path=where) from None
        return text

    def check_length(self, text: str, name: str, where: str) -> None:
        if len(text) > self.limits.max_text_length:
            raise FormSchemaError(f"{name} is longer than {self.limits.max_text_length} characters", path=where)


_KEYED = frozenset(
    {
        ComponentType.CHECKBOX,
        ComponentType.CHECKLIST,
        ComponentType.DATETIME,
        ComponentType.EXPRESSION,
        ComponentType.FILEPICKER,
        ComponentType.NUMBER,
        ComponentType.RADIO,
        ComponentType.SELECT,
        ComponentType.TAGLIST,
        ComponentType.TEXTAREA,
        ComponentType.TEXTFIELD,
    }
)


def _check_unique_paths(components: tuple[Component, ...], where: str) -> None:
    """Two fields writing the same variable would silently overwrite each other's answers.

    Groups without a path put their children in the enclosing scope, so look through them; a
    dynamic list's children live in its items and are checked when the list itself is loaded.
    """
    seen: dict[tuple[str, ...], Component] = {}

    def visit(items: tuple[Component, ...], prefix: tuple[str, ...]) -> None:
        for component in items:
            full = prefix + component.path
            if component.path:
                other = seen.get(full)
                both_groups = other is not None and {other.type, component.type} == {ComponentType.GROUP}
                if other is not None and not both_groups:
                    raise FormSchemaError(
                        f"{'.'.join(full)!r} is also bound by {other.location}", path=component.location
                    )
                seen[full] = component
            if component.type is ComponentType.GROUP:
                visit(component.components, full)

    visit(components, ())


def _layout(raw: Any) -> Layout | None:
    if not isinstance(raw, Mapping):
        return None
    columns = raw.get("columns")
    row = raw.get("row")
    return Layout(
        row=row if isinstance(row, str) else None,
        columns=columns if isinstance(columns, int) and not isinstance(columns, bool) else None,
    )


def _opt_str(raw: Any, name: str, where: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise FormSchemaError(f"{name} must be a string", path=where)
    return raw


def _opt_int(raw: Any, name: str, where: str) -> int | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise FormSchemaError(f"{name} must be a whole number", path=where)
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        raise FormSchemaError(f"{name} must be a whole number", path=where) from None
    if not number.is_finite() or number != number.to_integral_value() or abs(number) > 1_000_000:
        raise FormSchemaError(f"{name} must be a whole number", path=where)
    return int(number)


def _decimal(raw: Any, name: str, where: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise FormSchemaError(f"{name} must be a number", path=where)
    try:
        number = Decimal(repr(raw) if isinstance(raw, float) else str(raw).strip())
    except InvalidOperation:
        raise FormSchemaError(f"{name} must be a number", path=where) from None
    if not number.is_finite():
        raise FormSchemaError(f"{name} must be a finite number", path=where)
    return number
