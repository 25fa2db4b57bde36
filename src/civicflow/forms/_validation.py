"""Validate submitted data against a form: what the portal and the API call on every post.

Two passes. The first coerces every answer it can into a preview of the data, so that conditions
(``conditional.hide``, FEEL bounds, option expressions) see numbers as numbers. The second walks
the form: hidden fields are skipped and their values dropped, readonly/disabled fields keep what
the process gave them, and every visible input is coerced and checked. Keys the form does not
bind are dropped and reported in ``dropped``; a client cannot write variables the form does not show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from civicflow.forms._coercion import (
    EMPTY,
    Coerced,
    coerce_boolean,
    coerce_datetime,
    coerce_number,
    coerce_text,
    option_key,
)
from civicflow.forms._conditions import evaluate, flag, is_true
from civicflow.forms._messages import ErrorCode, message
from civicflow.forms._model import Component, ComponentType, Form, Option
from civicflow.forms._pages import Page
from civicflow.forms._paths import MISSING, Path, get_path, html_id, html_name, set_path
from civicflow.forms._rules import (
    UploadedFile,
    check_date,
    check_files,
    check_number,
    check_text,
    resolve_options,
)
from civicflow.forms._shape import forged_names

__all__ = ["FieldError", "ValidationOptions", "ValidationResult", "validate"]

_MULTI = (ComponentType.CHECKLIST, ComponentType.TAGLIST)
_SINGLE = (ComponentType.RADIO, ComponentType.SELECT)


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldError:
    """A refused answer: ``name`` is the HTML name (``children[0].age``), ``id`` the element id."""

    name: str
    id: str
    code: ErrorCode
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationOptions:
    """Limits and context of one validation. ``today`` enables ``disallowPassedDates``."""

    max_text_length: int = 100_000
    max_items: int = 200
    max_file_size: int = 10 * 1024 * 1024
    max_files: int = 10
    max_dropped: int = 100
    today: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationResult:
    """Accepted ``values`` (nested, ready to become process variables), ``errors`` and ``dropped`` names."""

    values: dict[str, Any]
    errors: tuple[FieldError, ...] = ()
    dropped: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Whether every answer was accepted."""
        return not self.errors

    def error_for(self, name: str) -> FieldError | None:
        """The first error of the field with HTML name ``name``."""
        return next((error for error in self.errors if error.name == name), None)


def validate(
    form: Form,
    data: Any,
    *,
    files: Mapping[str, Sequence[UploadedFile]] | None = None,
    language: str = "en",
    variables: Mapping[str, Any] | None = None,
    options: ValidationOptions | None = None,
    page: Page | None = None,
) -> ValidationResult:
    """Validate ``data`` (nested JSON-like, e.g. from :func:`unflatten`) against ``form``.

    ``files`` maps HTML names of file pickers to the uploaded files; ``variables`` are the process
    variables the form was opened with (for conditions, ``valuesKey`` and readonly fields).
    With ``page`` (one of :func:`pages`) only that page's fields are checked and returned, while
    conditions see all of ``data``; names no page binds are then not reported (the whole form's
    validation at the end does that). Never raises on any ``data``.
    """
    run = _Run(
        form,
        data=data if isinstance(data, Mapping) else {},
        files=files or {},
        variables=variables or {},
        language=language,
        options=options,
    )
    return run.result(page)


