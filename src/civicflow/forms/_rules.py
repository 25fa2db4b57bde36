"""The checks of one answer after coercion: lengths, patterns, bounds, choices, files.

Each check returns None or ``(code, limit)``; ``limit`` goes into the message ("5 characters or
more"). Bounds written as FEEL (``"=maxAmount"``) are evaluated against the form's data; a bound
that does not evaluate to a number is not applied, as in form-js.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

import regex

from civicflow.forms._coercion import option_key
from civicflow.forms._conditions import evaluate
from civicflow.forms._messages import ErrorCode
from civicflow.forms._model import Component, LocalText, Option
from civicflow.forms._sniffing import content_fits_name

__all__ = [
    "Failure",
    "UploadedFile",
    "accepts",
    "check_date",
    "check_files",
    "check_number",
    "check_text",
    "resolve_options",
]

Failure = tuple[ErrorCode, object] | None

# Our own patterns, written for people's input rather than for RFC completeness: one @, a dot in
# the domain, no spaces; a phone number is digits with the usual separators and an optional +.
_EMAIL = regex.compile(r"^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$")
_PHONE = regex.compile(r"^\+?[0-9][0-9 ()./-]{4,24}$")
# A pattern written in the form runs on citizen input; a timeout bounds catastrophic backtracking.
_PATTERN_TIMEOUT = 0.25
_REMAINDER_PRECISION = 300


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadedFile:
    """What the core needs to know of an uploaded file; the adapter keeps the bytes.

    ``ref`` is the adapter's handle for the stored file (a document id), copied into the values.
    ``content_type`` is what the client declared; ``sniffed_type`` what the adapter found in the
    first bytes (:func:`sniff_content_type`). When it is given, type checks use it and the file
    name's extension must fit it: a ``.pdf`` that is really a program is refused.
    """

    name: str
    content_type: str
    size: int
    ref: str | None = None
    sniffed_type: str | None = None

    @property
    def type(self) -> str:
        """The content type checks and the values use: the sniffed one when known."""
        return self.sniffed_type or self.content_type


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def bound(value: Any, context: Mapping[str, Any]) -> Decimal | None:
    """A static bound, or a FEEL bound evaluated in ``context``."""
    if isinstance(value, str):
        return _number(evaluate(value, context))
    return _number(value)


def check_text(component: Component, text: str, context: Mapping[str, Any]) -> Failure:
    """minLength, maxLength, validationType and pattern."""
    rules = component.validate
    min_length = bound(rules.min_length, context)
    if min_length is not None and len(text) < min_length:
        return ErrorCode.MIN_LENGTH, min_length
    max_length = bound(rules.max_length, context)
    if max_length is not None and len(text) > max_length:
        return ErrorCode.MAX_LENGTH, max_length
    if rules.validation_type == "email" and not _EMAIL.match(text):
        return ErrorCode.EMAIL, ""
    if rules.validation_type == "phone" and not _PHONE.match(text):
        return ErrorCode.PHONE, ""
    if rules.pattern is not None:
        try:
            # form-js tests with JavaScript's RegExp.test: a search, so unanchored patterns match inside.
            matched = regex.search(rules.pattern, text, timeout=_PATTERN_TIMEOUT) is not None
        except TimeoutError:
            matched = False
        if not matched:
            return ErrorCode.PATTERN, rules.pattern
    return None


def check_number(component: Component, number: Decimal, context: Mapping[str, Any]) -> Failure:
    """min, max, decimalDigits and increment."""
    low = bound(component.validate.min, context)
    if low is not None and number < low:
        return ErrorCode.MIN, low
    high = bound(component.validate.max, context)
    if high is not None and number > high:
        return ErrorCode.MAX, high
    digits = component.decimal_digits
    if digits is not None:
        fraction = format(number, "f").partition(".")[2].rstrip("0")
        if len(fraction) > digits:
            return ErrorCode.DECIMAL_DIGITS, digits
    step = component.increment
    if step is not None and step > 0:
        try:
            with localcontext(prec=_REMAINDER_PRECISION):
                off_step = number % step != 0
        except InvalidOperation:
            # The quotient has more digits than any step a person means; refuse rather than guess.
            off_step = True
        if off_step:
            return ErrorCode.INCREMENT, step
    return None


def check_date(component: Component, iso: str, today: dt.date | None) -> Failure:
    """disallowPassedDates, when the caller passed today's date (the core has no clock)."""
    if today is None or not component.disallow_passed_dates:
        return None
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return None
    return (ErrorCode.DATE_PASSED, "") if day < today else None


def resolve_options(
    component: Component, context: Mapping[str, Any], variables: Mapping[str, Any]
) -> tuple[Option, ...]:
    """The choices on offer: static ``values``, ``valuesKey`` (a variable) or ``valuesExpression``."""
    if component.values_expression is not None:
        return _options_from(evaluate(component.values_expression, context))
    if component.values_key is not None:
        return _options_from(variables.get(component.values_key))
    return component.options


def _options_from(raw: Any) -> tuple[Option, ...]:
    if not isinstance(raw, list):
        return ()
    options = []
    for item in raw[:5_000]:
        if isinstance(item, Mapping) and "value" in item:
            value, label = item["value"], item.get("label", item["value"])
        else:
            value, label = item, item
        if value is None or isinstance(value, list | Mapping):
            continue
        options.append(Option(value=value, label=LocalText(text=option_key(label))))
    return tuple(options)


def accepts(accept: str | None, file: UploadedFile) -> bool:
    """Whether ``file`` matches an HTML ``accept`` list (``.pdf,image/*,application/pdf``)."""
    if not accept:
        return True
    name = file.name.lower()
    content_type = file.type.lower().split(";", 1)[0].strip()
    for token in (part.strip().lower() for part in accept.split(",")):
        if not token:
            continue
        if token.startswith("."):
            if name.endswith(token):
                return True
        elif token.endswith("/*"):
            if content_type.startswith(token[:-1]):
                return True
        elif content_type == token:
            return True
    return False


def check_files(files: Sequence[UploadedFile], *, accept: str | None, max_count: int, max_size: int) -> Failure:
    """Count, type and size of the files of one file picker."""
    if len(files) > max_count:
        return ErrorCode.FILE_COUNT, max_count
    for file in files:
        if not accepts(accept, file):
            return ErrorCode.FILE_TYPE, accept or ""
        if file.sniffed_type is not None and not content_fits_name(file.name, file.sniffed_type):
            return ErrorCode.FILE_CONTENT, file.name[:100]
        if file.size > max_size or file.size < 0:
            return ErrorCode.FILE_SIZE, _size_text(max_size)
    return None


def _size_text(size: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"
