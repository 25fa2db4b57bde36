"""Process instances: start, the instance, variables, modification, migration, history."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from civicflow.api.serializers.common import VariablesField
from civicflow.runtime.models import HistoryEvent, InstanceStatus, ProcessInstance
from civicflow.runtime.personal import open_payload

__all__ = [
    "CancelSerializer",
    "HistoryEventSerializer",
    "InstanceSerializer",
    "MigrateResultSerializer",
    "MigrateSerializer",
    "ModifySerializer",
    "StartSerializer",
    "VariablesSerializer",
]


class StartSerializer(serializers.Serializer):  # type: ignore[type-arg]
    processId = serializers.CharField(max_length=255)  # noqa: N815 - JSON names are camelCase
    version = serializers.IntegerField(required=False, min_value=1)
    businessKey = serializers.CharField(required=False, max_length=255, allow_null=True)  # noqa: N815
    variables = VariablesField()
    startEvent = serializers.CharField(required=False, max_length=255, allow_null=True)  # noqa: N815


class InstanceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    definitionId = serializers.IntegerField(source="definition_id")  # noqa: N815
    definitionKey = serializers.CharField(source="definition.key")  # noqa: N815
    processId = serializers.CharField(source="definition.process_id")  # noqa: N815
    businessKey = serializers.CharField(source="business_key", allow_null=True)  # noqa: N815
    status = serializers.ChoiceField(choices=InstanceStatus.choices)
    hasIncident = serializers.BooleanField(source="has_incident")  # noqa: N815

    class Meta:
        model = ProcessInstance
        fields = (
            "id",
            "definitionId",
            "definitionKey",
            "processId",
            "businessKey",
            "status",
            "hasIncident",
            "started",
            "ended",
        )


class VariablesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    variables = VariablesField(required=True, default=serializers.empty)


class CancelSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(required=False, default="canceled", max_length=500)


class ModifySerializer(serializers.Serializer):  # type: ignore[type-arg]
    activate = serializers.ListField(child=serializers.CharField(max_length=255), required=False, default=list)
    terminate = serializers.ListField(child=serializers.CharField(max_length=255), required=False, default=list)
    variables = VariablesField()


class MigrateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    fromDefinition = serializers.CharField(help_text="definition key (process:version) or id")  # noqa: N815
    toDefinition = serializers.CharField(help_text="definition key (process:version) or id")  # noqa: N815
    mapping = serializers.DictField(child=serializers.CharField(max_length=255), required=False, default=dict)
    instanceIds = serializers.ListField(child=serializers.UUIDField(), required=False, allow_null=True)  # noqa: N815


class MigrateResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    migrated = serializers.ListField(child=serializers.UUIDField())


class HistoryEventSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    elementId = serializers.CharField(source="element_id", allow_null=True)  # noqa: N815
    payload = serializers.JSONField()

    class Meta:
        model = HistoryEvent
        fields = ("seq", "type", "elementId", "payload", "timestamp")

    def to_representation(self, instance: HistoryEvent) -> dict[str, Any]:
        # personal values are stored sealed: opened here, "erased" once their subject's key is shredded
        data: dict[str, Any] = super().to_representation(instance)
        data["payload"] = open_payload(data["payload"])
        return data
