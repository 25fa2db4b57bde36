"""Audit entries for API calls that read personal data or take a decision (issue #11).

The actor is a reference: ``token:<prefix>`` for a bearer token, ``user:<id>`` for a staff session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.request import Request

from civicflow.api.auth import TokenPrincipal
from civicflow.security import audit

__all__ = ["actor", "record"]


def actor(request: Request) -> str:
    """Who made the request, as a reference."""
    user = request.user
    if isinstance(user, TokenPrincipal):
        return f"token:{user.token.prefix}"
    return f"user:{getattr(user, 'pk', None)}"


def record(request: Request, action: str, obj: tuple[str, str], details: Mapping[str, Any] | None = None) -> None:
    """Append one entry for this request (in the request's transaction, if any)."""
    audit.record(actor=actor(request), action=action, obj=obj, details=details)
