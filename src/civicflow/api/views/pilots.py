"""Pilots (issue #14): list and start, the status with both versions' comparison, adopt and stop.

Reading needs ``view_pilots`` (read or admin tokens), changing ``manage_pilots`` (admin tokens);
civicflow.pilots.service audits every change with the request's actor. Refusals (a pilot already
running, the same version twice, a rule that is not FEEL) are 409 problems; unknown processes,
versions and pilots 404 (civicflow.api.problems).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from civicflow.api._audit import actor
from civicflow.api.serializers.pilots import (
    AdoptResultSerializer,
    AdoptSerializer,
    PilotSerializer,
    PilotStartSerializer,
    PilotStatusSerializer,
)
from civicflow.api.views._base import ApiView, PageQuerySerializer, body, need, page, query
from civicflow.pilots import service as pilots
from civicflow.pilots.models import Pilot

__all__ = ["PilotAdopt", "PilotDetail", "PilotList", "PilotStop"]


def _status(pilot: Pilot) -> dict[str, Any]:
    comparison = pilots.compare(pilot)
    found = {
        "pilot": pilot,
        "summary": pilots.summary(pilot),
        "measures": None if comparison is None else comparison.measures,
    }
    data: dict[str, Any] = PilotStatusSerializer(found).data
    return data


class PilotList(ApiView):
    policy_actions = need(GET="view_pilots", POST="manage_pilots")

    @extend_schema(parameters=[PageQuerySerializer], responses=PilotSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = query(request, PageQuerySerializer)
        found = Pilot.objects.select_related("current", "candidate").order_by("-id")
        return Response(PilotSerializer(page(found, params), many=True).data)

    @extend_schema(request=PilotStartSerializer, responses={201: PilotSerializer})
    def post(self, request: Request) -> Response:
        data = body(request, PilotStartSerializer)
        started = pilots.start(
            data["processId"],
            candidate=data["candidateVersion"],
            current=data.get("currentVersion"),
            share=data["share"],
            rule=data["rule"],
            note=data["note"],
            actor=actor(request),
        )
        return Response(PilotSerializer(started).data, status=201)


class PilotDetail(ApiView):
    policy_actions = need(GET="view_pilots")

    @extend_schema(responses=PilotStatusSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_status(pilots.get(pk)))


class PilotAdopt(ApiView):
    policy_actions = need(POST="manage_pilots")

    @extend_schema(request=AdoptSerializer, responses={200: AdoptResultSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = body(request, AdoptSerializer)
        adopted, moved = pilots.adopt(pk, actor=actor(request), migrate=data.get("migrate"))
        return Response(AdoptResultSerializer({"pilot": adopted, "migrated": moved}).data)


class PilotStop(ApiView):
    policy_actions = need(POST="manage_pilots")

    @extend_schema(request=None, responses={200: PilotSerializer})
    def post(self, request: Request, pk: int) -> Response:
        return Response(PilotSerializer(pilots.stop(pk, actor=actor(request))).data)
