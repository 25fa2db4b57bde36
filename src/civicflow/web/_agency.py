"""The agency a CivicFlow installation is branded for, read from the settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings

from civicflow.errors import ConfigurationError

_HEX = re.compile(r"#[0-9a-fA-F]{6}")
# WCAG 2.2 SC 1.4.3: the header's white text needs 4.5:1 on the brand colour
_MIN_CONTRAST = 4.5


@dataclass(frozen=True, slots=True, kw_only=True)
class Agency:
    """Name, logo and brand colour shown on every page."""

    name: str
    logo_url: str
    brand_colour: str

    @property
    def logo_origin(self) -> str | None:
        """The scheme and host of an absolute logo URL, which the CSP must allow for images."""
        parts = urlsplit(self.logo_url)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
        return None


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1.0 to 21.0)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@cache
def _agency(name: str, logo_url: str, brand_colour: str) -> Agency:
    if not name.strip():
        raise ConfigurationError("CIVICFLOW_AGENCY_NAME must not be empty")
    if not _HEX.fullmatch(brand_colour):
        raise ConfigurationError(f"CIVICFLOW_BRAND_COLOUR must be a #rrggbb colour, not {brand_colour!r}")
    ratio = contrast_ratio(brand_colour, "#ffffff")
    if ratio < _MIN_CONTRAST:
        raise ConfigurationError(
            f"CIVICFLOW_BRAND_COLOUR {brand_colour} has a contrast of {ratio:.2f}:1 with the header's "
            f"white text; WCAG 2.2 AA needs at least {_MIN_CONTRAST}:1 (choose a darker colour)"
        )
    if logo_url and urlsplit(logo_url).scheme not in {"", "https"}:
        raise ConfigurationError(f"CIVICFLOW_AGENCY_LOGO_URL must be a path or an https URL, not {logo_url!r}")
    return Agency(name=name.strip(), logo_url=logo_url, brand_colour=brand_colour.lower())


def agency_from_settings() -> Agency:
    """The agency from the agency name, logo URL and brand colour settings."""
    return _agency(
        settings.CIVICFLOW_AGENCY_NAME,
        settings.CIVICFLOW_AGENCY_LOGO_URL,
        settings.CIVICFLOW_BRAND_COLOUR,
    )
