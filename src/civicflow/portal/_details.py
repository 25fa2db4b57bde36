"""The citizen's contact details and preferences on "Your details": what the form accepts.

Every field is optional except the two preferences, but the channel the citizen picks must be one
we can use: "email" needs an address, "post" a postal address. Errors are one plain sentence per
field, in the page's language, in the order the fields appear (the error summary lists them so).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext

__all__ = ["CHANNELS", "FIELDS", "Details", "read_details"]

CHANNELS = ("email", "post", "portal")
FIELDS = ("name", "email", "phone", "address", "language", "channel")
MAX_NAME = 200
MAX_EMAIL = 254
MAX_ADDRESS = 300
# digits with the separators people write (spaces, dashes, brackets), an optional leading +
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{5,24}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Details:
    """What the form holds: contact details (stripped; "" for none) and the two preferences."""

    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    language: str = "en"
    channel: str = "email"


def _text(data: Mapping[str, str], name: str) -> str:
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _contact_errors(details: Details) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(details.name) > MAX_NAME:
        errors["name"] = gettext("Your name must be %(count)d characters or fewer") % {"count": MAX_NAME}
    if details.email:
        try:
            if len(details.email) > MAX_EMAIL:
                raise ValidationError("too long")
            validate_email(details.email)
        except ValidationError:
            errors["email"] = gettext("Enter an email address in the correct format, like name@example.com")
    if details.phone and not _PHONE.fullmatch(details.phone):
        errors["phone"] = gettext("Enter a telephone number, like 020 123 4567 or +31 20 123 4567")
    if len(details.address) > MAX_ADDRESS:
        errors["address"] = gettext("Your address must be %(count)d characters or fewer") % {"count": MAX_ADDRESS}
    return errors


def read_details(data: Mapping[str, str]) -> tuple[Details, dict[str, str]]:
    """The posted details and the errors by field name (empty when the details can be saved)."""
    languages = {code for code, _name in settings.LANGUAGES}
    details = Details(
        name=_text(data, "name"),
        email=_text(data, "email"),
        phone=_text(data, "phone"),
        address=_text(data, "address"),
        language=_text(data, "language"),
        channel=_text(data, "channel"),
    )
    errors = _contact_errors(details)
    if details.language not in languages:
        errors["language"] = gettext("Select the language we write to you in")
    if details.channel not in CHANNELS:
        errors["channel"] = gettext("Select how we contact you")
    elif details.channel == "email" and not details.email and "email" not in errors:
        errors["email"] = gettext("Enter your email address, or choose another way for us to contact you")
    elif details.channel == "post" and not details.address and "address" not in errors:
        errors["address"] = gettext("Enter your postal address, or choose another way for us to contact you")
    return details, {name: errors[name] for name in FIELDS if name in errors}
