"""The task page: the task's form (form-js, rendered on the server) and the case data."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicflow.forms import FieldError, Form, error_summary, render_model, unflatten, validate
from civicflow.runtime import services
from civicflow.runtime.errors import RuntimeServiceError
from civicflow.runtime.forms import form_for_key
from civicflow.runtime.models import TaskState, UserTask
from civicflow.security import audit
from civicflow.workbench._access import requires, visible_task
from civicflow.workbench.views._common import language
from civicflow.workbench.views._inbox import colleagues

_NOT_FORM_FIELDS = frozenset({"csrfmiddlewaretoken"})


def _display(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _page(
    request: HttpRequest,
    task: UserTask,
    form: Form | None,
    data: Any,
    *,
    errors: list[FieldError],
    variables: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    lang = language(request)
    groups = list(task.candidates.filter(kind="group").values_list("name", flat=True))
    context = {
        "task": task,
        "mine": task.assignee == request.user.get_username(),
        "open": task.state == TaskState.CREATED,
        "fields": render_model(form, data, errors, lang, variables=variables) if form is not None else None,
        "error_summary": error_summary(errors),
        "case_data": sorted((key, _display(value)) for key, value in variables.items()),
        "groups": groups,
        "colleagues": colleagues(request.user, groups),
    }
    return render(request, "workbench/task.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@requires("work_task")
def task(request: HttpRequest, task_id: int) -> HttpResponse:
    found = visible_task(request.user, task_id)
    variables = services.variables(found.instance_id)
    form = form_for_key(found.form_key)
    if request.method != "POST":
        # the page shows the case's variables: a read of personal data (names only in the trail)
        read = {"instance": str(found.instance_id)}
        audit.record(actor=f"user:{request.user.pk}", action="TaskViewed", obj=("task", str(found.pk)), details=read)
        return _page(request, found, form, variables, errors=[], variables=variables)
    me = request.user.get_username()
    if found.state != TaskState.CREATED or found.assignee != me:
        messages.error(request, _("Claim the task before you complete it."))
        return redirect(reverse("workbench:task", args=[found.pk]))
    values: dict[str, Any] = {}
    if form is not None:
        data, _rejected = unflatten({k: v for k, v in request.POST.lists() if k not in _NOT_FORM_FIELDS})
        result = validate(form, data, language=language(request), variables=variables)
        if result.errors:
            return _page(request, found, form, data, errors=list(result.errors), variables=variables, status=400)
        values = dict(result.values)
    try:
        with transaction.atomic():
            services.complete_task(found.pk, values, user=me)
            # the submitted values are in the runtime history; the trail names the fields only
            details = {"variable_names": sorted(values)}
            audit.record(
                actor=f"user:{request.user.pk}", action="TaskCompleted", obj=("task", str(found.pk)), details=details
            )
    except RuntimeServiceError:
        messages.error(request, _("The task could not be completed: it was changed by someone else."))
        return redirect(reverse("workbench:task", args=[found.pk]))
    messages.success(request, _("Task “%(name)s” completed.") % {"name": found.name or found.element_id})
    return redirect(reverse("workbench:index"))
