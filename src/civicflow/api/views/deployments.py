"""Deployments (multipart upload of .bpmn/.dmn/.form files) and process definitions."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from civicflow.api.serializers.deployments import (
    DeploymentSerializer,
    DeploymentUploadSerializer,
    ProcessDefinitionSerializer,
)
from civicflow.api.views._base import ApiView, PageQuerySerializer, body, need, page, query
from civicflow.runtime import services
from civicflow.runtime.errors import NotFoundError
from civicflow.runtime.models import Deployment, ProcessDefinition, Resource

__all__ = [
    "DefinitionDetail",
    "DefinitionList",
    "DefinitionXml",
    "DeploymentDetail",
    "DeploymentList",
    "ResourceContent",
]

_XML = OpenApiResponse(response=OpenApiTypes.STR, description="the file as deployed")


def _deployment(pk: int) -> Deployment:
    found = Deployment.objects.prefetch_related("resources", "processes", "decisions").filter(pk=pk).first()
    if found is None:
        raise NotFoundError(f"no deployment {pk}", kind="deployment", key=pk)
    return found


def _definition(pk: int) -> ProcessDefinition:
    found = ProcessDefinition.objects.filter(pk=pk).first()
    if found is None:
        raise NotFoundError(f"no process definition {pk}", kind="process definition", key=pk)
    return found


def _file(resource: Resource) -> HttpResponse:
    kind = "application/json" if resource.kind == "form" else "application/xml"
    response = HttpResponse(resource.content, content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{resource.name}"'
    return response


class DeploymentList(ApiView):
    policy_actions = need(GET="api_read", POST="deploy")
    parser_classes = (MultiPartParser,)

    @extend_schema(parameters=[PageQuerySerializer], responses=DeploymentSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = query(request, PageQuerySerializer)
        found = Deployment.objects.prefetch_related("resources", "processes", "decisions").order_by("-id")
        return Response(DeploymentSerializer(page(found, params), many=True).data)

    @extend_schema(request={"multipart/form-data": DeploymentUploadSerializer}, responses={201: DeploymentSerializer})
    def post(self, request: Request) -> Response:
        data = body(request, DeploymentUploadSerializer)
        files = [(f.name, f.read()) for f in data["files"]]
        result = services.deploy(files, name=data.get("name"))
        return Response(DeploymentSerializer(_deployment(result.deployment.pk)).data, status=201)


class DeploymentDetail(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(responses=DeploymentSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(DeploymentSerializer(_deployment(pk)).data)


class ResourceContent(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(responses={(200, "application/xml"): _XML})
    def get(self, request: Request, pk: int, resource: int) -> HttpResponse:
        found = Resource.objects.filter(pk=resource, deployment_id=pk).first()
        if found is None:
            raise NotFoundError(f"no resource {resource} in deployment {pk}", kind="resource", key=resource)
        return _file(found)


class DefinitionQuerySerializer(PageQuerySerializer):
    processId = serializers.CharField(required=False, max_length=255)  # noqa: N815 - JSON names are camelCase
    key = serializers.CharField(required=False, max_length=300)
    latest = serializers.BooleanField(required=False, default=False)


class DefinitionList(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(parameters=[DefinitionQuerySerializer], responses=ProcessDefinitionSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = query(request, DefinitionQuerySerializer)
        found: Any = ProcessDefinition.objects.order_by("process_id", "-version")
        if "processId" in params:
            found = found.filter(process_id=params["processId"])
        if "key" in params:
            found = found.filter(key=params["key"])
        if params["latest"]:
            found = [d for d in found if d == services.definition_for(d.process_id)]
        return Response(ProcessDefinitionSerializer(page(found, params), many=True).data)


class DefinitionDetail(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(responses=ProcessDefinitionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ProcessDefinitionSerializer(_definition(pk)).data)


class DefinitionXml(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(responses={(200, "application/xml"): _XML})
    def get(self, request: Request, pk: int) -> HttpResponse:
        return _file(_definition(pk).resource)
