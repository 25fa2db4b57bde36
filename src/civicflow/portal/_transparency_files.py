"""The transparency page's open data: CSV and JSON per service, their schemas, and a DCAT-AP catalogue.

- ``<service>.json`` follows a JSON Schema (Draft 2020-12) served at ``schema/kpis.json``.
- ``<service>.csv`` is described by CSV on the Web metadata (W3C CSVW) at ``csv-metadata.json`` in
  the same folder, where a CSVW processor looks for it; the CSV responses link to it too.
- ``catalog.jsonld`` is a DCAT-AP 3 catalogue: a dataset per service, a distribution per format.

Every URL in the files is absolute and built from ``CIVICFLOW_PUBLIC_URL``, never from the request,
so a harvester sees the same identifiers whichever host name it used.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.conf import settings
from django.urls import reverse

from civicflow.kpi import Period
from civicflow.portal._transparency_figures import MEASURES, SUPPRESSION_THRESHOLD, Measure, MonthRow, Series, Status
from civicflow.services import REFERENCE_SERVICES, ReferenceService

__all__ = ["LICENCES", "catalogue", "csv_metadata", "csv_text", "json_document", "json_schema", "url"]

# the EU Publications Office's licence authority table: the URIs DCAT-AP expects for dct:license
LICENCES = {
    "CC0-1.0": "http://publications.europa.eu/resource/authority/licence/CC0",
    "CC-BY-4.0": "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
}
_EU = "http://publications.europa.eu/resource/authority/"
_SUFFIX = {"percent": "_percent", "days": "_days", "working_hours": "_hours", "cases": "", "currency": ""}
_UNIT_TEXT = {
    "percent": "percent (0-100)",
    "days": "calendar days",
    "working_hours": "working hours",
    "cases": "number of cases",
    "currency": "major currency units (see the currency column)",
}


def url(name: str, *args: str) -> str:
    """The absolute public URL of the portal route ``name``."""
    return f"{settings.PUBLIC_URL}{reverse(f'portal:{name}', args=args)}"


def licence() -> str:
    """The licence URI of the open data (``CIVICFLOW_OPEN_DATA_LICENCE``: CC0-1.0 or CC-BY-4.0)."""
    return LICENCES[settings.CIVICFLOW_OPEN_DATA_LICENCE]


def _gated(measure: Measure) -> bool:
    return measure.base_label is not None


def _column(measure: Measure) -> str:
    return measure.key + _SUFFIX[measure.unit]


def _columns() -> list[str]:
    names = ["period", "service", "currency"]
    for measure in MEASURES:
        names.append(_column(measure))
        if _gated(measure):
            names += [f"{measure.key}_base", f"{measure.key}_status"]
    return names


def _csv_cells(service: ReferenceService, row: MonthRow) -> list[str]:
    cells = [row.period.label, service.id, row.currency]
    for measure in MEASURES:
        figure = row.figures[measure.key]
        cells.append("" if figure.value is None else f"{figure.value:.{measure.decimals}f}")
        if _gated(measure):
            cells += [str(figure.base), figure.status.value]
    return cells


def csv_text(data: Series) -> str:
    """The service's months as CSV (RFC 4180, a header row, one row per month, empty cell = not published)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_columns())
    for row in data.months:
        writer.writerow(_csv_cells(data.service, row))
    return out.getvalue()


def _unit(measure: Measure, row: MonthRow) -> str:
    return row.currency if measure.unit == "currency" else measure.unit


def json_document(data: Series) -> dict[str, Any]:
    """The service's months as JSON; valid against :func:`json_schema`."""
    service = data.service
    return {
        "$schema": url("transparency-schema"),
        "service": service.id,
        "title": {"en": service.title.en, "nl": service.title.nl},
        "licence": licence(),
        "suppression_threshold": SUPPRESSION_THRESHOLD,
        "modified": data.modified.isoformat(),
        "months": [
            {
                "period": row.period.label,
                "period_start": row.period.start.date().isoformat(),
                "period_end": row.period.end.date().isoformat(),
                "service": service.id,
                "currency": row.currency,
                "figures": {
                    measure.key: {
                        "value": row.figures[measure.key].value,
                        "unit": _unit(measure, row),
                        "base": row.figures[measure.key].base,
                        "status": row.figures[measure.key].status.value,
                    }
                    for measure in MEASURES
                },
            }
            for row in data.months
        ],
    }


