"""Django app configuration of parties: one record per citizen and business across services (issue #13)."""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["PartiesConfig"]


class PartiesConfig(AppConfig):
    name = "civicflow.parties"
    label = "parties"
    verbose_name = "CivicFlow parties"
    default_auto_field = "django.db.models.BigAutoField"
