"""Sign in and out with Django's local accounts (OIDC comes with the security issue)."""

from __future__ import annotations

from django.contrib.auth.views import LoginView, LogoutView


class SignInView(LoginView):
    template_name = "workbench/login.html"
    redirect_authenticated_user = True
    next_page = "workbench:index"


class SignOutView(LogoutView):
    next_page = "workbench:login"
