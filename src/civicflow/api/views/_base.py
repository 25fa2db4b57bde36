"""The base of every API view: the request size limit and the catch-all 404."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from civicflow.api.errors import RequestTooLargeError

__all__ = ["ApiView", "NotFoundView", "PageQuerySerializer", "body", "body_limit", "need", "page", "query"]


def need(**actions: str) -> Mapping[str, str]:
    """The policy action each HTTP method of a view needs: ``need(GET="api_read", POST="deploy")``."""
    return MappingProxyType(actions)


def body_limit() -> int:
    limit: int = getattr(settings, "CIVICFLOW_API_MAX_BODY_BYTES", 10 * 1024 * 1024)
    return limit


class ApiView(APIView):
    """A view whose ``policy_actions`` maps each HTTP method to the action of
    ``civicflow.security.policy`` it needs (deny by default; docs/security.md).

    Callers are API tokens (``Authorization: Bearer``) or signed-in staff (the workbench's session,
    CSRF-checked on unsafe methods), each with the rights the policy gives their role (the classes
    are REST_FRAMEWORK's defaults in settings).
    """

    policy_actions: ClassVar[Mapping[str, str]] = MappingProxyType({})

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Checked before authentication and parsing: DRF streams bodies past Django's
        # DATA_UPLOAD_MAX_MEMORY_SIZE, and multipart files are not covered by it at all.
        raw = request.META.get("CONTENT_LENGTH") or "0"
        size = int(raw) if raw.isdigit() else 0
        limit = body_limit()
        if size > limit:
            raise RequestTooLargeError(
                f"the body has {size} bytes; at most {limit} are accepted", size=size, limit=limit
            )
        super().initial(request, *args, **kwargs)


@extend_schema(exclude=True)
class NotFoundView(ApiView):
    """Answers every unknown path under /api/v1/ with a 404 problem document."""

    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = ()

    def _missing(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.NotFound(f"no API resource at {request.path}")

    get = post = put = patch = delete = _missing


class PageQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1)
    limit = serializers.IntegerField(required=False, default=100, min_value=1, max_value=1000)


def query(request: Request, serializer: type[serializers.Serializer]) -> dict[str, Any]:  # type: ignore[type-arg]
    """The query parameters validated by ``serializer`` (a 400 problem with ``errors`` otherwise)."""
    checked = serializer(data=request.query_params)
    checked.is_valid(raise_exception=True)
    found: dict[str, Any] = dict(checked.validated_data)
    return found


def body(request: Request, serializer: type[serializers.Serializer]) -> dict[str, Any]:  # type: ignore[type-arg]
    """The request body validated by ``serializer``; a JSON body must be an object."""
    checked = serializer(data=request.data)
    checked.is_valid(raise_exception=True)
    found: dict[str, Any] = dict(checked.validated_data)
    return found


def page(items: Any, params: dict[str, Any]) -> Any:
    """One page of a queryset or list (``offset``/``limit`` from :class:`PageQuerySerializer`)."""
    start = params.get("offset", 0)
    return items[start : start + params.get("limit", 100)]
