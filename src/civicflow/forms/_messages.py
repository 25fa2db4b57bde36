"""Validation messages in English and Dutch, keyed by stable codes.

The codes are the contract (the API returns them, tests assert on them); the texts follow the
GOV.UK pattern of saying what to do. ``{label}`` is the field's label in the same language.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

__all__ = ["LANGUAGES", "ErrorCode", "message"]


class ErrorCode(enum.StrEnum):
    """Why a submitted value was refused."""

    REQUIRED = "required"
    PATTERN = "pattern"
    EMAIL = "email"
    PHONE = "phone"
    MIN_LENGTH = "min_length"
    MAX_LENGTH = "max_length"
    TOO_LONG = "too_long"
    MIN = "min"
    MAX = "max"
    DECIMAL_DIGITS = "decimal_digits"
    INCREMENT = "increment"
    NUMBER = "number"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    DATE_PASSED = "date_passed"
    TYPE = "type"
    CHOICE = "choice"
    MIN_ITEMS = "min_items"
    MAX_ITEMS = "max_items"
    FILE_TYPE = "file_type"
    FILE_SIZE = "file_size"
    FILE_COUNT = "file_count"
    FILE_CONTENT = "file_content"


_TEXTS: Mapping[ErrorCode, tuple[str, str]] = {
    ErrorCode.REQUIRED: ("Enter {label}", "Vul {label} in"),
    ErrorCode.PATTERN: ("{label} is not in the right format", "{label} heeft niet de juiste vorm"),
    ErrorCode.EMAIL: (
        "Enter an email address in the right format, like name@example.com",
        "Vul een e-mailadres in de juiste vorm in, zoals naam@voorbeeld.nl",
    ),
    ErrorCode.PHONE: (
        "Enter a telephone number, like 01632 960 001 or +31 20 123 4567",
        "Vul een telefoonnummer in, zoals 020 123 4567 of +31 20 123 4567",
    ),
    ErrorCode.MIN_LENGTH: (
        "{label} must be {limit} characters or more",
        "{label} moet {limit} tekens of meer hebben",
    ),
    ErrorCode.MAX_LENGTH: (
        "{label} must be {limit} characters or fewer",
        "{label} mag {limit} tekens of minder hebben",
    ),
    ErrorCode.TOO_LONG: ("{label} is too long", "{label} is te lang"),
    ErrorCode.MIN: ("{label} must be {limit} or more", "{label} moet {limit} of meer zijn"),
    ErrorCode.MAX: ("{label} must be {limit} or less", "{label} mag {limit} of minder zijn"),
    ErrorCode.DECIMAL_DIGITS: (
        "{label} can have at most {limit} digits after the decimal point",
        "{label} mag ten hoogste {limit} cijfers achter de komma hebben",
    ),
    ErrorCode.INCREMENT: ("{label} must be a multiple of {limit}", "{label} moet een veelvoud van {limit} zijn"),
    ErrorCode.NUMBER: ("{label} must be a number", "{label} moet een getal zijn"),
    ErrorCode.DATE: (
        "{label} must be a real date, like 2025-03-27",
        "{label} moet een bestaande datum zijn, zoals 2025-03-27",
    ),
    ErrorCode.TIME: ("{label} must be a real time, like 14:30", "{label} moet een bestaande tijd zijn, zoals 14:30"),
    ErrorCode.DATETIME: (
        "{label} must be a real date and time, like 2025-03-27T14:30",
        "{label} moet een bestaande datum en tijd zijn, zoals 2025-03-27T14:30",
    ),
    ErrorCode.DATE_PASSED: ("{label} must be today or in the future", "{label} moet vandaag of later zijn"),
    ErrorCode.TYPE: ("{label} has a value of the wrong kind", "{label} heeft een waarde van de verkeerde soort"),
    ErrorCode.CHOICE: ("Select {label} from the list", "Kies {label} uit de lijst"),
    ErrorCode.MIN_ITEMS: ("Add at least {limit} to {label}", "Voeg ten minste {limit} toe aan {label}"),
    ErrorCode.MAX_ITEMS: ("Add at most {limit} to {label}", "Voeg ten hoogste {limit} toe aan {label}"),
    ErrorCode.FILE_TYPE: (
        "The selected file must be {limit}",
        "Het gekozen bestand moet {limit} zijn",
    ),
    ErrorCode.FILE_SIZE: (
        "The selected file must be smaller than {limit}",
        "Het gekozen bestand moet kleiner zijn dan {limit}",
    ),
    ErrorCode.FILE_COUNT: ("Select at most {limit} files", "Kies ten hoogste {limit} bestanden"),
    ErrorCode.FILE_CONTENT: (
        "The selected file {limit} is not the kind of file its name says it is",
        "Het gekozen bestand {limit} is niet het soort bestand dat de naam aangeeft",
    ),
}

LANGUAGES = ("en", "nl")


def message(code: ErrorCode, language: str, *, label: str, limit: object = "") -> str:
    """The message for ``code`` in ``language`` (English when the language is not known)."""
    english, dutch = _TEXTS[code]
    template = dutch if language.split("-", 1)[0].lower() == "nl" else english
    if not template.startswith("{label}") and len(label) > 1 and not label[1].isupper():
        # Mid-sentence a label reads in lower case ("Enter full name"); acronyms ("BSN") stay.
        label = label[0].lower() + label[1:]
    text = template.format(label=label, limit=limit)
    return text[:1].upper() + text[1:]
