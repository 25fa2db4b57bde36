"""The REST API as a Django app (its API token table lives here)."""

from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "civicflow.api"
    label = "api"
    verbose_name = "CivicFlow REST API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # registers the OpenAPI extension of the token authentication
        from civicflow.api import schema  # noqa: F401
