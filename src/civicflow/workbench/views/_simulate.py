"""Simulate: what-if scenarios of a reference service, fitted from its own history (Assess section).

GET shows the fitted parameters' status and the scenario form, and with ``run`` the baseline and the
scenario side by side (a table, a chart of waiting per department, and a summary in words). POST
``fit`` fits the parameters from the engine's history again. Works without JavaScript: the form is
a plain GET form, so a result page can be bookmarked and shared.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from civicflow.services import REFERENCE_SERVICES, find, start_field_label
from civicflow.simulation import ComparisonRow, Scenario, SimulationError, SimulationKpis
from civicflow.web.charts import bar_chart
from civicflow.workbench._access import requires
from civicflow.workbench._simulate import Fitted, fit_service, fitted, model_of, parallel_pairs, run_scenario, steps
from civicflow.workbench.views._assess import span
from civicflow.workbench.views._common import language

__all__ = ["simulate", "simulate_fit"]

_MAX_STAFF = 10_000
_ARRIVALS = (-90, 500)  # percent change of demand a form may ask


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{number_format(round(value * 100, 1), decimal_pos=1)}%"


def _figure(row: ComparisonRow, value: float | None) -> str:
    if value is None:
        return "–"
    if row.unit == "seconds":
        return span(value)
    if row.unit == "share":
        return _percent(value)
    return number_format(value, decimal_pos=0)


def _metric(row: ComparisonRow) -> str:
    names = {
        "cases completed": _("Cases completed"),
        "cycle time mean": _("Cycle time, mean"),
        "cycle time median": _("Cycle time, median"),
        "cycle time p90": _("Cycle time, 90th percentile"),
        "SLA met": _("Cases within the processing-time target"),
    }
    if row.metric in names:
        return names[row.metric]
    kind, _sep, pool = row.metric.partition(": ")
    template = {
        "staff": _("Staff: %(department)s"),
        "waiting": _("Waiting for staff: %(department)s"),
        "utilisation": _("Utilisation: %(department)s"),
    }[kind]
    return template % {"department": pool}


def _form(
    request: HttpRequest, pools: list[tuple[str, int]], choices: dict[str, Any]
) -> tuple[Scenario, dict[str, str]]:
    """The scenario the form asks for, and the errors of its fields."""
    errors: dict[str, str] = {}
    staff: dict[str, int] = {}
    for index, (pool, fitted_staff) in enumerate(pools):
        text = request.GET.get(f"staff-{index}", "").strip()
        if not text:
            continue
        if not text.isdigit() or not 1 <= int(text) <= _MAX_STAFF:
            errors[f"staff-{index}"] = _("Enter a whole number of staff from 1 to %(most)s") % {"most": _MAX_STAFF}
        elif int(text) != fitted_staff:
            staff[pool] = int(text)
    remove = request.GET.get("remove", "").strip()
    if remove and remove not in {step for step, _name in choices["steps"]}:
        errors["remove"] = _("Choose a step of the process")
    parallel = request.GET.get("parallel", "").strip()
    pairs = {f"{first}:{second}": (first, second) for first, second, _label in choices["pairs"]}
    if parallel and parallel not in pairs:
        errors["parallel"] = _("Choose two steps of the process")
    arrivals = request.GET.get("arrivals", "0").strip() or "0"
    try:
        change = int(arrivals)
    except ValueError:
        change = _ARRIVALS[0] - 1
    if not _ARRIVALS[0] <= change <= _ARRIVALS[1]:
        errors["arrivals"] = _("Enter a change from %(low)s to %(high)s percent") % {
            "low": _ARRIVALS[0],
            "high": _ARRIVALS[1],
        }
    scenario = Scenario(
        name=_("Scenario"),
        staff=staff,
        remove=(remove,) if remove and not errors else (),
        parallelise=(pairs[parallel],) if parallel in pairs else (),
        arrival_factor=1 + change / 100 if not errors.get("arrivals") else 1.0,
    )
    return scenario, errors


def _results(rows: tuple[ComparisonRow, ...], baseline: SimulationKpis, other: SimulationKpis) -> dict[str, Any]:
    table = [
        {
            "metric": _metric(row),
            "baseline": _figure(row, row.baseline),
            "scenario": _figure(row, row.scenario),
            "change": "–" if row.relative is None else f"{row.relative:+.1%}",
        }
        for row in rows
    ]
    points: list[tuple[str, float | None]] = []
    for pool in baseline.pools:
        after = next(p for p in other.pools if p.pool == pool.pool)
        points.append((f"{pool.pool[:10]} ·1", pool.waiting_mean / 3600))
        points.append((f"{pool.pool[:10]} ·2", after.waiting_mean / 3600))
    summary = _("The mean cycle time goes from %(before)s to %(after)s.") % {
        "before": span(baseline.cycle.mean),
        "after": span(other.cycle.mean),
    }
    if baseline.bottleneck is not None:
        before = baseline.pool(baseline.bottleneck)
        after_pool = other.pool(baseline.bottleneck)
        summary += " " + _(
            "Work waits longest in %(department)s: %(before)s on average, %(after)s in the scenario."
        ) % {
            "department": baseline.bottleneck,
            "before": span(before.waiting_mean),
            "after": span(after_pool.waiting_mean),
        }
    return {"table": table, "chart": bar_chart(points, top_label=_("hours")), "summary": summary}


def _profiles(found: Fitted, service_id: str, lang: str) -> dict[str, Any] | None:
    """What the fit's case profiles were made by, named as the start form asks it (None: no profiles)."""
    own = [profile for profile in found.params.profiles if profile.values]
    if not own:
        return None
    return {
        "kinds": len(own),
        "by": ", ".join(start_field_label(service_id, name, lang) for name in own[0].values),
        "pooled": _percent(sum(p.share for p in found.params.profiles if not p.values)),
    }


