"""Assess: process mining in the workbench (process map, bottlenecks, rework, handovers, durations).

A log is either the engine's history of a deployed process (``processes/<process id>``) or a
file uploaded in this session (``logs/<digest>``). Analyses are computed once per log content and
cached (``_assess_analysis``); the map and the handover network are SVG images served beside
the page, with their tables as the accessible alternative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from civicflow.mining import DfgView, EventLog, EventLogError, dfg_svg
from civicflow.runtime.models import ProcessDefinition, ProcessInstance
from civicflow.workbench._access import requires
from civicflow.workbench._assess_analysis import analysis, dfg_of, network_of
from civicflow.workbench._assess_chart import duration_chart
from civicflow.workbench._assess_logs import (
    CsvColumns,
    UploadError,
    engine_log,
    load_log,
    max_upload_bytes,
    read_upload,
    too_big,
)

SESSION_KEY = "workbench_assess_logs"
MAX_SESSION_LOGS = 20
MAX_TABLE_ROWS = 200
SOURCES = ("processes", "logs")


def span(seconds: float | None) -> str:
    """A duration in words in the largest fitting unit (translated): "2.5 days", "40.0 minutes"."""
    if seconds is None:
        return "–"
    units: tuple[tuple[int, Callable[[int], str]], ...] = (
        (86400, lambda n: ngettext("%(n)s day", "%(n)s days", n)),
        (3600, lambda n: ngettext("%(n)s hour", "%(n)s hours", n)),
        (60, lambda n: ngettext("%(n)s minute", "%(n)s minutes", n)),
    )
    for size, words in units:
        if abs(seconds) >= size:
            value = round(seconds / size, 1)
            return words(1 if value == 1 else 2) % {"n": number_format(value, decimal_pos=1)}
    whole = round(seconds)
    return ngettext("%(n)s second", "%(n)s seconds", whole) % {"n": whole}


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """The log a page is about: its kind, reference in the URL, title and digest."""

    kind: str
    ref: str
    title: str
    digest: str
    fresh: EventLog | None = None  # the log when it was just built (saves reading it back)

    def load(self) -> EventLog | None:
        return self.fresh if self.fresh is not None else load_log(self.digest)


def _session_logs(request: HttpRequest) -> list[list[str]]:
    return list(request.session.get(SESSION_KEY, []))


def _processes() -> list[dict[str, Any]]:
    latest: dict[str, ProcessDefinition] = {}
    for definition in ProcessDefinition.objects.order_by("process_id", "version")[:2000]:
        latest[definition.process_id] = definition
    counts: dict[str, int] = {}
    for process_id in latest:
        counts[process_id] = ProcessInstance.objects.filter(definition__process_id=process_id).count()
    return [{"id": pid, "name": d.name or pid, "version": d.version, "cases": counts[pid]} for pid, d in latest.items()]


def source_of(request: HttpRequest, kind: str, ref: str) -> Source:
    """The log ``kind``/``ref`` names, or 404: a process that was never deployed, an upload not of this session."""
    if kind == "processes":
        definition = ProcessDefinition.objects.filter(process_id=ref).order_by("-version").first()
        if definition is None:
            raise Http404
        digest, fresh = engine_log(ref)
        title = _("%(name)s (the engine’s history)") % {"name": definition.name or ref}
        return Source(kind=kind, ref=ref, title=title, digest=digest, fresh=fresh)
    if kind == "logs":
        for digest, name in _session_logs(request):
            if digest == ref:
                return Source(kind=kind, ref=ref, title=name, digest=digest)
    raise Http404


def _index(request: HttpRequest, *, errors: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    errors = errors or {}
    context = {
        "processes": _processes(),
        "uploads": [{"digest": d, "name": n} for d, n in _session_logs(request)],
        "errors": errors,
        "error_summary": [{"href": f"#{field}", "text": text} for field, text in errors.items()],
        "columns": _column_fields(request, errors),
        "max_upload": max_upload_bytes(),
    }
    return render(request, "workbench/assess.html", context, status=status)


def _column_fields(request: HttpRequest, errors: dict[str, str]) -> list[dict[str, str]]:
    labels = (
        ("column-case", _("Case id column"), ""),
        ("column-activity", _("Activity column"), ""),
        ("column-timestamp", _("Timestamp column"), _("ISO 8601 times, such as 2025-03-01T09:30:00+01:00")),
        ("column-resource", _("Resource column (optional)"), _("Who performed the activity")),
        ("column-department", _("Department column (optional)"), ""),
        ("timezone", _("Time zone of timestamps without a UTC offset (optional)"), _("For example Europe/Amsterdam")),
    )
    posted = request.POST if request.method == "POST" else {}
    return [
        {"name": name, "label": label, "hint": hint, "value": posted.get(name, ""), "error": errors.get(name, "")}
        for name, label, hint in labels
    ]


@require_safe
@requires("assess")
def assess(request: HttpRequest) -> HttpResponse:
    return _index(request)


@require_POST
@requires("assess")
def assess_upload(request: HttpRequest) -> HttpResponse:
    # Refuse an oversized body before Django parses (and stores) the upload.
    if int(request.META.get("CONTENT_LENGTH") or 0) > max_upload_bytes() + 64 * 1024:
        return _index(request, errors={"log": too_big()}, status=413)
    upload = request.FILES.get("log")
    if upload is None:
        return _index(request, errors={"log": _("Select an event log file")}, status=400)
    post = request.POST
    columns = CsvColumns(
        case=post.get("column-case", "").strip(),
        activity=post.get("column-activity", "").strip(),
        timestamp=post.get("column-timestamp", "").strip(),
        resource=post.get("column-resource", "").strip(),
        department=post.get("column-department", "").strip(),
        timezone=post.get("timezone", "").strip(),
    )
    try:
        digest, _log = read_upload(upload, columns)
    except UploadError as exc:
        return _index(request, errors={exc.field: str(exc)}, status=exc.status)
    except EventLogError as exc:
        message = _("The event log could not be read: %(reason)s") % {"reason": exc}
        return _index(request, errors={"log": message}, status=400)
    kept = [entry for entry in _session_logs(request) if entry[0] != digest]
    request.session[SESSION_KEY] = [[digest, upload.name or digest[:12]], *kept][:MAX_SESSION_LOGS]
    return redirect(reverse("workbench:assess_log", args=["logs", digest]))


@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """The process map's filters, from the query string."""

    view: DfgView = DfgView.FREQUENCY
    min_frequency: int = 1
    top: int = 30
    network: str = ""  # "resource" or "department"; empty: whichever the log records handovers for


