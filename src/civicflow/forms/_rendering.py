"""A rendering model for server-side templates: one :class:`FieldView` per component, in order.

The views carry everything a GOV.UK-style template needs and nothing it has to compute: the
translated label and hint, HTML name and id, the value as text, options with their own ids, the
error message, ``aria-describedby`` (hint then error, as the design system orders them) and
autocomplete hints. Radios and checkbox lists, groups and repeating groups are fieldsets; their
first option carries the field id so that the error summary links land on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from civicflow.forms._coercion import option_key
from civicflow.forms._conditions import evaluate, flag, is_true
from civicflow.forms._model import Component, ComponentType, DateTimeSubtype, Form
from civicflow.forms._paths import MISSING, Path, get_path, html_id, html_name
from civicflow.forms._rules import resolve_options
from civicflow.forms._validation import FieldError, preview_context

__all__ = ["ErrorSummaryItem", "FieldView", "OptionView", "error_summary", "render_model"]

_TEMPLATE_VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*\}\}", re.ASCII)
# Autocomplete tokens (WCAG 1.3.5) for the keys forms commonly use for personal data.
_AUTOCOMPLETE = {
    "email": "email",
    "emailaddress": "email",
    "phone": "tel",
    "telephone": "tel",
    "phonenumber": "tel",
    "name": "name",
    "fullname": "name",
    "givenname": "given-name",
    "firstname": "given-name",
    "familyname": "family-name",
    "lastname": "family-name",
    "surname": "family-name",
    "postalcode": "postal-code",
    "postcode": "postal-code",
    "zipcode": "postal-code",
    "street": "address-line1",
    "streetaddress": "street-address",
    "city": "address-level2",
    "country": "country-name",
    "birthdate": "bday",
    "dateofbirth": "bday",
    "organisation": "organization",
    "organization": "organization",
}
_INPUT_TYPES = {
    ComponentType.TEXTAREA: "textarea",
    ComponentType.NUMBER: "text",  # GOV.UK: type=number misbehaves; text with inputmode=decimal instead
    ComponentType.CHECKBOX: "checkbox",
    ComponentType.CHECKLIST: "checkboxes",
    ComponentType.TAGLIST: "checkboxes",  # without JavaScript a tag list is a list of checkboxes
    ComponentType.RADIO: "radios",
    ComponentType.SELECT: "select",
    ComponentType.FILEPICKER: "file",
    ComponentType.GROUP: "group",
    ComponentType.DYNAMICLIST: "list",
    ComponentType.TEXT: "markdown",
    ComponentType.HTML: "html",
    ComponentType.IMAGE: "image",
    ComponentType.IFRAME: "link",  # embedded pages are offered as a link: no third-party frames
    ComponentType.SPACER: "spacer",
    ComponentType.SEPARATOR: "separator",
    ComponentType.BUTTON: "button",
}
_DATETIME_TYPES = {
    DateTimeSubtype.DATE: "date",
    DateTimeSubtype.TIME: "time",
    DateTimeSubtype.DATETIME: "datetime-local",
}
_FIELDSETS = frozenset(
    {
        ComponentType.CHECKLIST,
        ComponentType.TAGLIST,
        ComponentType.RADIO,
        ComponentType.GROUP,
        ComponentType.DYNAMICLIST,
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class OptionView:
    """One radio, checkbox or select option."""

    value: str
    label: str
    id: str
    selected: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldView:
    """What a template needs to render one component accessibly.

    ``input_type`` is one of: text, email, tel, textarea, checkbox, checkboxes, radios, select, date,
    time, datetime-local, file, group, list, markdown, html, image, link, spacer, separator, button,
    none (expression fields, tables and document previews: nothing to show without JavaScript).
    ``text`` is markdown (``markdown``), author HTML that the template must sanitise (``html``) or
    the link text (``link``). ``items`` are the rendered items of a repeating group.
    """

    type: ComponentType
    input_type: str
    name: str
    id: str
    label: str
    hint: str | None = None
    hint_id: str | None = None
    value: str | tuple[str, ...] = ""
    options: tuple[OptionView, ...] = ()
    error: str | None = None
    error_id: str | None = None
    aria_describedby: str | None = None
    autocomplete: str | None = None
    inputmode: str | None = None
    required: bool = False
    readonly: bool = False
    disabled: bool = False
    hidden: bool = False
    fieldset: bool = False
    children: tuple[FieldView, ...] = ()
    items: tuple[tuple[FieldView, ...], ...] = ()
    allow_add_remove: bool = False
    text: str | None = None
    url: str | None = None
    alt: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    columns: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorSummaryItem:
    """A line of the error summary: a link to the field and the message."""

    href: str
    text: str


def error_summary(errors: Sequence[FieldError]) -> list[ErrorSummaryItem]:
    """The error summary at the top of the page, in field order, linking to each field."""
    return [ErrorSummaryItem(href=f"#{error.id}", text=error.message) for error in errors]


def render_model(
    form: Form,
    values: Any,
    errors: Sequence[FieldError] = (),
    language: str = "en",
    *,
    variables: Mapping[str, Any] | None = None,
) -> list[FieldView]:
    """Views of ``form``'s components with ``values`` (submitted or accepted data) and ``errors``."""
    data = values if isinstance(values, Mapping) else {}
    renderer = _Renderer(form, data, errors, language, variables or {})
    return renderer.views(form.components, data=data, rel=(), html=(), context=renderer.context, hidden=False)