class _Run:
    def __init__(
        self,
        form: Form,
        *,
        data: Mapping[str, Any],
        files: Mapping[str, Sequence[UploadedFile]],
        variables: Mapping[str, Any],
        language: str,
        options: ValidationOptions | None,
    ) -> None:
        self.form = form
        self.data = data
        self.files = files
        self.variables = variables
        self.language = language
        self.options = options or ValidationOptions()
        self.errors: list[FieldError] = []
        self.values: dict[str, Any] = {}
        self.dropped: list[str] = []
        self.preview: dict[str, Any] = {}

    def result(self, page: Page | None = None) -> ValidationResult:
        self.build_preview(self.form.components, self.data, self.preview, ())
        context = {**self.variables, **self.preview}
        components = self.form.components if page is None else page.components
        self.walk(components, raw=self.data, out=self.values, rel=(), html=(), context=context, hidden=False)
        if page is None:
            self.drop(forged_names(self.form, self.data, self.files))
        return ValidationResult(values=self.values, errors=tuple(self.errors), dropped=tuple(self.dropped))

    # -- pass 1 -----------------------------------------------------------------------------------

    def build_preview(
        self, components: tuple[Component, ...], raw: Mapping[str, Any], out: dict[str, Any], rel: tuple[str, ...]
    ) -> None:
        for component in components:
            path = rel + component.path
            if component.type is ComponentType.GROUP:
                self.build_preview(component.components, raw, out, path)
            elif component.type is ComponentType.DYNAMICLIST:
                items = get_path(raw, path)
                if isinstance(items, list):
                    previews: list[Any] = []
                    for item in items[: self.options.max_items]:
                        item_out: dict[str, Any] = {}
                        if isinstance(item, Mapping):
                            self.build_preview(component.components, item, item_out, ())
                        previews.append(item_out)
                    set_path(out, path, previews)
            elif component.is_input and component.type is not ComponentType.FILEPICKER:
                value, code = self.coerce(component, get_path(raw, path))
                if code is None and value is not EMPTY:
                    set_path(out, path, value)

    # -- pass 2 -----------------------------------------------------------------------------------

    def walk(
        self,
        components: tuple[Component, ...],
        *,
        raw: Mapping[str, Any],
        out: dict[str, Any],
        rel: tuple[str, ...],
        html: Path,
        context: Mapping[str, Any],
        hidden: bool,
    ) -> None:
        for component in components:
            is_hidden = hidden or is_true(component.hide, context)
            path = rel + component.path
            if component.type is ComponentType.GROUP:
                self.walk(
                    component.components, raw=raw, out=out, rel=path, html=html, context=context, hidden=is_hidden
                )
            elif component.type is ComponentType.DYNAMICLIST:
                if not is_hidden:
                    self.dynamic_list(component, raw=raw, out=out, path=path, html=html, context=context)
            elif component.type is ComponentType.EXPRESSION:
                if not is_hidden and component.expression is not None:
                    # Computed on the server from the accepted answers; a client's value never counts.
                    set_path(out, path, evaluate(component.expression, context))
            elif component.is_input and not is_hidden:
                self.field(component, raw=raw, out=out, path=path, name=html + path, context=context)

    def dynamic_list(
        self,
        component: Component,
        *,
        raw: Mapping[str, Any],
        out: dict[str, Any],
        path: tuple[str, ...],
        html: Path,
        context: Mapping[str, Any],
    ) -> None:
        name = html + path
        items = get_path(raw, path)
        if items is MISSING or items is None:
            items = []
        if not isinstance(items, list):
            self.fail(component, name, ErrorCode.TYPE)
            return
        low = _int_property(component, "civicflow:minItems")
        high = min(_int_property(component, "civicflow:maxItems") or self.options.max_items, self.options.max_items)
        if low is not None and len(items) < low:
            self.fail(component, name, ErrorCode.MIN_ITEMS, low)
        if len(items) > high:
            self.fail(component, name, ErrorCode.MAX_ITEMS, high)
            items = items[:high]
        # The context holds the preview (items overlay the root inside a list), so nested lists work too.
        previews = get_path(context, path)
        accepted: list[Any] = []
        for index, item in enumerate(items):
            item_raw = item if isinstance(item, Mapping) else {}
            if not isinstance(item, Mapping):
                self.fail(component, (*name, index), ErrorCode.TYPE)
            item_preview = _item_preview(previews, index)
            item_context = {**context, **item_preview, "_this_": item_preview, "_i_": [index + 1]}
            item_out: dict[str, Any] = {}
            self.walk(
                component.components,
                raw=item_raw,
                out=item_out,
                rel=(),
                html=(*name, index),
                context=item_context,
                hidden=False,
            )
            accepted.append(item_out)
        set_path(out, path, accepted)

    def field(
        self,
        component: Component,
        *,
        raw: Mapping[str, Any],
        out: dict[str, Any],
        path: tuple[str, ...],
        name: Path,
        context: Mapping[str, Any],
    ) -> None:
        if flag(component.readonly, context) or flag(component.disabled, context):
            # The value stays what the process gave the form; a posted one is someone's forgery.
            if get_path(raw, path) is not MISSING:
                self.drop([html_name(name)])
            return
        if component.type is ComponentType.FILEPICKER:
            self.file_picker(component, out=out, path=path, name=name, context=context)
            return
        value, code = self.coerce(component, get_path(raw, path))
        if code is not None:
            self.fail(component, name, code, self.options.max_text_length if code is ErrorCode.TOO_LONG else "")
            return
        if value is EMPTY or (component.type is ComponentType.CHECKBOX and value is False):
            if component.validate.required:
                self.fail(component, name, ErrorCode.REQUIRED)
            elif component.type is ComponentType.CHECKBOX:
                set_path(out, path, value)
            return
        failure = self.check(component, value, context)
        if failure is not None:
            self.fail(component, name, failure[0], failure[1])
            return
        if component.type is ComponentType.NUMBER and component.serialize_to_string:
            value = format(value, "f")
        set_path(out, path, value)

    def check(self, component: Component, value: Any, context: Mapping[str, Any]) -> tuple[ErrorCode, object] | None:
        kind = component.type
        if kind in (ComponentType.TEXTFIELD, ComponentType.TEXTAREA):
            return check_text(component, value, context)
        if kind is ComponentType.NUMBER:
            return check_number(component, value, context)
        if kind is ComponentType.DATETIME:
            return check_date(component, value, self.options.today)
        return None

    def file_picker(
        self,
        component: Component,
        *,
        out: dict[str, Any],
        path: tuple[str, ...],
        name: Path,
        context: Mapping[str, Any],
    ) -> None:
        uploaded = list(self.files.get(html_name(name), ()))
        if not uploaded:
            if component.validate.required:
                self.fail(component, name, ErrorCode.REQUIRED)
            return
        accept = component.accept
        if accept is not None and accept.startswith("="):
            accepted = evaluate(accept[1:], context)
            accept = accepted if isinstance(accepted, str) else None
        multiple = flag(component.multiple, context)
        max_files = (_int_property(component, "civicflow:maxFiles") or self.options.max_files) if multiple else 1
        max_size = _int_property(component, "civicflow:maxFileSize") or self.options.max_file_size
        failure = check_files(
            uploaded, accept=accept, max_count=min(max_files, self.options.max_files), max_size=max_size
        )
        if failure is not None:
            self.fail(component, name, failure[0], failure[1])
            return
        # a document reference: the adapter's id for the bytes, and what the citizen sees of the file
        described = [{"id": file.ref, "name": file.name, "size": file.size, "type": file.type} for file in uploaded]
        set_path(out, path, described if multiple else described[0])

    def coerce(self, component: Component, raw: Any) -> Coerced:
        if raw is MISSING:
            raw = None
        kind = component.type
        if kind in (ComponentType.TEXTFIELD, ComponentType.TEXTAREA):
            return coerce_text(raw, max_length=self.options.max_text_length)
        if kind is ComponentType.NUMBER:
            return coerce_number(raw)
        if kind is ComponentType.CHECKBOX:
            return coerce_boolean(raw)
        if kind is ComponentType.DATETIME:
            return coerce_datetime(raw, component)
        if kind in _SINGLE or kind in _MULTI:
            return self.choose(component, raw)
        return EMPTY, None

    def choose(self, component: Component, raw: Any) -> Coerced:
        multi = component.type in _MULTI
        if raw is None or raw in ("", []):
            return EMPTY, None
        picked = raw if isinstance(raw, list) else [raw]
        if not multi and len(picked) != 1:
            return None, ErrorCode.TYPE
        if len(picked) > self.options.max_items * 10:
            return None, ErrorCode.TOO_LONG
        choices = {option_key(option.value): option.value for option in self._options(component)}
        chosen: list[Any] = []
        for item in picked:
            if isinstance(item, bool | str | int | float | Decimal) and option_key(item) in choices:
                value = choices[option_key(item)]
                if value not in chosen:
                    chosen.append(value)
            elif item is None or isinstance(item, list | Mapping):
                return None, ErrorCode.TYPE
            else:
                return None, ErrorCode.CHOICE
        if not chosen:
            return EMPTY, None
        return (chosen if multi else chosen[0]), None

    def _options(self, component: Component) -> tuple[Option, ...]:
        context = {**self.variables, **self.preview}
        return resolve_options(component, context, self.variables)

    def fail(self, component: Component, name: Path, code: ErrorCode, limit: object = "") -> None:
        label = component.label.in_language(self.language) if component.label else ""
        if not label:
            label = component.key or "this field"
        self.errors.append(
            FieldError(
                name=html_name(name),
                id=html_id(name),
                code=code,
                message=message(code, self.language, label=label, limit=limit),
            )
        )

    def drop(self, names: list[str]) -> None:
        room = self.options.max_dropped - len(self.dropped)
        # Names come from the client: cut them so a hostile post cannot grow the report.
        self.dropped.extend(name[:200] for name in names[: max(room, 0)])


def _item_preview(previews: Any, index: int) -> dict[str, Any]:
    item = get_path(previews, (index,)) if isinstance(previews, list) else MISSING
    return dict(item) if isinstance(item, Mapping) else {}


def _int_property(component: Component, name: str) -> int | None:
    text = component.property(name)
    if text is None or not text.strip().isdigit() or len(text) > 12:
        return None
    return int(text)


def preview_context(form: Form, data: Any, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The FEEL context the validator would use for ``data``: variables overlaid by coerced answers."""
    run = _Run(
        form,
        data=data if isinstance(data, Mapping) else {},
        files={},
        variables=variables or {},
        language="en",
        options=None,
    )
    run.build_preview(form.components, run.data, run.preview, ())
    return {**run.variables, **run.preview}
