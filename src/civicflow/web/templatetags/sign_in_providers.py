"""``{% sign_in_provider "staff" as provider %}``: the configured OpenID Connect provider, for sign-in buttons."""

from __future__ import annotations

from django import template

from civicflow.security.oidc import ProviderConfig, provider

register = template.Library()


@register.simple_tag
def sign_in_provider(kind: str) -> ProviderConfig | None:
    """The relying party of ``kind`` (``staff`` or ``citizen``), or None when it is not configured."""
    return provider(kind)
