"""Assess: conformance of a log against a deployed process model, with deviations on the diagram."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from civicflow.mining import ConformanceError
from civicflow.runtime.models import ProcessDefinition
from civicflow.workbench._access import requires
from civicflow.workbench._assess_conformance import MAX_STATES, MAX_VARIANTS, conformance
from civicflow.workbench.views._assess import source_of


def _percent(share: float) -> str:
    return f"{number_format(share * 100, decimal_pos=1)}%"


@require_safe
@requires("assess")
def assess_conformance(request: HttpRequest, source: str, ref: str) -> HttpResponse:
    found = source_of(request, source, ref)
    models = list(ProcessDefinition.objects.order_by("process_id", "-version")[:500])
    chosen_key = request.GET.get("model") or ""
    if not chosen_key and source == "processes":
        chosen_key = next((m.key for m in models if m.process_id == ref), "")
    context: dict[str, Any] = {
        "source": found,
        "models": models,
        "chosen": chosen_key,
        "result": None,
        "error_summary": [],
        "max_variants": MAX_VARIANTS,
        "max_states": MAX_STATES,
    }
    status = 200
    if chosen_key:
        definition = next((m for m in models if m.key == chosen_key), None)
        log = found.load()
        if log is None:
            raise Http404
        if definition is None:
            context["error_summary"] = [{"href": "#model", "text": _("Select a deployed process model")}]
            status = 400
        elif log.event_count == 0:
            context["empty"] = True
        else:
            try:
                result = conformance(found.digest, log, definition)
            except ConformanceError as exc:
                text = _("The model cannot be checked against: %(reason)s") % {"reason": exc}
                context["error_summary"] = [{"href": "#model", "text": text}]
                status = 400
            else:
                if not result["checked_cases"]:
                    context["unfinished"] = True
                    return render(request, "workbench/assess_conformance.html", context)
                context["result"] = result
                context["figures"] = {
                    "fitness": _percent(result["fitness"]),
                    "precision": _percent(result["precision"]),
                    "alignment_fitness": _percent(result["alignment_fitness"]),
                    "fitting_share": _percent(result["fitting_share"]),
                }
                marked = sorted({e for d in result["deviations"] for e in d["elements"]})
                # "active": the case page's diagram script marks these; this page styles them as deviations
                context["diagram"] = {"xml": definition.resource.content, "active": marked}
    return render(request, "workbench/assess_conformance.html", context, status=status)
