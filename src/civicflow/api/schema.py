"""OpenAPI additions: the bearer token scheme and the problem+json answers of every operation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

__all__ = ["TokenScheme", "add_problem_responses"]

_PROBLEM_STATUSES = {
    "400": "invalid request (problem+json; field errors in `errors`)",
    "401": "no, unknown or revoked API token",
    "403": "the token lacks the scope",
    "404": "unknown id",
    "405": "method not allowed",
    "409": "conflict with the current state",
    "413": "request body too large",
    "415": "unsupported media type",
    "422": "the content cannot be processed (BPMN/DMN/FEEL errors)",
    "429": "throttled",
    "500": "server error",
}


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "civicflow.api.auth.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "cf_<prefix>_<secret>"}


def add_problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation may answer any problem status."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = {
        "type": "object",
        "description": "RFC 9457 problem details",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
        "required": ["type", "title", "status", "detail", "instance"],
    }
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in _PROBLEM_STATUSES.items():
                operation["responses"].setdefault(status, {"description": description, "content": problem})
    return result
