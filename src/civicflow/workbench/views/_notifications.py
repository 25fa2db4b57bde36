"""The "email me when work arrives" switch on the inbox (a POST form: works without JavaScript)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicflow.workbench._access import requires
from civicflow.workbench._digest import opt_in, opt_out
from civicflow.workbench.models import WorkNotification
from civicflow.workbench.views._common import language


def notify_me(user: Any) -> bool:
    """Whether ``user`` asked for digests."""
    return WorkNotification.objects.filter(user=user, enabled=True).exists()


@require_POST
@requires("view_inbox")
def work_notifications(request: HttpRequest) -> HttpResponse:
    if request.POST.get("enabled") == "1":
        if not request.user.email:  # type: ignore[union-attr]
            messages.error(request, _("Your account has no email address: ask an administrator to add one."))
            return redirect("workbench:index")
        opt_in(request.user, language(request))
        messages.success(request, _("We will email you when work arrives in your departments' queues."))
    else:
        opt_out(request.user)
        messages.success(request, _("We will not email you when work arrives."))
    return redirect("workbench:index")
