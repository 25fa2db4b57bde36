"""Deployments, their resources, and process/decision definitions."""

from __future__ import annotations

from rest_framework import serializers

from civicflow.runtime.models import DecisionDefinition, Deployment, ProcessDefinition, Resource

__all__ = [
    "DecisionDefinitionSerializer",
    "DeploymentSerializer",
    "DeploymentUploadSerializer",
    "ProcessDefinitionSerializer",
    "ResourceSerializer",
]


class DeploymentUploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(required=False, max_length=200)
    files = serializers.ListField(
        child=serializers.FileField(), allow_empty=False, help_text=".bpmn, .dmn and .form files"
    )


class ResourceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    contentHash = serializers.CharField(source="content_hash")  # noqa: N815 - JSON names are camelCase

    class Meta:
        model = Resource
        fields = ("id", "name", "kind", "contentHash")


class ProcessDefinitionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    processId = serializers.CharField(source="process_id")  # noqa: N815
    deploymentId = serializers.IntegerField(source="deployment_id")  # noqa: N815
    resourceId = serializers.IntegerField(source="resource_id")  # noqa: N815

    class Meta:
        model = ProcessDefinition
        fields = ("id", "key", "processId", "version", "name", "deploymentId", "resourceId", "created")


class DecisionDefinitionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    decisionId = serializers.CharField(source="decision_id")  # noqa: N815
    modelName = serializers.CharField(source="model_name")  # noqa: N815
    deploymentId = serializers.IntegerField(source="deployment_id")  # noqa: N815
    resourceId = serializers.IntegerField(source="resource_id")  # noqa: N815

    class Meta:
        model = DecisionDefinition
        fields = ("id", "key", "decisionId", "version", "name", "modelName", "deploymentId", "resourceId", "created")


class DeploymentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    resources = ResourceSerializer(many=True, read_only=True)
    processes = ProcessDefinitionSerializer(many=True, read_only=True)
    decisions = DecisionDefinitionSerializer(many=True, read_only=True)

    class Meta:
        model = Deployment
        fields = ("id", "name", "created", "resources", "processes", "decisions")
