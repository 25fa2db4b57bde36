"""Process instances: start (idempotent), query, variables, cancel, modify, migrate."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from civicflow.api import _audit
from civicflow.api.serializers.common import VariablesField
from civicflow.api.serializers.instances import (
    CancelSerializer,
    InstanceSerializer,
    MigrateResultSerializer,
    MigrateSerializer,
    ModifySerializer,
    StartSerializer,
    VariablesSerializer,
)
from civicflow.api.views._base import ApiView, PageQuerySerializer, body, need, page, query
from civicflow.runtime import services
from civicflow.runtime.models import InstanceStatus, ProcessDefinition, ProcessInstance

__all__ = ["InstanceCancel", "InstanceDetail", "InstanceList", "InstanceMigrate", "InstanceModify", "InstanceVariables"]

_IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="the same key always answers the instance it first started (200 on replay)",
)


# The start endpoint is the hot path of the API (hundreds per second): building DRF serializers
# (a deep copy of their fields per instance) cost about as much CPU as the step's statements. A
# plain body takes the lean checks below; anything else (another type, a version, a null
# variable, text DRF would trim or refuse) goes through StartSerializer for its exact errors.
# The answer is built by hand; tests keep both equal to the serializers.
_DATETIME = serializers.DateTimeField()  # DRF's own datetime formatting (time zone, "Z")


def _plain_text(value: object) -> bool:
    """A string CharField(max_length=255) takes unchanged: not blank, not trimmed, no NUL or surrogate."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= 255
        and value == value.strip()
        and "\x00" not in value
        and not any("\ud800" <= c <= "\udfff" for c in value)
    )


def _start_body(request: Request) -> dict[str, Any]:
    """The validated start body: what ``body(request, StartSerializer)`` answers, faster when plain."""
    data = request.data
    if type(data) is dict and "version" not in data and _plain_text(data.get("processId")):
        variables = data.get("variables", {})
        optional = (data.get("businessKey"), data.get("startEvent"))
        if (
            type(variables) is dict
            and all(value is not None for value in variables.values())
            and all(value is None or _plain_text(value) for value in optional)
        ):
            found = {"processId": data["processId"], "variables": variables}
            for name in ("businessKey", "startEvent"):
                if name in data:
                    found[name] = data[name]
            return found
    return body(request, StartSerializer)


def _instance_json(instance: ProcessInstance) -> dict[str, Any]:
    """``InstanceSerializer(instance).data`` without a serializer (the instance's definition loaded)."""
    definition = instance.definition
    return {
        "id": str(instance.id),
        "definitionId": instance.definition_id,
        "definitionKey": definition.key,
        "processId": definition.process_id,
        "businessKey": instance.business_key,
        "status": instance.status,
        "hasIncident": bool(instance.has_incident),
        "started": _DATETIME.to_representation(instance.started),
        "ended": None if instance.ended is None else _DATETIME.to_representation(instance.ended),
    }


def _instance(pk: UUID) -> ProcessInstance:
    found: ProcessInstance = services.get_instance(pk)
    return found


class InstanceQuerySerializer(PageQuerySerializer):
    processId = serializers.CharField(required=False, max_length=255)  # noqa: N815 - JSON names are camelCase
    version = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=InstanceStatus.choices, required=False)
    businessKey = serializers.CharField(required=False, max_length=255)  # noqa: N815
    hasIncident = serializers.BooleanField(required=False, allow_null=True, default=None)  # noqa: N815


