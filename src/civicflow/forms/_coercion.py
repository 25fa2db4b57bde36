"""Submitted values -> typed values. HTML posts strings; JSON clients post strings, numbers and lists.

Each function returns ``(value, None)`` or ``(None, code)``. An empty answer is :data:`EMPTY`, so that
"not answered" stays apart from "answered wrongly" (only the first can trigger ``required``).
Numbers become :class:`~decimal.Decimal` (never float: amounts of money must not pick up binary
noise); dates and times become ISO 8601 text, as form-js stores them in process variables.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from civicflow.forms._messages import ErrorCode
from civicflow.forms._model import Component, DateTimeSubtype

__all__ = ["EMPTY", "Coerced", "coerce_boolean", "coerce_datetime", "coerce_number", "coerce_text", "option_key"]

Coerced = tuple[Any, ErrorCode | None]


class _Empty:
    def __repr__(self) -> str:
        return "EMPTY"


EMPTY: Any = _Empty()

# Longer number or date text is never a number or date a person typed.
_MAX_NUMBER_TEXT = 64
_MAX_DATE_TEXT = 40
_TRUE = frozenset({"true", "on", "1", "yes", "ja"})
_FALSE = frozenset({"false", "off", "0", "no", "nee", ""})
_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def coerce_text(raw: Any, *, max_length: int) -> Coerced:
    """Text fields: strings (numbers from JSON clients are taken as their text)."""
    if raw is None:
        return EMPTY, None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        return None, ErrorCode.TYPE
    text = raw if isinstance(raw, str) else str(raw)
    if len(text) > max_length:
        return None, ErrorCode.TOO_LONG
    # Browsers send CRLF from textareas; one newline convention keeps lengths honest.
    text = text.replace("\r\n", "\n")
    return (text, None) if text.strip() else (EMPTY, None)


def coerce_number(raw: Any) -> Coerced:
    """A number; a comma is read as the decimal separator when there is no dot (Dutch "12,50")."""
    if raw is None:
        return EMPTY, None
    if isinstance(raw, bool):
        return None, ErrorCode.NUMBER
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(repr(raw))
    elif isinstance(raw, str):
        text = raw.strip().replace(" ", "").replace("\u00a0", "")
        if not text:
            return EMPTY, None
        if len(text) > _MAX_NUMBER_TEXT:
            return None, ErrorCode.NUMBER
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, ErrorCode.NUMBER
    else:
        return None, ErrorCode.NUMBER
    if not number.is_finite() or abs(number.adjusted()) > 100:
        return None, ErrorCode.NUMBER
    return number, None


def coerce_boolean(raw: Any) -> Coerced:
    """A checkbox: absent is false (an unticked HTML checkbox posts nothing)."""
    if raw is None or isinstance(raw, bool):
        return bool(raw), None
    if isinstance(raw, str) and raw.strip().lower() in _TRUE:
        return True, None
    if isinstance(raw, str) and raw.strip().lower() in _FALSE:
        return False, None
    return None, ErrorCode.TYPE


def coerce_datetime(raw: Any, component: Component) -> Coerced:
    """ISO text of a date, a time or a date and time, per the component's subtype."""
    subtype = component.subtype
    code = {
        DateTimeSubtype.DATE: ErrorCode.DATE,
        DateTimeSubtype.TIME: ErrorCode.TIME,
        DateTimeSubtype.DATETIME: ErrorCode.DATETIME,
    }[subtype]
    if raw is None:
        return EMPTY, None
    if not isinstance(raw, str):
        return None, code
    text = raw.strip()
    if not text:
        return EMPTY, None
    if len(text) > _MAX_DATE_TEXT:
        return None, code
    try:
        if subtype is DateTimeSubtype.DATE:
            return _parse_date(text).isoformat(), None
        if subtype is DateTimeSubtype.TIME:
            return _format_time(dt.time.fromisoformat(text), component.time_serializing_format), None
        moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None, code
    if component.time_serializing_format == "no_timezone":
        moment = moment.replace(tzinfo=None)
    elif component.time_serializing_format == "utc_normalized" and moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return _iso(moment.isoformat(timespec="seconds" if moment.second else "minutes")), None


def _parse_date(text: str) -> dt.date:
    match = _DUTCH_DATE.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return dt.date(year, month, day)
    if len(text) != 10:
        # date.fromisoformat also reads "20240102" and week dates; people do not type those.
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def _format_time(value: dt.time, serializing: str) -> str:
    if serializing == "no_timezone":
        value = value.replace(tzinfo=None)
    elif serializing == "utc_normalized" and value.tzinfo is not None:
        offset = value.utcoffset() or dt.timedelta(0)
        moment = dt.datetime.combine(dt.date(2000, 1, 1), value) - offset
        value = moment.time().replace(tzinfo=dt.UTC)
    return _iso(value.isoformat(timespec="seconds" if value.second else "minutes"))


def _iso(text: str) -> str:
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def option_key(value: Any) -> str:
    """A comparable text for an option value: HTML posts ``"1"`` for the option ``1``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return str(value)
        if number.is_finite() and abs(number.adjusted()) < 30:
            return format(number.normalize(), "f")
        return str(value)
    return str(value)
