"""Small helpers the workbench views share."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def back_to(request: HttpRequest, fallback: str) -> str:
    """The posted ``next`` when it is a local URL, else ``fallback`` (no open redirects)."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


def language(request: HttpRequest) -> str:
    return (getattr(request, "LANGUAGE_CODE", "") or "en").split("-")[0]
