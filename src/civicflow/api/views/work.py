"""User tasks (work queues) and incidents."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from civicflow import forms
from civicflow.api.auth import authorize
from civicflow.api.models import ApiToken
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
from civicflow.runtime.forms import form_for_key
from civicflow.runtime.models import IncidentState, ProcessInstance, UserTask
from civicflow.security import policy

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


def _task(request: Request, pk: int, action: str) -> UserTask:
    """The task, if the policy lets the caller do ``action`` on it (another department's: 404)."""
    found: UserTask = services.get_task(pk)
    authorize(request, action, found)
    return found


def _session_user(request: Request) -> str | None:
    """The signed-in staff member (None for a token, an integration acting for the user it names):
    a session claims and completes as itself only."""
    if isinstance(request.auth, ApiToken):
        return None
    return str(request.user.get_username())


def _instance(task: UserTask) -> ProcessInstance:
    return ProcessInstance.objects.select_related("definition").get(pk=task.instance_id)


class TaskList(ApiView):
    policy_actions = need(GET="view_task")

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
        if policy.scope(request.user, "view_task") is policy.Scope.DEPARTMENT:
            found = found.filter(policy.task_visibility(request.user))
        found = found.prefetch_related("candidates")
        return Response(UserTaskSerializer(page(found, params), many=True).data)


class TaskDetail(ApiView):
    policy_actions = need(GET="view_task")

    @extend_schema(responses=UserTaskSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(UserTaskSerializer(_task(request, pk, "view_task")).data)


class TaskClaim(ApiView):
    policy_actions = need(POST="work_task")

    @extend_schema(request=ClaimSerializer, responses=UserTaskSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _task(request, pk, "work_task")  # before the body: another department's task is not revealed by a 400
        data = body(request, ClaimSerializer)
        services.claim_task(pk, _session_user(request) or data["user"])
        return Response(UserTaskSerializer(services.get_task(pk)).data)


class TaskUnclaim(ApiView):
    policy_actions = need(POST="work_task")

    @extend_schema(request=UnclaimSerializer, responses=UserTaskSerializer)
    def post(self, request: Request, pk: int) -> Response:
        _task(request, pk, "work_task")
        data = body(request, UnclaimSerializer)
        services.unclaim_task(pk, _session_user(request) or data.get("user"))
        return Response(UserTaskSerializer(services.get_task(pk)).data)


def validate_form(task: UserTask, variables: dict[str, object], language: str = "en") -> dict[str, object]:
    """Validate a task submission against its deployed form; return the values to complete with.

    Values are coerced as the form declares them; fields the form does not have, hidden by a
    condition, or readonly are dropped (a client cannot set them). Errors answer 400 with one
    entry per field path. A form key with no deployed form leaves the submission as it is, as
    Camunda does for external form keys.
    """
    form = form_for_key(task.form_key)
    if form is None:
        return variables
    result = forms.validate(form, variables, language=language, variables=services.variables(task.instance_id))
    if result.errors:
        raise exceptions.ValidationError({error.name: [error.message] for error in result.errors})
    return dict(result.values)


class TaskComplete(ApiView):
    policy_actions = need(POST="work_task")

    @extend_schema(request=CompleteTaskSerializer, responses=InstanceSerializer)
    def post(self, request: Request, pk: int) -> Response:
        task = _task(request, pk, "work_task")
        data = body(request, CompleteTaskSerializer)
        variables = data["variables"]
        if task.form_key:
            variables = validate_form(task, variables, request.LANGUAGE_CODE or "en")
        services.complete_task(pk, variables, user=_session_user(request) or data.get("user"))
        return Response(InstanceSerializer(_instance(task)).data)


class IncidentQuerySerializer(PageQuerySerializer):
    state = serializers.ChoiceField(choices=IncidentState.choices, required=False, allow_null=True, default="open")
    instanceId = serializers.UUIDField(required=False)  # noqa: N815 - camelCase JSON


class IncidentList(ApiView):
    policy_actions = need(GET="view_incidents")

    @extend_schema(parameters=[IncidentQuerySerializer], responses=IncidentSerializer(many=True))
    def get(self, request: Request) -> Response:
        params = query(request, IncidentQuerySerializer)
        found = services.incidents(state=params.get("state"), instance_id=params.get("instanceId"))
        return Response(IncidentSerializer(page(found, params), many=True).data)


class IncidentRetry(ApiView):
    policy_actions = need(POST="retry_incident")

    @extend_schema(request=RetrySerializer, responses=InstanceSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = body(request, RetrySerializer)
        instance = services.retry_incident(pk, retries=data["retries"])
        return Response(
            InstanceSerializer(ProcessInstance.objects.select_related("definition").get(pk=instance.pk)).data
        )
