"""Deployments: the files deployed together and the definitions versioned from them."""

from __future__ import annotations

from django.db import models

__all__ = ["DecisionDefinition", "Deployment", "ProcessDefinition", "Resource", "ResourceKind"]


class ResourceKind(models.TextChoices):
    BPMN = "bpmn", "BPMN"
    DMN = "dmn", "DMN"
    FORM = "form", "form"


class Deployment(models.Model):
    """Files deployed together; their BPMN resources compile into one execution graph."""

    name = models.CharField(max_length=200)
    created = models.DateTimeField()

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return f"deployment {self.pk} {self.name}"


class Resource(models.Model):
    """One deployed file, kept verbatim with its SHA-256."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=8, choices=ResourceKind.choices)
    content = models.TextField()
    content_hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ("id",)
        constraints = (models.UniqueConstraint(fields=("deployment", "name"), name="runtime_resource_unique_name"),)

    def __str__(self) -> str:
        return self.name


class ProcessDefinition(models.Model):
    """A process of a deployment; a new version only when its file's content hash changes."""

    deployment = models.ForeignKey(Deployment, on_delete=models.PROTECT, related_name="processes")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="processes")
    process_id = models.CharField(max_length=255)
    version = models.PositiveIntegerField()
    key = models.CharField(max_length=300, unique=True)  # "process_id:version"
    name = models.CharField(max_length=255, blank=True, default="")
    content_hash = models.CharField(max_length=64)
    created = models.DateTimeField()

    class Meta:
        ordering = ("process_id", "version")
        constraints = (
            models.UniqueConstraint(fields=("process_id", "version"), name="runtime_process_unique_version"),
        )

    def __str__(self) -> str:
        return self.key


class DecisionDefinition(models.Model):
    """A DMN decision of a deployment, versioned per decision id like processes."""

    deployment = models.ForeignKey(Deployment, on_delete=models.PROTECT, related_name="decisions")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="decisions")
    decision_id = models.CharField(max_length=255)
    version = models.PositiveIntegerField()
    key = models.CharField(max_length=300, unique=True)
    name = models.CharField(max_length=255, blank=True, default="")
    model_name = models.CharField(max_length=255, blank=True, default="")
    content_hash = models.CharField(max_length=64)
    created = models.DateTimeField()

    class Meta:
        ordering = ("decision_id", "version")
        constraints = (
            models.UniqueConstraint(fields=("decision_id", "version"), name="runtime_decision_unique_version"),
        )

    def __str__(self) -> str:
        return self.key