def _page(request: HttpRequest, *, status: int = 200, fit_error: str = "") -> HttpResponse:
    service = find(request.GET.get("service", "") or request.POST.get("service", ""))
    context: dict[str, Any] = {
        "nav": "assess-simulate",
        "services": [(s.id, s.title.get(language(request)) or s.id) for s in REFERENCE_SERVICES],
        "service": service,
        "errors": {},
        "fit_error": fit_error,
    }
    if service is None:
        return render(request, "workbench/simulate.html", context, status=status)
    found: Fitted | None = fitted(request.session, service)
    context["fitted"] = found
    if found is None:
        return render(request, "workbench/simulate.html", context, status=status)
    model = model_of(service)
    pools = [(name, found.params.pools[name].capacity) for name in model.pools if name in found.params.pools]
    choices = {"steps": steps(model), "pairs": parallel_pairs(model)}
    context |= {
        "mean_error": _percent(found.mean_error),
        "p90_error": _percent(found.p90_error),
        "ks": None if found.ks is None else number_format(found.ks, decimal_pos=3),
        "observed": found.params.observed,
        "observed_mean": span(found.params.observed.mean if found.params.observed else None),
        "observed_p90": span(found.params.observed.p90 if found.params.observed else None),
        "profiles": _profiles(found, service.id, language(request)),
        "pools": [
            {"index": i, "name": name, "fitted": staff, "value": request.GET.get(f"staff-{i}", "") or staff}
            for i, (name, staff) in enumerate(pools)
        ],
        "steps": choices["steps"],
        "pairs": [(f"{a}:{b}", label) for a, b, label in choices["pairs"]],
        "chosen": {k: request.GET.get(k, "") for k in ("remove", "parallel", "arrivals")},
    }
    if "run" not in request.GET:
        return render(request, "workbench/simulate.html", context, status=status)
    scenario, errors = _form(request, pools, choices)
    context["errors"] = errors
    for pool in context["pools"]:
        pool["error"] = errors.get(f"staff-{pool['index']}", "")
    context["error_summary"] = [{"href": f"#{field}", "text": text} for field, text in errors.items()]
    if errors:
        return render(request, "workbench/simulate.html", context, status=400)
    try:
        baseline, other, rows = run_scenario(model, found.params, scenario)
    except SimulationError as error:
        context["error_summary"] = [{"href": "#scenario", "text": str(error)}]
        return render(request, "workbench/simulate.html", context, status=400)
    context["results"] = _results(rows, baseline, other)
    return render(request, "workbench/simulate.html", context, status=status)


@require_safe
@requires("simulate")
def simulate(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@requires("simulate")
def simulate_fit(request: HttpRequest) -> HttpResponse:
    service = find(request.POST.get("service", ""))
    if service is None:
        return _page(request, status=400, fit_error=_("Choose a service"))
    if fit_service(request.session, service) is None:
        message = _("There is no completed case of this service in the history yet: nothing to fit on.")
        return _page(request, status=409, fit_error=message)
    return redirect(f"{reverse('workbench:simulate')}?service={service.id}")
