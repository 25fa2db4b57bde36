"""Routes of REST API v1 (mounted at /api/v1/ by civicflow.site.urls)."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from civicflow.api.views import decisions, deployments, events, external, history, instances, parties, pilots, work
from civicflow.api.views._base import NotFoundView

app_name = "api"

urlpatterns = [
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves Swagger UI's set-up script as a file (?script): no inline script for the CSP
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("deployments", deployments.DeploymentList.as_view(), name="deployments"),
    path("deployments/<int:pk>", deployments.DeploymentDetail.as_view(), name="deployment"),
    path(
        "deployments/<int:pk>/resources/<int:resource>/content",
        deployments.ResourceContent.as_view(),
        name="resource-content",
    ),
    path("process-definitions", deployments.DefinitionList.as_view(), name="definitions"),
    path("process-definitions/<int:pk>", deployments.DefinitionDetail.as_view(), name="definition"),
    path("process-definitions/<int:pk>/xml", deployments.DefinitionXml.as_view(), name="definition-xml"),
    path("process-instances", instances.InstanceList.as_view(), name="instances"),
    path("process-instances/migrate", instances.InstanceMigrate.as_view(), name="migrate"),
    path("process-instances/<uuid:pk>", instances.InstanceDetail.as_view(), name="instance"),
    path("process-instances/<uuid:pk>/variables", instances.InstanceVariables.as_view(), name="variables"),
    path("process-instances/<uuid:pk>/cancel", instances.InstanceCancel.as_view(), name="cancel"),
    path("process-instances/<uuid:pk>/modify", instances.InstanceModify.as_view(), name="modify"),
    path("process-instances/<uuid:pk>/history", history.InstanceHistory.as_view(), name="history"),
    path("process-instances/<uuid:pk>/history/xes", history.InstanceXes.as_view(), name="history-xes"),
    path("process-instances/<uuid:pk>/history/ocel", history.InstanceOcel.as_view(), name="history-ocel"),
    path("process-definitions/<int:pk>/history/xes", history.DefinitionXes.as_view(), name="definition-xes"),
    path("process-definitions/<int:pk>/history/ocel", history.DefinitionOcel.as_view(), name="definition-ocel"),
    path("messages", events.MessageCorrelate.as_view(), name="messages"),
    path("signals", events.SignalBroadcast.as_view(), name="signals"),
    path("tasks", work.TaskList.as_view(), name="tasks"),
    path("tasks/<int:pk>", work.TaskDetail.as_view(), name="task"),
    path("tasks/<int:pk>/claim", work.TaskClaim.as_view(), name="task-claim"),
    path("tasks/<int:pk>/unclaim", work.TaskUnclaim.as_view(), name="task-unclaim"),
    path("tasks/<int:pk>/complete", work.TaskComplete.as_view(), name="task-complete"),
    path("external-tasks", external.ExternalList.as_view(), name="external-tasks"),
    path("external-tasks/fetch-and-lock", external.FetchAndLock.as_view(), name="fetch-and-lock"),
    path("external-tasks/complete", external.ExternalCompleteMany.as_view(), name="external-complete-many"),
    path("external-tasks/<int:pk>/extend-lock", external.ExternalExtendLock.as_view(), name="extend-lock"),
    path("external-tasks/<int:pk>/complete", external.ExternalComplete.as_view(), name="external-complete"),
    path("external-tasks/<int:pk>/failure", external.ExternalFailure.as_view(), name="external-failure"),
    path("external-tasks/<int:pk>/bpmn-error", external.ExternalBpmnError.as_view(), name="external-bpmn-error"),
    path("incidents", work.IncidentList.as_view(), name="incidents"),
    path("incidents/<int:pk>/retry", work.IncidentRetry.as_view(), name="incident-retry"),
    path("decision-definitions", decisions.DecisionList.as_view(), name="decisions"),
    path("decision-definitions/<str:ref>/evaluate", decisions.DecisionEvaluate.as_view(), name="decision-evaluate"),
    path("pilots", pilots.PilotList.as_view(), name="pilots"),
    path("pilots/<int:pk>", pilots.PilotDetail.as_view(), name="pilot"),
    path("pilots/<int:pk>/adopt", pilots.PilotAdopt.as_view(), name="pilot-adopt"),
    path("pilots/<int:pk>/stop", pilots.PilotStop.as_view(), name="pilot-stop"),
    path("parties", parties.PartyList.as_view(), name="parties"),
    path("parties/<uuid:pk>", parties.PartyDetail.as_view(), name="party"),
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
