"""The public transparency page (no sign-in): each service's published KPIs by month, and open data.

Pages and files read :func:`~civicflow.portal._transparency_figures.series` (twelve months per
service from the dashboards' snapshot cache: a month is computed again only when history lands in
it), take no query parameters and answer only for the reference services, so no request can make
the server compute more than that.
See docs/kpi.md, "Transparency page and open data".
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import dateformat, translation
from django.utils.cache import patch_cache_control
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from civicflow.portal import _transparency_files as files
from civicflow.portal._transparency_figures import (
    MEASURES,
    SUPPRESSION_THRESHOLD,
    Figure,
    Measure,
    Series,
    Status,
    published_months,
    series,
)
from civicflow.runtime.clock import current_clock
from civicflow.services import REFERENCE_SERVICES, ReferenceService
from civicflow.web._agency import agency_from_settings
from civicflow.web.charts import bar_chart

__all__ = ["catalogue", "csv_file", "csv_metadata", "index", "json_file", "schema", "service_page"]

_FILE_SECONDS = 3600  # the files change once a month; an hour keeps a harvester's view fresh enough
_PAGE_SECONDS = 300  # pages carry the language switch's CSRF token: private caches only


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def _service(service_id: str) -> ReferenceService:
    for service in REFERENCE_SERVICES:
        if service.id == service_id:
            return service
    raise Http404


def _series(service: ReferenceService) -> Series:
    return series(service, current_clock().now())


def _shown(measure: Measure, figure: Figure, currency: str) -> str:
    """The figure with its unit in the reader's language, or why it is not shown."""
    if figure.status is Status.SUPPRESSED:
        return gettext("Not published (fewer than %(count)d)") % {"count": SUPPRESSION_THRESHOLD}
    if figure.status is Status.NO_DATA:
        return gettext("No data")
    if figure.status is Status.NOT_CONFIGURED or figure.value is None:
        return gettext("Not available (no costs configured)")
    number = number_format(figure.value, decimal_pos=measure.decimals, use_l10n=True)
    if measure.unit == "percent":
        return gettext("%(value)s%%") % {"value": number}
    if measure.unit == "days":
        return gettext("%(value)s days") % {"value": number}
    if measure.unit == "working_hours":
        return gettext("%(value)s working hours") % {"value": number}
    if measure.unit == "currency":
        return f"{currency} {number}"
    return number


def _summary(measure: Measure, months: list[dict[str, Any]]) -> str:
    """The text summary of a chart: the latest published figure, the change, the range, the gaps."""
    published = [m for m in months if m["figure"].status is Status.PUBLISHED]
    hidden = sum(1 for m in months if m["figure"].status is Status.SUPPRESSED)
    sentences: list[str] = []
    if not published:
        sentences.append(gettext("No figure was published in these months."))
    else:
        latest = published[-1]
        sentences.append(
            gettext("Latest published figure: %(value)s in %(month)s.")
            % {"value": latest["shown"], "month": latest["month"]}
        )
        if len(published) > 1:
            before = published[-2]
            low = min(published, key=lambda m: m["figure"].value)
            high = max(published, key=lambda m: m["figure"].value)
            sentences.append(
                gettext("The month before that with a figure, %(month)s, it was %(value)s.")
                % {"value": before["shown"], "month": before["month"]}
            )
            sentences.append(
                gettext("Over these months it ranged from %(low)s (%(low_month)s) to %(high)s (%(high_month)s).")
                % {"low": low["shown"], "low_month": low["month"], "high": high["shown"], "high_month": high["month"]}
            )
    if hidden:
        sentences.append(
            ngettext(
                "%(count)d month is not published because it would rest on fewer than %(threshold)d cases or answers.",
                "%(count)d months are not published because they would rest on fewer than %(threshold)d cases or "
                "answers.",
                hidden,
            )
            % {"count": hidden, "threshold": SUPPRESSION_THRESHOLD}
        )
    return " ".join(sentences)