def _figure_schema(measure: Measure) -> dict[str, Any]:
    value: dict[str, Any] = {"type": "integer", "minimum": 0} if measure.decimals == 0 else {"type": "number"}
    if measure.unit == "percent":
        value = {**value, "minimum": 0, "maximum": 100}
    elif measure.unit != "currency":
        value = {**value, "minimum": 0}
    unit = {"pattern": "^[A-Z]{3}$"} if measure.unit == "currency" else {"const": measure.unit}
    return {
        "description": f"{measure.label.en}. {measure.method.en}",
        "type": "object",
        "required": ["value", "unit", "base", "status"],
        "additionalProperties": False,
        "properties": {
            "value": {"anyOf": [value, {"type": "null"}]},
            "unit": {"type": "string", **unit},
            "base": {"type": "integer", "minimum": 0} if _gated(measure) else {"type": "null"},
            "status": {"enum": [s.value for s in Status]},
        },
        # a value is there exactly when it is published (a suppressed base is still given)
        "if": {"properties": {"status": {"const": Status.PUBLISHED.value}}},
        "then": {"properties": {"value": value}},
        "else": {"properties": {"value": {"type": "null"}}},
    }


def json_schema() -> dict[str, Any]:
    """JSON Schema (Draft 2020-12) of :func:`json_document`."""
    month_label = {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url("transparency-schema"),
        "title": "CivicFlow published service KPIs per month",
        "type": "object",
        "required": ["service", "title", "licence", "suppression_threshold", "modified", "months"],
        "properties": {
            "$schema": {"type": "string", "format": "uri"},
            "service": {"type": "string"},
            "title": {
                "type": "object",
                "required": ["en", "nl"],
                "properties": {"en": {"type": "string"}, "nl": {"type": "string"}},
            },
            "licence": {"type": "string", "format": "uri"},
            "suppression_threshold": {"type": "integer", "minimum": 1},
            "modified": {"type": "string", "format": "date"},
            "months": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["period", "period_start", "period_end", "service", "currency", "figures"],
                    "additionalProperties": False,
                    "properties": {
                        "period": month_label,
                        "period_start": {"type": "string", "format": "date"},
                        "period_end": {"type": "string", "format": "date", "description": "exclusive"},
                        "service": {"type": "string"},
                        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                        "figures": {
                            "type": "object",
                            "required": [m.key for m in MEASURES],
                            "additionalProperties": False,
                            "properties": {m.key: _figure_schema(m) for m in MEASURES},
                        },
                    },
                },
            },
        },
    }


def _csvw_columns() -> list[dict[str, Any]]:
    columns: list[dict[str, Any]] = [
        {"name": "period", "titles": "period", "datatype": "gYearMonth", "required": True,
         "dc:description": "The calendar month (UTC)."},
        {"name": "service", "titles": "service", "datatype": "string", "required": True},
        {"name": "currency", "titles": "currency", "datatype": {"base": "string", "format": "[A-Z]{3}"},
         "required": True, "dc:description": "ISO 4217 code of cost_per_transaction."},
    ]  # fmt: skip
    for measure in MEASURES:
        datatype: dict[str, Any] = {"base": "integer" if measure.decimals == 0 else "decimal"}
        if measure.unit == "percent":
            datatype |= {"minimum": 0, "maximum": 100}
        else:
            datatype |= {"minimum": 0}
        columns.append(
            {
                "name": _column(measure),
                "titles": _column(measure),
                "datatype": datatype,
                "required": not _gated(measure),
                "dc:description": f"{measure.label.en} ({_UNIT_TEXT[measure.unit]}). {measure.method.en}",
            }
        )
        if _gated(measure):
            columns += [
                {"name": f"{measure.key}_base", "titles": f"{measure.key}_base",
                 "datatype": {"base": "integer", "minimum": 0}, "required": True,
                 "dc:description": f"The number of {measure.base_label.en if measure.base_label else ''} the "
                                   "figure is computed over."},
                {"name": f"{measure.key}_status", "titles": f"{measure.key}_status",
                 "datatype": {"base": "string", "format": "|".join(s.value for s in Status)}, "required": True,
                 "dc:description": f"published, or why not: suppressed (base below {SUPPRESSION_THRESHOLD}), "
                                   "no_data, not_configured."},
            ]  # fmt: skip
    return columns


