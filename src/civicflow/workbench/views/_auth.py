"""Staff sign-in with local accounts: password, lockout, then a TOTP code when the account has one.

The session is not signed in until every step is right: after the password it only holds a
pending sign-in (the user's id and where to go next) for a few minutes. A pending sign-in goes
to the code page when the account has TOTP, or to enrolment when ``CIVICFLOW_STAFF_REQUIRE_TOTP``
is on and it has none. Every wrong password or code counts toward the lockout (``_signin``), and a
locked account or address gets the same message as a wrong password. OIDC comes with issue #11.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from civicflow.workbench._signin import clear_account, is_locked, record_failure
from civicflow.workbench._totp import enrolment, has_totp, provisioning_uri, verify
from civicflow.workbench.models import StaffTOTP

_PENDING = "workbench_pending_sign_in"
_PENDING_SECONDS = 300  # time to type the code after the password
_MAX_USERNAME = 150


def _username(request: HttpRequest) -> str:
    return str(request.POST.get("username", ""))[:_MAX_USERNAME]


def _finish(request: HttpRequest, user: Any, backend: str) -> None:
    """Sign the user in (Django rotates the session key), forgive their failures, bound the session."""
    login(request, user, backend=backend)
    clear_account(user.get_username())
    request.session.set_expiry(settings.WORKBENCH_SESSION_AGE)


def _pending(request: HttpRequest, step: str) -> tuple[Any, dict[str, Any]] | None:
    """The user of the session's pending sign-in at ``step`` ("code" or "enrol"), if still fresh."""
    pending = request.session.get(_PENDING)
    if not isinstance(pending, dict) or pending.get("step") != step:
        return None
    if time.time() - float(pending.get("at", 0)) > _PENDING_SECONDS:
        del request.session[_PENDING]
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return (user, pending) if user is not None else None


class SignInView(LoginView):
    template_name = "workbench/login.html"
    redirect_authenticated_user = True
    next_page = "workbench:index"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_locked(request, _username(request)):
            # as slow as a password check, and the same message: a lock reveals nothing
            make_password(str(request.POST.get("password", "")))
            form = AuthenticationForm(request)
            return self.render_to_response(self.get_context_data(form=form, sign_in_error=True))
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        # Django's ModelBackend already hashes the password once for an unknown username
        record_failure(self.request, _username(self.request))
        return self.render_to_response(self.get_context_data(form=form, sign_in_error=True))

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        backend = str(getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]))
        if has_totp(user):
            step = "code"
        elif settings.CIVICFLOW_STAFF_REQUIRE_TOTP and user.is_staff:
            step = "enrol"
        else:
            _finish(self.request, user, backend)
            return HttpResponseRedirect(self.get_success_url())
        self.request.session.cycle_key()
        self.request.session[_PENDING] = {
            "user": user.pk,
            "backend": backend,
            "step": step,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("workbench:sign_in_code" if step == "code" else "workbench:two_factor")


class SignOutView(LogoutView):
    next_page = "workbench:login"


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """Django admin's own login page would skip the lockout and the code: staff sign in here."""
    target = str(request.GET.get("next", "/admin/"))[:2000]
    return redirect(f"{reverse('workbench:login')}?{urlencode({'next': target})}")


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step: the code from the authenticator app."""
    found = _pending(request, "code")
    if found is None:
        return redirect("workbench:login")
    user, pending = found
    error = False
    if request.method == "POST":
        if is_locked(request, user.get_username()):
            del request.session[_PENDING]
            messages.error(request, _("Sign-in is not possible right now. Try again later."))
            return redirect("workbench:login")
        record = StaffTOTP.objects.get(user=user)
        if verify(record, str(request.POST.get("code", ""))):
            del request.session[_PENDING]
            _finish(request, user, pending["backend"])
            return HttpResponseRedirect(pending["next"])
        record_failure(request, user.get_username())
        error = True
    return render(request, "workbench/sign_in_code.html", {"error": error}, status=400 if error else 200)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn on TOTP: the secret as text and as an otpauth:// URI, confirmed with a first code.

    Signed-in staff come here from their account; with ``CIVICFLOW_STAFF_REQUIRE_TOTP`` a pending
    sign-in of an account without TOTP comes here after the password, and is signed in once the
    code is right.
    """
    pending: dict[str, Any] | None = None
    if request.user.is_authenticated:
        if not request.user.is_staff:
            raise PermissionDenied
        user: Any = request.user
    else:
        found = _pending(request, "enrol")
        if found is None:
            return redirect("workbench:login")
        user, pending = found
    record = enrolment(user)
    error = False
    if request.method == "POST" and record.confirmed is None:
        if verify(record, str(request.POST.get("code", ""))):
            if pending is not None:
                del request.session[_PENDING]
                _finish(request, user, pending["backend"])
                messages.success(request, _("Two-factor sign-in is on."))
                return HttpResponseRedirect(pending["next"])
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("workbench:two_factor")
        if pending is not None:
            record_failure(request, user.get_username())
        error = True
    context = {
        "record": record,
        "secret": " ".join(record.secret[i : i + 4] for i in range(0, len(record.secret), 4)),
        "uri": provisioning_uri(record, user.get_username()),
        "error": error,
    }
    return render(request, "workbench/two_factor.html", context, status=400 if error else 200)