def _section(measure: Measure, data: Series, language: str) -> dict[str, Any]:
    months: list[dict[str, Any]] = []
    for row in data.months:
        figure = row.figures[measure.key]
        months.append(
            {
                "month": dateformat.format(row.period.start, "F Y"),
                "short": dateformat.format(row.period.start, "M"),
                "figure": figure,
                "shown": _shown(measure, figure, row.currency),
                "base": figure.base,
            }
        )
    values = [(m["short"], m["figure"].value) for m in months]
    ceiling = 100.0 if measure.unit == "percent" else None
    top = ceiling or max((v for _, v in values if v is not None), default=0)
    caption = number_format(top, decimal_pos=0 if ceiling else measure.decimals, use_l10n=True) if top else ""
    if ceiling:
        caption = gettext("%(value)s%%") % {"value": caption}
    return {
        "key": measure.key,
        "label": measure.label.get(language),
        "method": measure.method.get(language),
        "base_label": measure.base_label.get(language) if measure.base_label else None,
        "months": months,
        "chart": bar_chart(
            values, ceiling=ceiling, top_label=caption, css_class="portal-transparency-chart", font_size=15
        ),
        "summary": _summary(measure, months),
    }


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, max_age=_PAGE_SECONDS)
    return response


def _public(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=_FILE_SECONDS)
    return response


def _json(data: object, content_type: str) -> HttpResponse:
    return _public(HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type=content_type))


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The services whose figures are published, with their files, the catalogue and the schemas."""
    language = _language()
    months = published_months(current_clock().now())
    services = [{"id": s.id, "title": s.title.get(language), "summary": s.summary.get(language)}
                for s in REFERENCE_SERVICES]  # fmt: skip
    context = {"services": services, "first": months[0].start, "last": months[-1].start,
               "threshold": SUPPRESSION_THRESHOLD, "licence": files.licence(),
               "licence_name": settings.CIVICFLOW_OPEN_DATA_LICENCE}  # fmt: skip
    return _private(render(request, "portal/transparency.html", context))


@require_safe
def service_page(request: HttpRequest, service_id: str) -> HttpResponse:
    """One service's published KPIs over the last twelve whole months: chart, table and summary each."""
    service = _service(service_id)
    language = _language()
    data = _series(service)
    context = {
        "service": {"id": service.id, "title": service.title.get(language)},
        "sections": [_section(measure, data, language) for measure in MEASURES],
        "first": data.months[0].period.start,
        "last": data.months[-1].period.start,
        "computed": data.computed,
        "threshold": SUPPRESSION_THRESHOLD,
        "licence": files.licence(),
        "licence_name": settings.CIVICFLOW_OPEN_DATA_LICENCE,
    }
    return _private(render(request, "portal/transparency_service.html", context))


@require_safe
def csv_file(request: HttpRequest, service_id: str) -> HttpResponse:
    response = HttpResponse(files.csv_text(_series(_service(service_id))), content_type="text/csv; charset=utf-8")
    # where a CSVW processor finds the columns' meaning (W3C CSVW, section 5.2)
    response["Link"] = f'<{files.url("transparency-csv-metadata")}>; rel="describedby"; type="application/csvm+json"'
    return _public(response)


@require_safe
def json_file(request: HttpRequest, service_id: str) -> HttpResponse:
    return _json(files.json_document(_series(_service(service_id))), "application/json")


@require_safe
def schema(request: HttpRequest) -> HttpResponse:
    return _json(files.json_schema(), "application/schema+json")


@require_safe
def csv_metadata(request: HttpRequest) -> HttpResponse:
    return _json(files.csv_metadata(), "application/csvm+json")


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    """The DCAT-AP catalogue in JSON-LD (no figures are computed for it)."""
    months = published_months(current_clock().now())
    data = files.catalogue(months, agency=agency_from_settings().name, contact=settings.DEFAULT_FROM_EMAIL)
    return _json(data, "application/ld+json")
