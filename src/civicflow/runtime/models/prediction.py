"""Prediction tables: trained models (sealed) and the latest prediction of each running case.

Pages read :class:`CasePrediction` rows (one per running case, written by the worker), never the
model: the inbox joins them into its one page query. See docs/prediction.md.
"""

from __future__ import annotations

from django.db import models

__all__ = ["CasePrediction", "PredictionModel"]


class PredictionModel(models.Model):
    """A trained predictor of one service: HMAC-sealed pickle, what it learnt from, how well it did."""

    service = models.CharField(max_length=255)  # the process id
    version = models.PositiveIntegerField()  # 1, 2, ... per service
    trained_at = models.DateTimeField()
    cases = models.PositiveIntegerField()  # finished cases it learnt from
    prefixes = models.PositiveIntegerField()  # training samples (case prefixes)
    library = models.CharField(max_length=64)  # scikit-learn version it was pickled with
    metrics = models.JSONField(default=dict)  # the held-out evaluation (civicflow.prediction.Evaluation)
    blob = models.BinaryField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("service", "version"), name="runtime_predictionmodel_version"),)

    def __str__(self) -> str:
        return f"prediction model {self.service} v{self.version}"


class CasePrediction(models.Model):
    """The latest prediction for one running case (a root process instance)."""

    instance_id = models.UUIDField(primary_key=True)
    service = models.CharField(max_length=255)
    model_version = models.PositiveIntegerField()
    predicted_at = models.DateTimeField()
    remaining_seconds = models.FloatField()
    expected_end = models.DateTimeField()
    sla_risk = models.FloatField(null=True, blank=True)  # None: the service has no processing target
    overdue = models.BooleanField(default=False)  # already past its processing target
    reasons = models.JSONField(default=list)  # [{kind, subject, value, effect_hours}], largest effect first

    class Meta:
        indexes = (models.Index(fields=("service", "predicted_at"), name="runtime_casepred_service"),)

    def __str__(self) -> str:
        return f"prediction for {self.instance_id}"
