"""Django app configuration of the security layer (the audit trail's tables)."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig

__all__ = ["SecurityConfig"]


class SecurityConfig(AppConfig):
    name = "civicflow.security"
    label = "security"
    verbose_name = "CivicFlow security"
    default_auto_field = "django.db.models.BigAutoField"

    def keyring(self) -> Any:
        """A new keyring for sealing personal data. The runtime, in the same layer, asks the app
        registry for it instead of importing this package (see civicflow.runtime.personal)."""
        from civicflow.security.sealed_values import Keyring

        return Keyring()
