"""The public transparency page (/portal/transparency/): pages and open-data files against service_kpis.

Demo history of the tax refund (three months from January 2025) plus portal rows the demo does not
make (online applications, satisfaction answers), read on a virtual clock in mid-June 2025, so the
twelve published months are June 2024 to May 2025: some months have figures, some too few cases
(suppressed), some none. Every expected figure is worked out here from ``service_kpis`` with its
own rounding, not through the page's code.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker
from lxml import html as lxml_html

from civicflow.engine import VirtualClock
from civicflow.kpi import Period, PeriodKind, ServiceKpis
from civicflow.portal.models import Application, SatisfactionResponse
from civicflow.runtime.clock import using_clock
from civicflow.runtime.demo import load
from civicflow.runtime.kpi_projection import catch_up
from civicflow.runtime.models import KpiCase, ProcessInstance
from civicflow.services import service as reference_service
from civicflow.web.kpis import service_kpis
from civicflow.web.models import KpiSnapshot
from support.portal_citizen import client

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)
MONTHS = [f"2024-{m:02d}" for m in range(6, 13)] + [f"2025-{m:02d}" for m in range(1, 6)]
SERVICE = reference_service("tax_refund")
# satisfaction answers per month: 6 (published), 4 (suppressed: below 5), 5 (published: the threshold)
ANSWERS = {"2025-01": [5, 4, 4, 2, 5, 3], "2025-02": [5, 5, 1, 4], "2025-03": [1, 2, 4, 5, 5]}


@pytest.fixture
def history() -> None:
    load(40, rng=random.Random(7), service_ids=["tax_refund"], start=datetime(2025, 1, 6, tzinfo=UTC), months=3)
    # every third case was applied for online (an Application row is what makes a case "online")
    for number, instance in enumerate(ProcessInstance.objects.order_by("started")[::3]):
        Application.objects.create(reference=f"TR-2025-{number:06d}", service="tax_refund", instance_id=instance.pk,
                                   secret_hash="x", created=instance.started)  # fmt: skip
    for month, scores in ANSWERS.items():
        answered = datetime.fromisoformat(f"{month}-10T10:00:00+00:00")
        for number, score in enumerate(scores):
            SatisfactionResponse.objects.create(
                service="tax_refund", reference=f"{month}-{number}", score=score, answered_at=answered
            )
    catch_up(gap_grace=0.0)  # what the worker does: the page reads figures, it never applies history


def _kpis() -> dict[str, ServiceKpis]:
    with using_clock(VirtualClock(NOW)):
        return {label: service_kpis(SERVICE, Period.parse(label, clock=VirtualClock(NOW))) for label in MONTHS}


def _gated(base: int, value: float | None, scale: float) -> tuple[float | None, int, str]:
    if base == 0:
        return None, 0, "no_data"
    if base < 5:
        return None, base, "suppressed"
    if value is None:
        return None, base, "not_configured"
    return value * scale, base, "published"


def expected(kpis: ServiceKpis) -> dict[str, tuple[float | None, int | None, str]]:
    """Each published figure, unrounded: (value, base, status)."""
    percent = {"user_satisfaction": kpis.csat, "completion_rate": kpis.completion_rate,
               "digital_take_up": kpis.digital_take_up, "sla_compliance": kpis.sla}  # fmt: skip
    figures: dict[str, tuple[float | None, int | None, str]] = {
        "cases_started": (kpis.started, None, "published"),
        "cases_completed": (kpis.completed, None, "published"),
        "cost_per_transaction": _gated(kpis.completed, kpis.cost_per_transaction, 0.01),
    }
    for key, ratio in percent.items():
        figures[key] = _gated(ratio.denominator, ratio.value, 100)
    n = kpis.processing.count
    figures["processing_time_p50"] = _gated(n, kpis.processing.calendar[0], 1 / 86400)
    figures["processing_time_p90"] = _gated(n, kpis.processing.calendar[1], 1 / 86400)
    figures["processing_time_p50_working"] = _gated(n, kpis.processing.working[0], 1 / 3600)
    figures["processing_time_p90_working"] = _gated(n, kpis.processing.working[1], 1 / 3600)
    return figures


def _close(published: float | None, exact: float | None, decimals: int) -> bool:
    if exact is None or published is None:
        return published is exact
    return abs(Decimal(str(published)) - Decimal(str(exact))) <= Decimal(5) * Decimal(10) ** -(decimals + 1)


def _get(path: str, language: str = "en") -> Any:
    with using_clock(VirtualClock(NOW)):
        return client(language).get(path)


def test_open_data_json_and_csv_equal_service_kpis_and_validate_against_their_schemas(history: None) -> None:
    months = _kpis()
    document = _get("/portal/transparency/tax_refund.json").json()
    schema = _get("/portal/transparency/schema/kpis.json").json()
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(document)
    assert document["$schema"] == schema["$id"] == f"{settings.PUBLIC_URL}/portal/transparency/schema/kpis.json"
    assert [m["period"] for m in document["months"]] == MONTHS
    seen: set[str] = set()
    for month in document["months"]:
        want = expected(months[month["period"]])
        assert set(month["figures"]) == set(want)
        for key, (value, base, status) in want.items():
            figure = month["figures"][key]
            decimals = 2 if key == "cost_per_transaction" else 0 if key.startswith("cases_") else 1
            assert (figure["status"], figure["base"]) == (status, base), (month["period"], key)
            assert _close(figure["value"], value, decimals), (month["period"], key, figure, value)
            seen.add(status)
    # the fixture reaches every branch of the rule: figures, too few, none, no cost table
    assert seen == {"published", "suppressed", "no_data", "not_configured"}
    satisfaction = {m["period"]: m["figures"]["user_satisfaction"] for m in document["months"]}
    assert satisfaction["2025-01"] == {"value": 66.7, "unit": "percent", "base": 6, "status": "published"}
    assert satisfaction["2025-02"] == {"value": None, "unit": "percent", "base": 4, "status": "suppressed"}
    assert satisfaction["2025-03"] == {"value": 60.0, "unit": "percent", "base": 5, "status": "published"}

    response = _get("/portal/transparency/tax_refund.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "csv-metadata.json" in response["Link"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    metadata = _get("/portal/transparency/csv-metadata.json").json()
    _validate_csvw(metadata, "tax_refund.csv", rows)
    header, body = rows[0], rows[1:]
    assert len(body) == len(document["months"])
    for cells, month in zip(body, document["months"], strict=True):
        record = dict(zip(header, cells, strict=True))
        assert (record["period"], record["service"], record["currency"]) == (month["period"], "tax_refund", "EUR")
        for key, figure in month["figures"].items():
            column = next(name for name in header if name.startswith(key) and not name.endswith(("_base", "_status"))
                          and name.removeprefix(key) in ("", "_percent", "_days", "_hours"))  # fmt: skip
            assert (Decimal(record[column]) if record[column] else None) == (
                None if figure["value"] is None else Decimal(str(figure["value"]))
            ), (month["period"], key)
            if figure["base"] is not None:
                assert (int(record[f"{key}_base"]), record[f"{key}_status"]) == (figure["base"], figure["status"])


def _validate_csvw(metadata: dict[str, Any], url: str, rows: list[list[str]]) -> None:
    """Check CSV rows against CSVW column descriptions: titles, required cells and datatypes."""
    assert metadata["@context"] == "http://www.w3.org/ns/csvw"
    assert {"url": url} in metadata["tables"]
    columns = metadata["tableSchema"]["columns"]
    assert rows[0] == [c["titles"] for c in columns]
    patterns = {
        "integer": r"-?\d+",
        "decimal": r"-?\d+(\.\d+)?",
        "gYearMonth": r"\d{4}-(0[1-9]|1[0-2])",
        "string": r".*",
    }
    keys = set()
    for row in rows[1:]:
        assert len(row) == len(columns)
        for cell, column in zip(row, columns, strict=True):
            datatype = column["datatype"] if isinstance(column["datatype"], dict) else {"base": column["datatype"]}
            if cell == "":  # CSVW's default null
                assert not column["required"], column["name"]
                continue
            assert re.fullmatch(patterns[datatype["base"]], cell), (column["name"], cell)
            if "format" in datatype:
                assert re.fullmatch(datatype["format"], cell), (column["name"], cell)
            if "minimum" in datatype:
                assert Decimal(cell) >= datatype["minimum"], (column["name"], cell)
            if "maximum" in datatype:
                assert Decimal(cell) <= datatype["maximum"], (column["name"], cell)
        keys.add(tuple(row[[c["name"] for c in columns].index(k)] for k in metadata["tableSchema"]["primaryKey"]))
    assert len(keys) == len(rows) - 1  # the primary key is unique


_LABELS = {
    "en": ("Service performance", "User satisfaction", "January 2025", "Not published (fewer than 5)"),
    "nl": ("Prestaties van onze diensten", "Tevredenheid", "januari 2025", "Niet gepubliceerd (minder dan 5)"),
}
_UNITS = {
    "en": {"percent": "{}%", "days": "{} days", "working_hours": "{} working hours", "EUR": "EUR {}", "cases": "{}"},
    "nl": {"percent": "{}%", "days": "{} dagen", "working_hours": "{} werkuren", "EUR": "EUR {}", "cases": "{}"},
}


def _display(figure: dict[str, Any], language: str) -> str:
    """How the page writes a published figure: one decimal (cents for money), the reader's decimal sign."""
    value = figure["value"]
    number = str(value) if figure["unit"] == "cases" else f"{value:.2f}" if figure["unit"] == "EUR" else f"{value:.1f}"
    return _UNITS[language][figure["unit"]].format(number.replace(".", ",") if language == "nl" else number)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_service_page_tables_show_the_published_figures_in_both_languages(history: None, language: str) -> None:
    document = _get("/portal/transparency/tax_refund.json").json()
    response = _get("/portal/transparency/tax_refund/", language)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=300"
    page = lxml_html.fromstring(response.content)
    heading, satisfaction, january, suppressed = _LABELS[language]
    assert page.get("lang") == language
    assert page.findtext(".//h1") == SERVICE.title.get(language)
    assert heading in page.findtext(".//span[@class='govuk-caption-l']")
    assert page.get_element_by_id("user_satisfaction").text == satisfaction
    shown = 0
    for key in document["months"][0]["figures"]:
        rows = page.get_element_by_id(f"{key}-table").findall(".//tbody/tr")
        assert len(rows) == 12
        for row, month in zip(rows, document["months"], strict=True):
            figure, cell = month["figures"][key], row.findall("td")[0].text
            if figure["status"] == "suppressed":
                assert cell == suppressed, (key, month["period"])
            elif figure["status"] == "published":
                assert cell == _display(figure, language), (key, month["period"])
                shown += 1
            if figure["base"] is not None:
                assert row.findall("td")[1].text == str(figure["base"])
        # a text summary sits above every chart
        assert page.get_element_by_id(f"{key}-summary").text_content().strip()
    assert shown > 20
    january_row = page.get_element_by_id("user_satisfaction-table").findall(".//tbody/tr")[7]
    assert january_row.findtext("th") == january
    assert january_row.findall("td")[0].text == ("66,7%" if language == "nl" else "66.7%")
    summary = page.get_element_by_id("user_satisfaction-summary").text_content()
    assert ("60,0%" if language == "nl" else "60.0%") in summary  # March: the latest published month
    assert ("1 maand" if language == "nl" else "1 month") in summary  # February: suppressed
    # the charts are decoration beside the tables: hidden from assistive technology
    charts = page.find_class("portal-transparency-chart")
    assert len(charts) == len(document["months"][0]["figures"])
    assert all(chart.get("aria-hidden") == "true" for chart in charts)
    assert ("minder dan 5 zaken" if language == "nl" else "fewer than 5 cases") in page.text_content()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_index_lists_the_services_files_and_catalogue_and_the_portal_footer_links_to_it(language: str) -> None:
    response = _get("/portal/transparency/", language)
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content)
    links = {a.get("href") for a in page.iter("a")}
    for service_id in ("building_permit", "tax_refund", "record_transfer"):
        assert {f"/portal/transparency/{service_id}/", f"/portal/transparency/{service_id}.csv",
                f"/portal/transparency/{service_id}.json"} <= links  # fmt: skip
    assert {"/portal/transparency/catalog.jsonld", "/portal/transparency/schema/kpis.json",
            "/portal/transparency/csv-metadata.json"} <= links  # fmt: skip
    assert page.findtext(".//h1") == _LABELS[language][0]
    assert ("juni 2024" if language == "nl" else "June 2024") in page.text_content()  # first published month
    footer = lxml_html.fromstring(_get("/portal/", language).content).find(".//footer")
    assert "/portal/transparency/" in {a.get("href") for a in footer.iter("a")}


