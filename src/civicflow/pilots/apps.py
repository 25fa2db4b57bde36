"""Django app configuration of pilots: a candidate process version on a share of new cases."""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["PilotsConfig"]


class PilotsConfig(AppConfig):
    name = "civicflow.pilots"
    label = "pilots"
    verbose_name = "CivicFlow pilots"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The runtime starts instances; it asks the routers registered with it which version a new
        # instance gets, so the runtime never imports this app (it sits one layer below).
        from civicflow.pilots.routing import route
        from civicflow.runtime.services import add_version_router

        add_version_router(route)
