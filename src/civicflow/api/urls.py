"""Routes of REST API v1 (mounted at /api/v1/ by civicflow.site.urls)."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from civicflow.api.views import deployments, instances
from civicflow.api.views._base import NotFoundView

app_name = "api"

urlpatterns = [
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("deployments", deployments.DeploymentList.as_view(), name="deployments"),
    path("deployments/<int:pk>", deployments.DeploymentDetail.as_view(), name="deployment"),
    path("deployments/<int:pk>/resources/<int:resource>/content", deployments.ResourceContent.as_view()),
    path("process-definitions", deployments.DefinitionList.as_view(), name="definitions"),
    path("process-definitions/<int:pk>", deployments.DefinitionDetail.as_view(), name="definition"),
    path("process-definitions/<int:pk>/xml", deployments.DefinitionXml.as_view(), name="definition-xml"),
    path("process-instances", instances.InstanceList.as_view(), name="instances"),
    path("process-instances/migrate", instances.InstanceMigrate.as_view(), name="migrate"),
    path("process-instances/<uuid:pk>", instances.InstanceDetail.as_view(), name="instance"),
    path("process-instances/<uuid:pk>/variables", instances.InstanceVariables.as_view(), name="variables"),
    path("process-instances/<uuid:pk>/cancel", instances.InstanceCancel.as_view(), name="cancel"),
    path("process-instances/<uuid:pk>/modify", instances.InstanceModify.as_view(), name="modify"),
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