# DCAT-AP 3.0 mandatory and recommended properties this catalogue promises, per class
_CATALOG = {"@id", "@type", "dct:title", "dct:description", "dct:publisher", "dcat:dataset", "foaf:homepage",
            "dct:language", "dct:license", "dct:modified"}  # fmt: skip
_DATASET = {"@id", "@type", "dct:title", "dct:description", "dcat:contactPoint", "dcat:distribution",
            "dcat:keyword", "dct:publisher", "dct:temporal", "dcat:theme", "dct:identifier", "dct:language",
            "dct:modified", "dct:accrualPeriodicity", "dcat:landingPage"}  # fmt: skip
_DISTRIBUTION = {"@id", "@type", "dcat:accessURL", "dcat:downloadURL", "dcat:mediaType", "dct:format",
                 "dct:conformsTo", "dct:license", "dct:title"}  # fmt: skip


def test_catalogue_is_dcat_ap_json_ld_with_a_dataset_per_service_and_a_distribution_per_format() -> None:
    response = _get("/portal/transparency/catalog.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    assert response["Cache-Control"] == "public, max-age=3600"
    catalogue = json.loads(response.content)
    context = catalogue["@context"]
    assert context["dcat"] == "http://www.w3.org/ns/dcat#"
    assert context["dct"] == "http://purl.org/dc/terms/"
    assert catalogue["@type"] == "dcat:Catalog"
    assert set(catalogue) >= _CATALOG
    assert catalogue["dct:publisher"] == {"@type": "foaf:Agent", "foaf:name": settings.CIVICFLOW_AGENCY_NAME}
    assert catalogue["dct:license"] == {"@id": "http://publications.europa.eu/resource/authority/licence/CC0"}
    assert catalogue["dct:modified"] == {"@value": "2025-06-01", "@type": "xsd:date"}
    assert {t["@language"] for t in catalogue["dct:title"]} == {"en", "nl"}
    datasets = catalogue["dcat:dataset"]
    assert [d["dcat:landingPage"]["@id"].rsplit("/", 2)[1] for d in datasets] == [
        "building_permit", "tax_refund", "record_transfer"]  # fmt: skip
    for dataset in datasets:
        assert dataset["@type"] == "dcat:Dataset"
        assert set(dataset) >= _DATASET, _DATASET - set(dataset)
        assert dataset["dct:temporal"]["dcat:startDate"]["@value"] == "2024-06-01"
        assert dataset["dct:temporal"]["dcat:endDate"]["@value"] == "2025-05-31"
        assert dataset["dcat:contactPoint"]["vcard:hasEmail"] == {"@id": f"mailto:{settings.DEFAULT_FROM_EMAIL}"}
        formats = {}
        for distribution in dataset["dcat:distribution"]:
            assert distribution["@type"] == "dcat:Distribution"
            assert set(distribution) >= _DISTRIBUTION, _DISTRIBUTION - set(distribution)
            media = distribution["dcat:mediaType"]["@id"].removeprefix("http://www.iana.org/assignments/media-types/")
            formats[media] = distribution
            # every URL in the catalogue answers on this site
            for url in (distribution["dcat:downloadURL"]["@id"], distribution["dct:conformsTo"]["@id"],
                        distribution["dcat:accessURL"]["@id"]):  # fmt: skip
                assert url.startswith(settings.PUBLIC_URL)
                assert _get(url.removeprefix(settings.PUBLIC_URL)).status_code == 200, url
        assert set(formats) == {"text/csv", "application/json"}
        assert formats["application/json"]["dct:conformsTo"]["@id"].endswith("/portal/transparency/schema/kpis.json")
        assert formats["text/csv"]["dct:conformsTo"]["@id"].endswith("/portal/transparency/csv-metadata.json")


def test_licence_comes_from_the_setting(settings: Any) -> None:
    settings.CIVICFLOW_OPEN_DATA_LICENCE = "CC-BY-4.0"
    by = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    assert _get("/portal/transparency/catalog.jsonld").json()["dct:license"] == {"@id": by}
    assert _get("/portal/transparency/csv-metadata.json").json()["dc:license"] == {"@id": by}
    assert "CC-BY-4.0" in _get("/portal/transparency/").content.decode()


def test_endpoints_are_bounded_unknown_services_404_and_only_get_is_allowed() -> None:
    assert _get("/portal/transparency/nothing/").status_code == 404
    assert _get("/portal/transparency/nothing.csv").status_code == 404
    assert _get("/portal/transparency/nothing.json").status_code == 404
    with using_clock(VirtualClock(NOW)):
        assert client().post("/portal/transparency/tax_refund.json").status_code == 405
    plain = _get("/portal/transparency/tax_refund.json")
    assert plain["Cache-Control"] == "public, max-age=3600"
    # query parameters change nothing (there is no way to ask for more months or other periods)
    asked = _get("/portal/transparency/tax_refund.json?months=100000&period=1900")
    assert asked.content == plain.content
    assert len(plain.json()["months"]) == 12


def test_months_come_from_the_dashboards_snapshots_not_from_the_read_models_each_time(history: None) -> None:
    first = _get("/portal/transparency/tax_refund.json").json()
    assert set(KpiSnapshot.objects.filter(service="tax_refund").values_list("key", flat=True)) == set(MONTHS)
    # were the months computed again, every figure would drop to zero
    KpiCase.objects.all().delete()
    assert _get("/portal/transparency/tax_refund.json").json() == first
    assert _get("/portal/transparency/tax_refund/").status_code == 200


def test_months_are_the_twelve_whole_months_before_now() -> None:
    from civicflow.portal._transparency_figures import published_months

    months = published_months(datetime(2026, 1, 1, 0, 0, tzinfo=UTC))
    assert [m.label for m in months] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert months[-1].end == datetime(2026, 1, 1, tzinfo=UTC)
    assert published_months(datetime(2026, 3, 31, 23, 59, tzinfo=UTC))[0] == Period.of(
        PeriodKind.MONTH, date(2025, 3, 1)
    )
    assert published_months(datetime(2026, 3, 31, 23, 59, tzinfo=UTC))[-1].start + timedelta(days=28) < datetime(
        2026, 3, 31, tzinfo=UTC
    )