def csv_metadata() -> dict[str, Any]:
    """CSVW metadata (a table group) describing every service's CSV file; URLs relative to its own."""
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "dc:title": "CivicFlow published service KPIs per month",
        "dc:license": {"@id": licence()},
        "tables": [{"url": f"{service.id}.csv"} for service in REFERENCE_SERVICES],
        "tableSchema": {"columns": _csvw_columns(), "primaryKey": ["period", "service"]},
    }


def _texts(en: str, nl: str) -> list[dict[str, str]]:
    return [{"@value": en, "@language": "en"}, {"@value": nl, "@language": "nl"}]


def _distribution(service: ReferenceService, suffix: str, media: str, file_type: str, schema: str) -> dict[str, Any]:
    download = url(f"transparency-{suffix}", service.id)
    return {
        "@id": download,
        "@type": "dcat:Distribution",
        "dct:title": _texts(f"{service.title.en} KPIs ({file_type})", f"{service.title.nl} KPI's ({file_type})"),
        "dcat:accessURL": {"@id": url("transparency-service", service.id)},
        "dcat:downloadURL": {"@id": download},
        "dcat:mediaType": {"@id": f"http://www.iana.org/assignments/media-types/{media}"},
        "dct:format": {"@id": f"{_EU}file-type/{file_type}"},
        "dct:conformsTo": {"@id": schema},
        "dct:license": {"@id": licence()},
    }


def _dataset(service: ReferenceService, shared: dict[str, Any]) -> dict[str, Any]:
    page = url("transparency-service", service.id)
    return {
        "@id": f"{page}#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": page,
        "dct:title": _texts(f"Performance of {service.title.en}", f"Prestaties van {service.title.nl}"),
        "dct:description": _texts(
            f"Monthly key performance indicators of the service “{service.title.en}”: cost per transaction, user "
            "satisfaction, completion rate, digital take-up, processing time and compliance with the service "
            f"standard. Figures over fewer than {SUPPRESSION_THRESHOLD} cases or answers are not published.",
            f"Maandelijkse prestatie-indicatoren van de dienst “{service.title.nl}”: kosten per transactie, "
            "tevredenheid, voltooiingsgraad, digitaal gebruik, doorlooptijd en naleving van de servicenorm. Cijfers "
            f"over minder dan {SUPPRESSION_THRESHOLD} zaken of antwoorden worden niet gepubliceerd.",
        ),
        "dcat:landingPage": {"@id": page},
        "dcat:distribution": [
            _distribution(service, "csv", "text/csv", "CSV", url("transparency-csv-metadata")),
            _distribution(service, "json", "application/json", "JSON", url("transparency-schema")),
        ],
        **shared,
    }


def catalogue(months: tuple[Period, ...], *, agency: str, contact: str) -> dict[str, Any]:
    """The DCAT-AP 3 catalogue (JSON-LD) of the services' open data covering ``months`` (oldest first).

    It needs no figures: what it says of the files (period covered, date modified) follows from the
    months published, so harvesting it costs no KPI computation.
    """
    publisher = {"@type": "foaf:Agent", "foaf:name": agency}
    languages = [{"@id": f"{_EU}language/ENG"}, {"@id": f"{_EU}language/NLD"}]
    modified = {"@value": months[-1].end.date().isoformat(), "@type": "xsd:date"}
    shared = {
        "dcat:keyword": _texts("performance", "prestaties") + _texts("service level", "servicenorm"),
        "dcat:theme": {"@id": f"{_EU}data-theme/GOVE"},
        "dct:publisher": publisher,
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": agency,
            "vcard:hasEmail": {"@id": f"mailto:{contact}"},
        },
        "dct:language": languages,
        "dct:accrualPeriodicity": {"@id": f"{_EU}frequency/MONTHLY"},
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": months[0].start.date().isoformat(), "@type": "xsd:date"},
            "dcat:endDate": {"@value": (months[-1].end - dt.timedelta(days=1)).date().isoformat(), "@type": "xsd:date"},
        },
        "dct:modified": modified,
    }
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": url("transparency-catalogue"),
        "@type": "dcat:Catalog",
        "dct:title": _texts(f"Open data of {agency}", f"Open data van {agency}"),
        "dct:description": _texts(
            "Key performance indicators of the online services, per month.",
            "Prestatie-indicatoren van de online diensten, per maand.",
        ),
        "dct:publisher": publisher,
        "foaf:homepage": {"@id": url("transparency")},
        "dct:language": languages,
        "dct:license": {"@id": licence()},
        "dct:modified": modified,
        "dcat:dataset": [_dataset(service, shared) for service in REFERENCE_SERVICES],
    }
