"""Train, store and apply the prediction models of the reference services (docs/prediction.md).

A model is trained per service from its finished cases (:func:`train_service`) and stored as a
:class:`PredictionModel` row: the predictor pickled and sealed with an HMAC key derived from the
installation's secret key (:func:`civicflow.prediction.seal`), so a blob is only unpickled when
this installation wrote it. :func:`refresh_service` writes one :class:`CasePrediction` per running
case; the pages read those rows. :func:`prediction_step` is the worker's schedule for both.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac

from civicflow.errors import ConfigurationError
from civicflow.kpi import parse_target
from civicflow.mining import BusinessCalendar
from civicflow.prediction import (
    OpenCases,
    Prediction,
    PredictionError,
    Predictor,
    TrainOptions,
    department_spans,
    moment_at,
    seal,
    train,
    unseal,
)
from civicflow.runtime.clock import current_clock
from civicflow.runtime.models import CasePrediction, InstanceStatus, PredictionModel, ProcessInstance
from civicflow.runtime.prediction_traces import departments_of, service_traces, spans
from civicflow.services import REFERENCE_SERVICES, ReferenceService, find

__all__ = [
    "PredictionSchedule",
    "latest_model",
    "predict_case",
    "prediction_step",
    "refresh_service",
    "schedule",
    "service_for",
    "train_service",
]

log = logging.getLogger("civicflow.prediction")

KEEP_MODELS: Final = 3  # versions kept per service (the newest); older rows are deleted
_SALT: Final = "civicflow.prediction.model"


def _key() -> bytes:
    # derived from SECRET_KEY: rotating the secret key invalidates stored models (the next
    # scheduled training replaces them), as it does sessions and signed links
    return salted_hmac(_SALT, "sealing key", algorithm="sha256").digest()


def service_for(key: str) -> ReferenceService:
    """The reference service with this id or process id; PredictionError if there is none."""
    found = find(key)
    if found is not None:
        return found
    known = ", ".join(service.id for service in REFERENCE_SERVICES)
    raise PredictionError(f"unknown service {key!r} (known: {known})")


def _options(service: ReferenceService, **overrides: Any) -> TrainOptions:
    calendar = BusinessCalendar.of(timezone=settings.TIME_ZONE, holidays=getattr(settings, "KPI_HOLIDAYS", ()))
    target = parse_target(service.kpis.processing_time, element=service.id)
    return TrainOptions(
        targets={service.process_id: target},
        departments=departments_of(service.process_id),
        calendar=calendar,
        **overrides,
    )


def train_service(service: ReferenceService, *, now: dt.datetime | None = None, **overrides: Any) -> PredictionModel:
    """Train, evaluate and store a new model version of ``service``, then refresh its predictions.

    ``overrides`` are :class:`~civicflow.prediction.TrainOptions` fields (``min_cases``,
    ``horizon``, ``train_fraction`` ...). PredictionError when there is too little history.
    """
    now = now or current_clock().now()
    traces = service_traces(service.process_id, started_before=now)
    trained = train(traces, now=now, options=_options(service, **overrides))
    import sklearn

    with transaction.atomic():
        last = PredictionModel.objects.filter(service=service.process_id).order_by("-version").first()
        row = PredictionModel.objects.create(
            service=service.process_id,
            version=(last.version + 1) if last else 1,
            trained_at=now,
            cases=trained.cases,
            prefixes=trained.prefixes,
            library=str(sklearn.__version__),
            metrics=trained.evaluation.as_dict() if trained.evaluation else {},
            blob=seal(trained.predictor, _key()),
        )
        stale = PredictionModel.objects.filter(service=service.process_id).order_by("-version")[KEEP_MODELS:]
        PredictionModel.objects.filter(pk__in=[m.pk for m in stale]).delete()
    refresh_service(service, now=now, model=(row, trained.predictor))
    return row


def latest_model(service: ReferenceService) -> tuple[PredictionModel, Predictor] | None:
    """The newest stored model of ``service`` that unseals with this installation's key."""
    row = PredictionModel.objects.filter(service=service.process_id).order_by("-version").first()
    if row is None:
        return None
    try:
        return row, unseal(bytes(row.blob), _key())
    except PredictionError as exc:
        log.warning(
            "stored prediction model refused",
            extra={"service": row.service, "version": row.version, "reason": str(exc)},
        )
        return None


