"""Template context every page needs: the agency and the language switch."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from civicflow.web._agency import agency_from_settings


def web(request: HttpRequest) -> dict[str, Any]:
    current = get_language() or settings.LANGUAGE_CODE
    return {
        "agency": agency_from_settings(),
        # each language named in itself, so a reader who does not understand the page finds theirs
        "language_switch": [
            {"code": code, "name": name, "current": code == current} for code, name in settings.LANGUAGES
        ],
    }
