"""Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "civicflow.web"
    label = "civicflow_web"
    verbose_name = "CivicFlow web"

    def ready(self) -> None:
        from civicflow.web._agency import agency_from_settings

        # A brand colour the header text cannot be read on is a configuration error: fail at
        # start-up rather than serve pages that break WCAG contrast for every visitor.
        agency_from_settings()