class _Renderer:
    def __init__(
        self,
        form: Form,
        data: Mapping[str, Any],
        errors: Sequence[FieldError],
        language: str,
        variables: Mapping[str, Any],
    ) -> None:
        self.language = language
        self.variables = variables
        self.errors: dict[str, FieldError] = {}
        for error in errors:
            self.errors.setdefault(error.name, error)
        self.context = preview_context(form, data, variables)

    def views(
        self,
        components: tuple[Component, ...],
        *,
        data: Mapping[str, Any],
        rel: tuple[str, ...],
        html: Path,
        context: Mapping[str, Any],
        hidden: bool,
    ) -> list[FieldView]:
        return [
            self.view(component, data=data, rel=rel, html=html, context=context, hidden=hidden)
            for component in components
        ]

    def view(
        self,
        component: Component,
        *,
        data: Mapping[str, Any],
        rel: tuple[str, ...],
        html: Path,
        context: Mapping[str, Any],
        hidden: bool,
    ) -> FieldView:
        is_hidden = hidden or is_true(component.hide, context)
        path = rel + component.path
        name_path: Path = html + path if component.path else (*html, *rel, component.id or "component")
        element_id = html_id(name_path)
        name = html_name(html + path) if component.path else ""
        error = self.errors.get(name) if name else None
        hint = component.description.in_language(self.language) if component.description else None
        hint_id = f"{element_id}-hint" if hint else None
        error_id = f"{element_id}-error" if error else None
        described = " ".join(part for part in (hint_id, error_id) if part) or None
        kind = component.type
        common: dict[str, Any] = {
            "type": kind,
            "input_type": self.input_type(component),
            "name": name,
            "id": element_id,
            "label": component.label.in_language(self.language) if component.label else "",
            "hint": hint,
            "hint_id": hint_id,
            "error": error.message if error else None,
            "error_id": error_id,
            "aria_describedby": described,
            "required": component.validate.required,
            "readonly": flag(component.readonly, context),
            "disabled": flag(component.disabled, context),
            "hidden": is_hidden,
            "fieldset": kind in _FIELDSETS,
            "columns": component.layout.columns if component.layout else None,
        }
        if kind is ComponentType.GROUP:
            children = self.views(
                component.components, data=data, rel=path, html=html, context=context, hidden=is_hidden
            )
            return FieldView(**common, children=tuple(children))
        if kind is ComponentType.DYNAMICLIST:
            return FieldView(
                **common,
                items=self.items(component, data=data, path=path, html=html, context=context, hidden=is_hidden),
                allow_add_remove=component.allow_add_remove,
            )
        if kind in (ComponentType.TEXT, ComponentType.HTML):
            return FieldView(**common, text=self.text(component, context))
        if kind is ComponentType.IMAGE:
            source = component.source or ""
            url = evaluate(source[1:], context) if source.startswith("=") else source
            alt = component.alt.in_language(self.language) if component.alt else ""
            return FieldView(**common, url=url if isinstance(url, str) else None, alt=alt)
        if kind is ComponentType.IFRAME:
            return FieldView(**common, url=component.url, text=common["label"] or component.url)
        raw = get_path(data, path) if component.path else None
        if raw is MISSING:
            # A first visit (no answer yet) shows the form's defaultValue.
            raw = component.default_value
        return FieldView(
            **common,
            value=_display(raw, multi=kind in (ComponentType.CHECKLIST, ComponentType.TAGLIST)),
            options=self.options(component, raw, element_id, context),
            autocomplete=_autocomplete(component),
            inputmode="decimal" if kind is ComponentType.NUMBER else None,
            attributes=_attributes(component, context),
        )

    def input_type(self, component: Component) -> str:
        kind = component.type
        if kind is ComponentType.TEXTFIELD:
            return {"email": "email", "phone": "tel"}.get(component.validate.validation_type or "", "text")
        if kind is ComponentType.DATETIME:
            return _DATETIME_TYPES[component.subtype]
        return _INPUT_TYPES.get(kind, "none")

    def items(
        self,
        component: Component,
        *,
        data: Mapping[str, Any],
        path: tuple[str, ...],
        html: Path,
        context: Mapping[str, Any],
        hidden: bool,
    ) -> tuple[tuple[FieldView, ...], ...]:
        raw = get_path(data, path)
        items = raw if isinstance(raw, list) else [{}] * max(component.default_repetitions, 0)
        rendered = []
        for index, item in enumerate(items[:200]):
            item_data = item if isinstance(item, Mapping) else {}
            item_context = {**context, **_preview_item(context, path, index)}
            views = self.views(
                component.components,
                data=item_data,
                rel=(),
                html=(*html, *path, index),
                context=item_context,
                hidden=hidden,
            )
            rendered.append(tuple(views))
        return tuple(rendered)

    def text(self, component: Component, context: Mapping[str, Any]) -> str:
        text = component.text.in_language(self.language) if component.text else ""
        if text.startswith("="):
            value = evaluate(text[1:], context)
            return "" if value is None else _display(value, multi=False)  # type: ignore[return-value]

        def fill(match: re.Match[str]) -> str:
            value = get_path(context, tuple(match.group(1).split(".")))
            return _display(value, multi=False)  # type: ignore[return-value]

        return _TEMPLATE_VARIABLE.sub(fill, text)

    def options(
        self, component: Component, raw: Any, element_id: str, context: Mapping[str, Any]
    ) -> tuple[OptionView, ...]:
        if component.type not in (
            ComponentType.RADIO,
            ComponentType.SELECT,
            ComponentType.CHECKLIST,
            ComponentType.TAGLIST,
        ):
            return ()
        picked = {option_key(item) for item in (raw if isinstance(raw, list) else [raw]) if _scalar(item)}
        views = []
        for index, option in enumerate(resolve_options(component, context, self.variables)):
            key = option_key(option.value)
            views.append(
                OptionView(
                    value=key,
                    label=option.label.in_language(self.language),
                    id=element_id if index == 0 else f"{element_id}-{index + 1}",
                    selected=key in picked,
                )
            )
        return tuple(views)