def _predict(
    service: ReferenceService, predictor: Predictor, instance_ids: list[UUID] | None, now: dt.datetime
) -> list[tuple[str, Prediction]]:
    # every running case: their open activities are the departments' queues now
    running_ids = list(
        ProcessInstance.objects.filter(
            definition__process_id=service.process_id, parent__isnull=True, status=InstanceStatus.ACTIVE
        ).values_list("pk", flat=True)
    )
    running = [t for t in service_traces(service.process_id, instance_ids=running_ids) if t.ended is None]
    workload = OpenCases.of(spans(service.process_id), work=department_spans(running, predictor.space.departments))
    wanted = None if instance_ids is None else {str(pk) for pk in instance_ids}
    traces = [t for t in running if wanted is None or t.case_id in wanted]
    moments = [moment_at(trace, now) for trace in traces]
    return [(m.trace.case_id, p) for m, p in zip(moments, predictor.predict(moments, workload), strict=True)]


def _row(
    service: ReferenceService, version: int, case_id: str, prediction: Prediction, now: dt.datetime
) -> CasePrediction:
    return CasePrediction(
        instance_id=UUID(case_id),
        service=service.process_id,
        model_version=version,
        predicted_at=now,
        remaining_seconds=prediction.remaining.total_seconds(),
        expected_end=now + prediction.remaining,
        sla_risk=prediction.sla_risk,
        overdue=prediction.overdue,
        reasons=[reason.as_dict() for reason in prediction.reasons],
    )


def refresh_service(
    service: ReferenceService,
    *,
    now: dt.datetime | None = None,
    model: tuple[PredictionModel, Predictor] | None = None,
) -> int:
    """Predict every running case of ``service`` and replace its stored predictions; returns the count."""
    now = now or current_clock().now()
    model = model or latest_model(service)
    if model is None:
        return 0
    row, predictor = model
    rows = [_row(service, row.version, case_id, p, now) for case_id, p in _predict(service, predictor, None, now)]
    with transaction.atomic():
        # rows of cases that ended, and of the previous pass, go: one row per running case
        CasePrediction.objects.filter(service=service.process_id).delete()
        CasePrediction.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def predict_case(instance_id: UUID, *, now: dt.datetime | None = None) -> tuple[PredictionModel, Prediction]:
    """A fresh prediction for one running case; PredictionError if it is not running or has no model."""
    now = now or current_clock().now()
    instance = ProcessInstance.objects.select_related("definition").filter(pk=instance_id).first()
    if instance is None:
        raise PredictionError(f"no case {instance_id}")
    if instance.status != InstanceStatus.ACTIVE:
        raise PredictionError(f"case {instance_id} is {instance.status}: predictions are for running cases")
    service = service_for(instance.definition.process_id)
    model = latest_model(service)
    if model is None:
        raise PredictionError(
            f"no trained model for {service.id}: run 'civicflow predict train --service {service.id}'"
        )
    found = _predict(service, model[1], [instance_id], now)
    if not found:
        raise PredictionError(f"case {instance_id} is not a running root case")
    return model[0], found[0][1]


@dataclass(frozen=True, slots=True, kw_only=True)
class PredictionSchedule:
    """How often the worker retrains (hours) and refreshes running cases' predictions (minutes)."""

    retrain_hours: float
    refresh_minutes: float


def _number(name: str, default: str, low: float, high: float) -> float:
    text = os.environ.get(name, default)
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise ConfigurationError(f"{name} must be a number between {low:g} and {high:g} (got {text!r})")
    return value


def schedule() -> PredictionSchedule:
    """The schedule from ``CIVICFLOW_PREDICT_RETRAIN_HOURS`` and ``CIVICFLOW_PREDICT_REFRESH_MINUTES``."""
    return PredictionSchedule(
        retrain_hours=_number("CIVICFLOW_PREDICT_RETRAIN_HOURS", "24", 0, 24 * 365),
        refresh_minutes=_number("CIVICFLOW_PREDICT_REFRESH_MINUTES", "15", 1, 24 * 60),
    )


def prediction_step(now: dt.datetime | None = None) -> dict[str, str]:
    """One pass: retrain services whose model is older than the retrain interval (0: never), then
    refresh every service's predictions. Returns what happened per service (for logs and tests)."""
    now = now or current_clock().now()
    plan = schedule()
    done: dict[str, str] = {}
    for service in REFERENCE_SERVICES:
        newest = PredictionModel.objects.filter(service=service.process_id).order_by("-version").first()
        due = plan.retrain_hours > 0 and (
            newest is None or now - newest.trained_at >= dt.timedelta(hours=plan.retrain_hours)
        )
        if due:
            try:
                row = train_service(service, now=now)
            except PredictionError as exc:
                done[service.id] = f"not trained: {exc}"
                refresh_service(service, now=now)
                continue
            done[service.id] = f"trained version {row.version}"
            continue
        done[service.id] = f"refreshed {refresh_service(service, now=now)}"
    return done
