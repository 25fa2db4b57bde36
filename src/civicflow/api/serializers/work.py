"""User tasks, external tasks, incidents, messages, signals and decisions."""

from __future__ import annotations

from rest_framework import serializers

from civicflow.api.serializers.common import ProblemSerializer, VariablesField
from civicflow.runtime.models import Incident, UserTask

__all__ = [
    "BpmnErrorSerializer",
    "ClaimSerializer",
    "CompleteExternalSerializer",
    "CompleteManyResultSerializer",
    "CompleteManySerializer",
    "CompleteTaskSerializer",
    "CorrelateSerializer",
    "CorrelationSerializer",
    "EvaluateSerializer",
    "ExtendLockSerializer",
    "ExternalTaskSerializer",
    "FailureSerializer",
    "FetchAndLockSerializer",
    "IncidentSerializer",
    "RetrySerializer",
    "SignalResultSerializer",
    "SignalSerializer",
    "UnclaimSerializer",
    "UserTaskSerializer",
    "WorkerSerializer",
]

# JSON names are camelCase (Camunda's REST API, which integrators know): N815 is off below.
# ruff: noqa: N815


class UserTaskSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    instanceId = serializers.UUIDField(source="instance_id")
    elementId = serializers.CharField(source="element_id")
    processId = serializers.CharField(source="process_id")
    followUp = serializers.DateTimeField(source="follow_up", allow_null=True)
    formKey = serializers.CharField(source="form_key", allow_null=True)
    candidateGroups = serializers.SerializerMethodField()
    candidateUsers = serializers.SerializerMethodField()

    class Meta:
        model = UserTask
        fields = (
            "id",
            "instanceId",
            "elementId",
            "processId",
            "name",
            "assignee",
            "candidateGroups",
            "candidateUsers",
            "due",
            "followUp",
            "priority",
            "formKey",
            "state",
            "created",
        )

    def get_candidateGroups(self, task: UserTask) -> list[str]:  # noqa: N802 - named by DRF after the field
        return sorted(c.name for c in task.candidates.all() if c.kind == "group")

    def get_candidateUsers(self, task: UserTask) -> list[str]:  # noqa: N802
        return sorted(c.name for c in task.candidates.all() if c.kind == "user")


class ClaimSerializer(serializers.Serializer):  # type: ignore[type-arg]
    user = serializers.CharField(max_length=255)


class UnclaimSerializer(serializers.Serializer):  # type: ignore[type-arg]
    user = serializers.CharField(max_length=255, required=False, allow_null=True)


class CompleteTaskSerializer(serializers.Serializer):  # type: ignore[type-arg]
    variables = VariablesField()
    user = serializers.CharField(max_length=255, required=False, allow_null=True)


class TopicSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=255)
    lockDuration = serializers.IntegerField(min_value=1, max_value=86_400_000, help_text="milliseconds")


class FetchAndLockSerializer(serializers.Serializer):  # type: ignore[type-arg]
    workerId = serializers.CharField(max_length=200)
    topics = serializers.ListField(child=TopicSerializer(), min_length=1, max_length=50)
    maxTasks = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    asyncResponseTimeout = serializers.IntegerField(
        min_value=0, max_value=60_000, default=0, help_text="long polling: milliseconds to wait for a task"
    )


class ExternalTaskSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    topic = serializers.CharField()
    workerId = serializers.CharField(allow_blank=True)
    lockExpiresAt = serializers.DateTimeField(allow_null=True)
    retries = serializers.IntegerField()
    attempts = serializers.IntegerField()
    instanceId = serializers.UUIDField()
    elementId = serializers.CharField()
    variables = VariablesField()


class WorkerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    workerId = serializers.CharField(max_length=200)


class ExtendLockSerializer(WorkerSerializer):
    newDuration = serializers.IntegerField(min_value=1, max_value=86_400_000, help_text="milliseconds from now")


class CompleteExternalSerializer(WorkerSerializer):
    variables = VariablesField()


class _CompleteItemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    variables = VariablesField()


class CompleteManySerializer(WorkerSerializer):
    tasks = serializers.ListField(child=_CompleteItemSerializer(), min_length=1, max_length=1000)

    def validate_tasks(self, value: list[dict[str, object]]) -> list[dict[str, object]]:
        ids = [item["id"] for item in value]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("each task id at most once")
        return value


class _CompleteOutcomeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    status = serializers.IntegerField(help_text="204 when completed, else the status of `problem`")
    problem = ProblemSerializer(required=False, help_text="why this task was not completed (RFC 9457)")


class CompleteManyResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    results = serializers.ListField(child=_CompleteOutcomeSerializer(), help_text="one per task, in request order")


class FailureSerializer(WorkerSerializer):
    errorMessage = serializers.CharField(max_length=10_000)
    retries = serializers.IntegerField(min_value=0, max_value=1000)
    retryTimeout = serializers.IntegerField(min_value=0, max_value=86_400_000, default=0, help_text="milliseconds")


class BpmnErrorSerializer(WorkerSerializer):
    errorCode = serializers.CharField(max_length=255)
    errorMessage = serializers.CharField(max_length=10_000, required=False, default="", allow_blank=True)
    variables = VariablesField()


class IncidentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    instanceId = serializers.UUIDField(source="instance_id")
    elementId = serializers.CharField(source="element_id")

    class Meta:
        model = Incident
        fields = ("id", "instanceId", "elementId", "kind", "message", "state", "created", "resolved")


class RetrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    retries = serializers.IntegerField(min_value=1, max_value=1000, default=1)


class CorrelateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=255)
    correlationKey = serializers.CharField(max_length=255, required=False, allow_null=True)
    variables = VariablesField()
    ttl = serializers.DurationField(required=False, allow_null=True, help_text="ISO 8601 duration, e.g. PT1H")


class CorrelationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    instanceId = serializers.UUIDField(allow_null=True)
    started = serializers.BooleanField()
    buffered = serializers.BooleanField()


class SignalSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=255)
    variables = VariablesField()


class SignalResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    instanceIds = serializers.ListField(child=serializers.UUIDField())


class EvaluateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    inputs = VariablesField()