def _preview_item(context: Mapping[str, Any], path: tuple[str, ...], index: int) -> dict[str, Any]:
    item = get_path(context, (*path, index))
    return dict(item) if isinstance(item, Mapping) else {}


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | Decimal | bool)


def _display(value: Any, *, multi: bool) -> str | tuple[str, ...]:
    if multi:
        items = value if isinstance(value, list) else [value]
        return tuple(option_key(item) for item in items if _scalar(item))
    if value is None or not _scalar(value):
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return option_key(value)


def _autocomplete(component: Component) -> str | None:
    explicit = component.property("autocomplete") or component.property("civicflow:autocomplete")
    if explicit:
        return explicit
    if component.type not in (ComponentType.TEXTFIELD, ComponentType.DATETIME):
        return None
    if component.validate.validation_type == "email":
        return "email"
    if component.validate.validation_type == "phone":
        return "tel"
    last = component.path[-1].lower().replace("_", "") if component.path else ""
    return _AUTOCOMPLETE.get(last)


def _attributes(component: Component, context: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    attrs: list[tuple[str, str]] = []
    rules = component.validate
    if component.type in (ComponentType.TEXTFIELD, ComponentType.TEXTAREA):
        high = rules.max_length if not isinstance(rules.max_length, str) else evaluate(rules.max_length, context)
        if isinstance(high, int | Decimal) and not isinstance(high, bool):
            attrs.append(("maxlength", str(int(high))))
    if component.type is ComponentType.FILEPICKER:
        if component.accept and not component.accept.startswith("="):
            attrs.append(("accept", component.accept))
        if flag(component.multiple, context):
            attrs.append(("multiple", "multiple"))
    return tuple(attrs)
