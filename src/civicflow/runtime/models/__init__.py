"""The runtime's tables, one module per concept."""

from civicflow.runtime.models.deployments import (
    DecisionDefinition,
    Deployment,
    ProcessDefinition,
    Resource,
    ResourceKind,
)
from civicflow.runtime.models.instances import HistoryEvent, InstanceStatus, ProcessInstance
from civicflow.runtime.models.kpi import KpiCase, KpiCursor, KpiIncident, KpiStage, KpiTask
from civicflow.runtime.models.messages import BufferedMessage, MessageSubscription, SignalSubscription
from civicflow.runtime.models.outbox import Outbox
from civicflow.runtime.models.prediction import CasePrediction, PredictionModel
from civicflow.runtime.models.work import Incident, IncidentState, Job, JobKind, TaskCandidate, TaskState, UserTask

__all__ = [
    "BufferedMessage",
    "CasePrediction",
    "DecisionDefinition",
    "Deployment",
    "HistoryEvent",
    "Incident",
    "IncidentState",
    "InstanceStatus",
    "Job",
    "JobKind",
    "KpiCase",
    "KpiCursor",
    "KpiIncident",
    "KpiStage",
    "KpiTask",
    "MessageSubscription",
    "Outbox",
    "PredictionModel",
    "ProcessDefinition",
    "ProcessInstance",
    "Resource",
    "ResourceKind",
    "SignalSubscription",
    "TaskCandidate",
    "TaskState",
    "UserTask",
]
