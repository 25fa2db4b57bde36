"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "civicflow.workbench"
    label = "civicflow_workbench"
    verbose_name = "CivicFlow workbench"
    default_auto_field = "django.db.models.BigAutoField"