class InstanceList(ApiView):
    policy_actions = need(GET="api_read", POST="api_start")

    @extend_schema(parameters=[InstanceQuerySerializer], responses=InstanceSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = query(request, InstanceQuerySerializer)
        found = services.instances(
            process_id=params.get("processId"),
            version=params.get("version"),
            status=params.get("status"),
            business_key=params.get("businessKey"),
            has_incident=params.get("hasIncident"),
        )
        return Response(InstanceSerializer(page(found, params), many=True).data)

    @extend_schema(
        request=StartSerializer,
        parameters=[_IDEMPOTENCY],
        responses={201: InstanceSerializer, 200: OpenApiResponse(InstanceSerializer, description="replayed")},
    )
    def post(self, request: Request) -> Response:
        data = _start_body(request)
        key = request.headers.get("Idempotency-Key") or None
        if key is not None and len(key) > 255:
            raise serializers.ValidationError({"Idempotency-Key": ["at most 255 characters"]})
        replay = key is not None and ProcessInstance.objects.filter(idempotency_key=key).exists()
        instance = services.start_instance(
            data["processId"],
            version=data.get("version"),
            business_key=data.get("businessKey"),
            variables=data["variables"],
            idempotency_key=key,
            start_event=data.get("startEvent"),
        )
        # Answered from the row the step wrote (its definition attached), not re-read: the start
        # committed exactly these values, and a SELECT per start costs a round trip on the hot path.
        return Response(_instance_json(instance), status=200 if replay else 201)


class InstanceDetail(ApiView):
    policy_actions = need(GET="api_read")

    @extend_schema(responses=InstanceSerializer)
    def get(self, request: Request, pk: UUID) -> Response:
        return Response(InstanceSerializer(_instance(pk)).data)


class _VariablesOut(serializers.Serializer):  # type: ignore[type-arg]
    variables = VariablesField()


class InstanceVariables(ApiView):
    policy_actions = need(GET="api_read", PUT="api_manage")

    @extend_schema(responses=_VariablesOut)
    def get(self, request: Request, pk: UUID) -> Response:
        variables = services.variables(pk)
        # a read of personal data: the trail names the variables, never their values
        _audit.record(request, "VariablesRead", ("instance", str(pk)), {"variable_names": sorted(variables)})
        return Response({"variables": variables})

    @extend_schema(request=VariablesSerializer, responses=_VariablesOut)
    def put(self, request: Request, pk: UUID) -> Response:
        data = body(request, VariablesSerializer)
        _instance(pk)
        services.set_variables(pk, data["variables"])
        return Response({"variables": services.variables(pk)})


class InstanceCancel(ApiView):
    policy_actions = need(POST="api_manage")

    @extend_schema(request=CancelSerializer, responses=InstanceSerializer)
    def post(self, request: Request, pk: UUID) -> Response:
        data = body(request, CancelSerializer)
        _instance(pk)
        services.cancel_instance(pk, reason=data["reason"])
        return Response(InstanceSerializer(_instance(pk)).data)


class InstanceModify(ApiView):
    policy_actions = need(POST="api_manage")

    @extend_schema(request=ModifySerializer, responses=InstanceSerializer)
    def post(self, request: Request, pk: UUID) -> Response:
        data = body(request, ModifySerializer)
        _instance(pk)
        services.modify_instance(
            pk, activate=data["activate"], terminate=data["terminate"], variables=data["variables"] or None
        )
        return Response(InstanceSerializer(_instance(pk)).data)


def _definition_ref(ref: str) -> ProcessDefinition:
    found = ProcessDefinition.objects.filter(key=ref).first()
    if found is None and ref.isdigit():
        found = ProcessDefinition.objects.filter(pk=int(ref)).first()
    if found is None:
        raise serializers.ValidationError({"definition": [f"no process definition {ref!r}"]})
    return found


class InstanceMigrate(ApiView):
    policy_actions = need(POST="api_manage")

    @extend_schema(request=MigrateSerializer, responses=MigrateResultSerializer)
    def post(self, request: Request) -> Response:
        data = body(request, MigrateSerializer)
        source, target = _definition_ref(data["fromDefinition"]), _definition_ref(data["toDefinition"])
        migrated = services.migrate_instances(source, target, data["mapping"], instance_ids=data.get("instanceIds"))
        return Response({"migrated": [str(i) for i in migrated]})
