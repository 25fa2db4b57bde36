"""User tasks (work queues) and incidents."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from civicflow.api.serializers.instances import InstanceSerializer
from civicflow.api.serializers.work import (
    ClaimSerializer,
    CompleteTaskSerializer,
    IncidentSerializer,
    RetrySerializer,
    UnclaimSerializer,
    UserTaskSerializer,
)
from civicflow.api.views._base import ApiView, PageQuerySerializer, body, need, page, query
from civicflow.runtime import services
from civicflow.runtime.models import IncidentState, ProcessInstance, UserTask

__all__ = ["IncidentList", "IncidentRetry", "TaskClaim", "TaskComplete", "TaskDetail", "TaskList", "TaskUnclaim"]

_SORTS = {
    "priority": ("-priority", "due", "id"),
    "due": ("due", "-priority", "id"),
    "created": ("created", "id"),
    "-created": ("-created", "-id"),
}


class TaskQuerySerializer(PageQuerySerializer):
    candidateGroup = serializers.CharField(required=False, max_length=255)  # noqa: N815 - camelCase JSON
    candidateUser = serializers.CharField(required=False, max_length=255)  # noqa: N815
    assignee = serializers.CharField(required=False, max_length=255)
    unassigned = serializers.BooleanField(required=False, default=False)
    dueBefore = serializers.DateTimeField(required=False)  # noqa: N815
    priority = serializers.IntegerField(required=False, min_value=-(2**31), max_value=2**31 - 1)
    minPriority = serializers.IntegerField(required=False, min_value=-(2**31), max_value=2**31 - 1)  # noqa: N815
    instanceId = serializers.UUIDField(required=False)  # noqa: N815
    sort = serializers.ChoiceField(choices=sorted(_SORTS), required=False)


def _task(pk: int) -> UserTask:
    found: UserTask = services.get_task(pk)
    return found


def _instance(task: UserTask) -> ProcessInstance:
    return ProcessInstance.objects.select_related("definition").get(pk=task.instance_id)


class TaskList(ApiView):
    scopes = need(GET="read")

    @extend_schema(parameters=[TaskQuerySerializer], responses=UserTaskSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = query(request, TaskQuerySerializer)
        found = services.tasks(
            candidate_groups=[params["candidateGroup"]] if "candidateGroup" in params else None,
            candidate_user=params.get("candidateUser"),
            assignee=params.get("assignee"),
            unassigned=params["unassigned"],
            due_before=params.get("dueBefore"),
            instance_id=params.get("instanceId"),
        )
        if "priority" in params:
            found = found.filter(priority=params["priority"])
        if "minPriority" in params:
            found = found.filter(priority__gte=params["minPriority"])
        if "sort" in params:
            found = found.order_by(*_SORTS[params["sort"]])
        found = found.prefetch_related("candidates")
        return Response(UserTaskSerializer(page(found, params), many=True).data)


class TaskDetail(ApiView):
    scopes = need(GET="read")

    @extend_schema(responses=UserTaskSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(UserTaskSerializer(_task(pk)).data)


class TaskClaim(ApiView):
    scopes = need(POST="start")

    @extend_schema(request=ClaimSerializer, responses=UserTaskSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = body(request, ClaimSerializer)
        services.claim_task(pk, data["user"])
        return Response(UserTaskSerializer(_task(pk)).data)


class TaskUnclaim(ApiView):
    scopes = need(POST="start")

    @extend_schema(request=UnclaimSerializer, responses=UserTaskSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = body(request, UnclaimSerializer)
        services.unclaim_task(pk, data.get("user"))
        return Response(UserTaskSerializer(_task(pk)).data)


def validate_form(task: UserTask, variables: dict[str, object]) -> None:
    """The form validation hook of task completion.

    TODO(forms issue): when civicflow.forms offers a validator, validate ``variables`` against the
    deployed form ``task.form_key`` here and raise its error (mapped to 422 with field errors in
    problems.py). Until then every submission is accepted.
    """


class TaskComplete(ApiView):
    scopes = need(POST="start")

    @extend_schema(request=CompleteTaskSerializer, responses=InstanceSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = body(request, CompleteTaskSerializer)
        task = _task(pk)
        if task.form_key:
            validate_form(task, data["variables"])
        services.complete_task(pk, data["variables"], user=data.get("user"))
        return Response(InstanceSerializer(_instance(task)).data)


class IncidentQuerySerializer(PageQuerySerializer):
    state = serializers.ChoiceField(choices=IncidentState.choices, required=False, allow_null=True, default="open")
    instanceId = serializers.UUIDField(required=False)  # noqa: N815 - camelCase JSON


class IncidentList(ApiView):
    scopes = need(GET="read")

    @extend_schema(parameters=[IncidentQuerySerializer], responses=IncidentSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = query(request, IncidentQuerySerializer)
        found = services.incidents(state=params.get("state"), instance_id=params.get("instanceId"))
        return Response(IncidentSerializer(page(found, params), many=True).data)


class IncidentRetry(ApiView):
    scopes = need(POST="admin")

    @extend_schema(request=RetrySerializer, responses=InstanceSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = body(request, RetrySerializer)
        instance = services.retry_incident(pk, retries=data["retries"])
        return Response(
            InstanceSerializer(ProcessInstance.objects.select_related("definition").get(pk=instance.pk)).data
        )
