"""The Django admin under the authorization policy: only those the policy lets "admin" (system
administrators) use it, whatever their staff flag and model permissions say."""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from civicflow.security import policy

__all__ = ["PolicyAdminConfig", "PolicyAdminSite"]


class PolicyAdminSite(admin.AdminSite):
    """``admin.site``: ``has_permission`` is the policy's "admin" action."""

    def has_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "admin")

    def admin_view(self, view: Callable[..., HttpResponseBase], cacheable: bool = False) -> Callable[..., Any]:
        guarded = super().admin_view(view, cacheable)

        def refuse_the_signed_in(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            # Django sends everyone it refuses to the sign-in page, which sends a signed-in
            # caseworker straight back: they are refused (403) instead, anonymous visitors still sign in
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            response: HttpResponseBase = guarded(request, *args, **kwargs)
            return response

        return update_wrapper(refuse_the_signed_in, guarded)


class PolicyAdminConfig(AdminConfig):
    """In INSTALLED_APPS instead of ``django.contrib.admin``: makes ``admin.site`` a PolicyAdminSite."""

    default_site = "civicflow.site.admin.PolicyAdminSite"
