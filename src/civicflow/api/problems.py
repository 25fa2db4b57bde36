"""RFC 9457 problem details: the one place where errors become HTTP answers.

Every 4xx/5xx of the API is ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and ``instance`` (the request path), plus ``errors`` (field -> messages) for
validation failures. :func:`exception_handler` is DRF's ``EXCEPTION_HANDLER``; views raise
CivicFlow errors or DRF exceptions and never build error responses themselves.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

from civicflow.api.errors import LockExpiredError, LockLostError, RequestTooLargeError
from civicflow.api.tokens import InvalidScopeError
from civicflow.bpmn import BpmnError
from civicflow.dmn import DmnError, DmnUnknownDecision
from civicflow.errors import CivicFlowError
from civicflow.feel import FeelError
from civicflow.runtime.errors import (
    CommandRefusedError,
    ConcurrencyError,
    DeploymentError,
    MessageNotCorrelatedError,
    MigrationRefusedError,
    NotFoundError,
    TaskOwnershipError,
)

__all__ = ["PROBLEM_JSON", "exception_handler", "problem_response"]

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "https://civicflow.example/problems/"
_log = logging.getLogger("civicflow.api")

# (error class, status, type slug, title): the first matching row wins, so subclasses come first.
_CIVICFLOW: tuple[tuple[type[CivicFlowError], int, str, str], ...] = (
    (NotFoundError, 404, "not-found", "Not found"),
    (DmnUnknownDecision, 404, "not-found", "Not found"),
    (TaskOwnershipError, 409, "task-claimed", "Task claimed by someone else"),
    (ConcurrencyError, 409, "concurrent-change", "Concurrent change"),
    (MessageNotCorrelatedError, 409, "message-not-correlated", "Message not correlated"),
    (MigrationRefusedError, 409, "migration-refused", "Migration refused"),
    (CommandRefusedError, 409, "command-refused", "Command refused"),
    (LockLostError, 409, "lock-lost", "External task locked by another worker"),
    (LockExpiredError, 410, "lock-expired", "External task lock expired"),
    (RequestTooLargeError, 413, "request-too-large", "Request body too large"),
    (DeploymentError, 422, "deployment-invalid", "Deployment refused"),
    (DmnError, 422, "dmn-error", "Decision error"),
    (BpmnError, 422, "bpmn-error", "BPMN error"),
    (FeelError, 422, "feel-error", "FEEL error"),
    (InvalidScopeError, 400, "invalid-scope", "Invalid scope"),
)

_DRF_TYPES: dict[type[exceptions.APIException], tuple[str, str]] = {
    exceptions.ParseError: ("invalid-json", "Malformed request body"),
    exceptions.ValidationError: ("validation-error", "Invalid request"),
    exceptions.NotAuthenticated: ("unauthenticated", "Authentication required"),
    exceptions.AuthenticationFailed: ("unauthenticated", "Authentication failed"),
    exceptions.PermissionDenied: ("forbidden", "Forbidden"),
    exceptions.NotFound: ("not-found", "Not found"),
    exceptions.MethodNotAllowed: ("method-not-allowed", "Method not allowed"),
    exceptions.NotAcceptable: ("not-acceptable", "Not acceptable"),
    exceptions.UnsupportedMediaType: ("unsupported-media-type", "Unsupported media type"),
    exceptions.Throttled: ("throttled", "Too many requests"),
}


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    instance: str,
    *,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": _TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status, headers=headers, content_type=PROBLEM_JSON)


def _field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail flattened to ``{"field.sub": [messages]}``."""
    found: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in _field_errors(value, name).items():
                found.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                for field, messages in _field_errors(value, f"{prefix}[{index}]" if prefix else str(index)).items():
                    found.setdefault(field, []).extend(messages)
            else:
                found.setdefault(prefix or "non_field_errors", []).append(str(value))
    else:
        found.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return found


def _drf(exc: exceptions.APIException, path: str, context: dict[str, Any]) -> Response:
    slug, title = next(
        ((s, t) for cls, (s, t) in _DRF_TYPES.items() if isinstance(exc, cls)), ("error", "Request error")
    )
    headers: dict[str, str] = {}
    view = context.get("view")
    request = context.get("request")
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed) and view is not None:
        header = view.get_authenticate_header(request)
        if header:
            headers["WWW-Authenticate"] = header
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait) + 1)
    if isinstance(exc, exceptions.MethodNotAllowed) and view is not None:
        headers["Allow"] = ", ".join(view.allowed_methods)
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
    else:
        detail = str(exc.detail)
    return problem_response(exc.status_code, slug, title, detail, path, errors=errors, headers=headers)


def _civicflow(exc: CivicFlowError, path: str) -> Response:
    for cls, status, slug, title in _CIVICFLOW:
        if isinstance(exc, cls):
            errors = None
            if isinstance(exc, DeploymentError) and exc.diagnostics:
                errors = {exc.file or "files": list(exc.diagnostics)}
            elif isinstance(exc, MigrationRefusedError):
                errors = {"mapping": list(exc.reasons)}
            headers = {}
            if isinstance(exc, RequestTooLargeError):
                headers["Connection"] = "close"
            return problem_response(status, slug, title, str(exc), path, errors=errors, headers=headers or None)
    # a CivicFlow error we raise on purpose but have no row for: the request cannot be served
    return problem_response(400, "bad-request", "Request refused", str(exc), path)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF ``EXCEPTION_HANDLER``: every exception a view raises becomes a problem document."""
    request = context.get("request")
    path = request.get_full_path() if request is not None else ""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "not found")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "forbidden")
    if isinstance(exc, exceptions.APIException):
        return _drf(exc, path, context)
    if isinstance(exc, CivicFlowError):
        return _civicflow(exc, path)
    # anything else is our bug: log it with its traceback, answer without leaking internals
    _log.exception("unhandled error in %s", path)
    return problem_response(500, "internal-error", "Internal server error", "the server failed to answer", path)
