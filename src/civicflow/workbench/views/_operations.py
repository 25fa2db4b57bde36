"""Operations pages: open incidents with retry, and deployments with their validation report."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from civicflow.runtime import services
from civicflow.runtime.errors import DeploymentError, RuntimeServiceError
from civicflow.runtime.models import DecisionDefinition, ProcessDefinition
from civicflow.workbench._access import requires

MAX_FILES = 50
ACCEPTED = (".bpmn", ".dmn", ".form", ".form.json", ".xml")


@require_safe
@requires("view_incidents")
def incidents(request: HttpRequest) -> HttpResponse:
    found = services.incidents().select_related("instance__definition")[:500]
    return render(request, "workbench/incidents.html", {"incidents": found})


@require_POST
@requires("retry_incident")
def retry(request: HttpRequest, incident_id: int) -> HttpResponse:
    try:
        services.retry_incident(incident_id)
    except RuntimeServiceError:
        messages.error(request, _("The incident could not be retried: it is already resolved or gone."))
    else:
        messages.success(request, _("Incident retried."))
    return redirect(reverse("workbench:incidents"))


def _versions() -> dict[str, object]:
    return {
        "processes": ProcessDefinition.objects.select_related("deployment").order_by("process_id", "-version")[:500],
        "decisions": DecisionDefinition.objects.select_related("deployment").order_by("decision_id", "-version")[:500],
    }


@require_http_methods(["GET", "HEAD", "POST"])
@requires("deploy")
def deploy(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"error_summary": [], "report": None, "result": None}
    status = 200
    if request.method == "POST":
        files = request.FILES.getlist("files")
        if not files:
            context["error_summary"] = [{"href": "#files", "text": _("Select at least one .bpmn, .dmn or .form file")}]
        elif len(files) > MAX_FILES or any(not f.name.lower().endswith(ACCEPTED) for f in files):
            text = _("Select up to %(count)d files ending in .bpmn, .dmn or .form") % {"count": MAX_FILES}
            context["error_summary"] = [{"href": "#files", "text": text}]
        else:
            try:
                context["result"] = services.deploy(
                    [(f.name, f.read()) for f in files], name=f"workbench:{request.user.get_username()}"
                )
            except DeploymentError as exc:
                context["report"] = exc
                refused = _("The deployment was refused: nothing was stored")
                context["error_summary"] = [{"href": "#report", "text": refused}]
        status = 400 if context["error_summary"] else 200
    context.update(_versions())
    return render(request, "workbench/deploy.html", context, status=status)
