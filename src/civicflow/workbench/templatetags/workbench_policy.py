"""``user|may:"action"``: the menu shows only what the security policy lets the user do."""

from __future__ import annotations

from typing import Any

from django import template

from civicflow.security.policy import can

register = template.Library()


@register.filter
def may(user: Any, action: str) -> bool:
    return can(user, action)