def _number(raw: str | None, default: int, low: int, high: int) -> int | None:
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        return None
    return int(text)


def options_of(request: HttpRequest) -> tuple[Options, dict[str, str]]:
    """The filters asked for, and an error per field that was not understood (its default is used)."""
    errors: dict[str, str] = {}
    raw_view = request.GET.get("view") or DfgView.FREQUENCY.value
    view = DfgView(raw_view) if raw_view in {v.value for v in DfgView} else DfgView.FREQUENCY
    min_frequency = _number(request.GET.get("min"), 1, 1, 10**9)
    if min_frequency is None:
        errors["min"] = _("Enter the minimum number of times as a whole number, 1 or more")
    top = _number(request.GET.get("top"), 30, 2, 100)
    if top is None:
        errors["top"] = _("Enter the number of activities as a whole number from 2 to 100")
    network = request.GET.get("network") if request.GET.get("network") in {"resource", "department"} else ""
    chosen = Options(view=view, min_frequency=min_frequency or 1, top=top or 30, network=network or "")
    return chosen, errors


def network_kind(result: dict[str, Any], chosen: Options) -> str:
    """The handover network to show: the one asked for, else people when the log names any, else departments."""
    departments = result["handover"]["department"]
    if departments is None:
        return "resource"
    if chosen.network:
        return chosen.network
    return "resource" if result["handover"]["resource"]["edges"] or not departments["edges"] else "department"


def _figures(result: dict[str, Any], chosen: Options) -> dict[str, Any]:
    dfg = dfg_of(result, min_frequency=chosen.min_frequency, top=chosen.top)
    edges = [
        {
            "source": e["source"],
            "target": e["target"],
            "frequency": e["frequency"],
            "median": span(e["median"]),
            "mean": span(e["mean"]),
            "p90": span(e["p90"]),
        }
        for e in dfg.edges.head(MAX_TABLE_ROWS).iter_rows(named=True)
    ]
    stats = result["stats"]
    kind = network_kind(result, chosen)
    network = result["handover"][kind]
    return {
        "network": kind,
        "summary": _("%(cases)s, %(events)s and %(variants)s; the median case took %(median)s.")
        % {
            "cases": ngettext("%(n)s case", "%(n)s cases", stats["cases"]) % {"n": stats["cases"]},
            "events": ngettext("%(n)s event", "%(n)s events", stats["events"]) % {"n": stats["events"]},
            "variants": ngettext("%(n)s variant", "%(n)s variants", stats["variants"]) % {"n": stats["variants"]},
            "median": span(stats["median_duration"]),
        },
        "shown_activities": len(dfg.activities),
        "edges": edges,
        "edge_count": dfg.edges.height,
        "bottlenecks": [
            {**b, **{k: span(b[k]) for k in ("waiting_median", "waiting_p90", "waiting_mean")}}
            for b in result["bottlenecks"][:20]
        ],
        "rework": result["rework"],
        "self_loops": [{**s, "median": span(s["median"])} for s in result["self_loops"]],
        "handovers": network["edges"][:MAX_TABLE_ROWS],
        "has_departments": result["handover"]["department"] is not None,
        "percentiles": [{"p": p, "duration": span(v)} for p, v in result["durations"]["percentiles"]],
        "bins": [
            {"from": span(b["from"]), "to": span(b["to"]), "cases": b["cases"]} for b in result["durations"]["bins"]
        ],
        "chart": duration_chart(result["durations"]["bins"]),
    }


@require_safe
@requires("assess")
def assess_log(request: HttpRequest, source: str, ref: str) -> HttpResponse:
    found = source_of(request, source, ref)
    result = analysis(found.digest, found.load)
    if result is None:
        raise Http404
    chosen, errors = options_of(request)
    context: dict[str, Any] = {
        "source": found,
        "options": chosen,
        "errors": errors,
        "error_summary": [{"href": f"#{field}", "text": text} for field, text in errors.items()],
        "stats": result["stats"],
        "views": [v.value for v in DfgView],
    }
    if result["stats"]["cases"]:
        context.update(_figures(result, chosen))
        query = request.GET.copy()
        for name in ("min", "top"):
            if name in errors:
                query.pop(name, None)
        context["figure_query"] = query.urlencode()
    return render(request, "workbench/assess_log.html", context, status=400 if errors else 200)


@require_safe
@requires("assess")
def assess_figure(request: HttpRequest, source: str, ref: str, figure: str) -> HttpResponse:
    found = source_of(request, source, ref)
    result = analysis(found.digest, found.load)
    if result is None or not result["stats"]["cases"] or figure not in {"map", "handover"}:
        raise Http404
    chosen, _errors = options_of(request)
    if figure == "map":
        svg = dfg_svg(dfg_of(result, min_frequency=chosen.min_frequency, top=chosen.top), chosen.view)
    else:
        network = result["handover"][network_kind(result, chosen)]
        svg = dfg_svg(network_of(network, top=chosen.top))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
