"""Django app configuration of the security layer (the audit trail's tables)."""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["SecurityConfig"]


class SecurityConfig(AppConfig):
    name = "civicflow.security"
    label = "security"
    verbose_name = "CivicFlow security"
    default_auto_field = "django.db.models.BigAutoField"
