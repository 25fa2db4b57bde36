"""History: the events of an instance, and XES / OCEL 2.0 exports of instances."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from civicflow.api import _audit
from civicflow.api.exports import ocel_json, xes_xml
from civicflow.api.serializers.instances import HistoryEventSerializer
from civicflow.api.views._base import ApiView, PageQuerySerializer, need, page, query
from civicflow.runtime import services
from civicflow.runtime.errors import NotFoundError
from civicflow.runtime.models import ProcessDefinition, ProcessInstance

__all__ = ["DefinitionOcel", "DefinitionXes", "InstanceHistory", "InstanceOcel", "InstanceXes"]

_XES = OpenApiResponse(response=OpenApiTypes.STR, description="XES 1849-2016 event log")
_OCEL = OpenApiResponse(response=OpenApiTypes.OBJECT, description="OCEL 2.0 JSON event log")


def _one(request: Request, pk: UUID, log_format: str) -> list[ProcessInstance]:
    found = [services.get_instance(pk)]
    _audit.record(request, "HistoryExported", ("instance", str(pk)), {"format": log_format})
    return found


def _of_definition(request: Request, pk: int, log_format: str) -> list[ProcessInstance]:
    if not ProcessDefinition.objects.filter(pk=pk).exists():
        raise NotFoundError(f"no process definition {pk}", kind="process definition", key=pk)
    found = list(ProcessInstance.objects.filter(definition_id=pk).defer("state").order_by("started", "id"))
    # every instance's history at once: one entry for the export, naming how many cases it held
    details = {"format": log_format, "instances": len(found)}
    _audit.record(request, "HistoryExported", ("definition", str(pk)), details)
    return found


def _xes(instances: list[ProcessInstance], name: str) -> HttpResponse:
    response = HttpResponse(xes_xml(instances), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.xes"'
    return response


class InstanceHistory(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(parameters=[PageQuerySerializer], responses=HistoryEventSerializer(many=True))
    def get(self, request: Request, pk: UUID) -> Response:
        params = query(request, PageQuerySerializer)
        services.get_instance(pk)
        _audit.record(request, "HistoryRead", ("instance", str(pk)))  # history events carry variable values
        return Response(HistoryEventSerializer(page(services.history(pk), params), many=True).data)


class InstanceXes(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(responses={(200, "application/xml"): _XES})
    def get(self, request: Request, pk: UUID) -> HttpResponse:
        return _xes(_one(request, pk, "xes"), str(pk))


class InstanceOcel(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(responses=_OCEL)
    def get(self, request: Request, pk: UUID) -> Response:
        return Response(ocel_json(_one(request, pk, "ocel")))


class DefinitionXes(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(responses={(200, "application/xml"): _XES})
    def get(self, request: Request, pk: int) -> HttpResponse:
        return _xes(_of_definition(request, pk, "xes"), f"definition-{pk}")


class DefinitionOcel(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(responses=_OCEL)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ocel_json(_of_definition(request, pk, "ocel")))
