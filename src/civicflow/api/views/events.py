"""Messages (correlated with an optional time to live) and signals."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from civicflow.api.serializers.work import (
    CorrelateSerializer,
    CorrelationSerializer,
    SignalResultSerializer,
    SignalSerializer,
)
from civicflow.api.views._base import ApiView, body, need
from civicflow.runtime import services

__all__ = ["MessageCorrelate", "SignalBroadcast"]


class MessageCorrelate(ApiView):
    policy_actions = need(POST="api_start")

    @extend_schema(request=CorrelateSerializer, responses=CorrelationSerializer)
    def post(self, request: Request) -> Response:
        data = body(request, CorrelateSerializer)
        found = services.correlate_message(
            data["name"], data.get("correlationKey"), data["variables"], ttl=data.get("ttl")
        )
        result = {
            "instanceId": found.instance.pk if found.instance is not None else None,
            "started": found.started,
            "buffered": found.buffered is not None,
        }
        return Response(CorrelationSerializer(result).data)


class SignalBroadcast(ApiView):
    policy_actions = need(POST="api_start")

    @extend_schema(request=SignalSerializer, responses=SignalResultSerializer)
    def post(self, request: Request) -> Response:
        data = body(request, SignalSerializer)
        reached = services.broadcast_signal(data["name"], data["variables"])
        return Response(SignalResultSerializer({"instanceIds": [i.pk for i in reached]}).data)
