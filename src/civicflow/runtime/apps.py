"""Django app configuration of the durable runtime."""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["RuntimeConfig"]


class RuntimeConfig(AppConfig):
    name = "civicflow.runtime"
    label = "runtime"
    verbose_name = "CivicFlow runtime"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # the reference services' own job types (issue-document, audit-access) run in-process
        from civicflow.runtime import reference_handlers  # noqa: F401
