"""Django app of the connectors: models (webhooks, dead letters), admin, job handler wiring."""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["ConnectorsConfig"]


class ConnectorsConfig(AppConfig):
    name = "civicflow.connectors"
    label = "connectors"
    verbose_name = "Connectors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # service tasks of type http/email/publish/webhook/decision run as soon as the app loads
        from civicflow.connectors._handlers import install

        install()
