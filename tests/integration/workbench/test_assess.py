"""The workbench's Assess section through Django's test client: sources, analyses, errors, access."""

from __future__ import annotations

import gzip
import html as markup
import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from civicflow.runtime import services
from civicflow.runtime.models import ProcessInstance, UserTask
from civicflow.services import service
from civicflow.workbench import _assess_logs
from support.workbench import APPLICATION, signed_in, staff

pytestmark = pytest.mark.django_db

# Three cases; "Check" is repeated in c2, so c2 has rework and a self loop.
CSV = """case,activity,when,who,team
c1,Register,2025-03-03T09:00:00+01:00,anna,intake
c1,Check,2025-03-03T10:00:00+01:00,bert,zoning
c1,Decide,2025-03-04T10:00:00+01:00,carla,permits
c2,Register,2025-03-03T09:30:00+01:00,anna,intake
c2,Check,2025-03-03T11:30:00+01:00,bert,zoning
c2,Check,2025-03-05T11:30:00+01:00,bert,zoning
c2,Decide,2025-03-06T11:30:00+01:00,carla,permits
c3,Register,2025-03-04T09:00:00+01:00,anna,intake
c3,Decide,2025-03-04T12:00:00+01:00,dirk,permits
"""

XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">
  <trace><string key="concept:name" value="t1"/>
    <event><string key="concept:name" value="A"/><date key="time:timestamp" value="2025-01-01T10:00:00Z"/></event>
    <event><string key="concept:name" value="B"/><date key="time:timestamp" value="2025-01-01T12:00:00Z"/></event>
  </trace>
  <trace><string key="concept:name" value="t2"/>
    <event><string key="concept:name" value="A"/><date key="time:timestamp" value="2025-01-02T10:00:00Z"/></event>
    <event><string key="concept:name" value="C"/><date key="time:timestamp" value="2025-01-02T10:30:00Z"/></event>
  </trace>
</log>
"""

MAPPING = {
    "column-case": "case",
    "column-activity": "activity",
    "column-timestamp": "when",
    "column-resource": "who",
    "column-department": "team",
}


@pytest.fixture(autouse=True)
def instance_folder(settings: Any, tmp_path: Path) -> Path:
    settings.INSTANCE_DIR = tmp_path
    return tmp_path


@pytest.fixture
def analyst(db: Any) -> User:
    return staff("alex", "intake")


def _upload(client: Client, name: str, content: bytes, **fields: str) -> Any:
    data: dict[str, Any] = {"log": SimpleUploadedFile(name, content), **fields}
    return client.post(reverse("workbench:assess_upload"), data)


def _table(html: str, caption: str) -> list[list[str]]:
    """Rows of the table with this caption, as cell texts."""
    match = re.search(rf"<caption[^>]*>{re.escape(caption)}</caption>(.*?)</table>", html, re.DOTALL)
    assert match, caption
    body = match.group(1).split("<tbody", 1)[1]
    return [
        [
            markup.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.DOTALL)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)
    ]


def _error_summary(html: str) -> list[str]:
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.DOTALL)
    assert summary, html
    return [
        markup.unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", summary.group(0))
    ]


def test_anonymous_and_non_staff_are_kept_out(analyst: User) -> None:
    for url in (reverse("workbench:assess"), reverse("workbench:assess_log", args=["logs", "0" * 64])):
        response = Client().get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith(reverse("workbench:login"))
    citizen = staff("carla", is_staff=False)
    assert signed_in(citizen).get(reverse("workbench:assess")).status_code == 403
    assert signed_in(citizen).post(reverse("workbench:assess_upload")).status_code == 403


def test_upload_needs_the_csrf_token(analyst: User) -> None:
    client = signed_in(analyst, csrf=True)
    response = _upload(client, "log.csv", CSV.encode(), **MAPPING)
    assert response.status_code == 403


def test_csv_upload_is_analysed_and_matches_an_independent_count(analyst: User) -> None:
    client = signed_in(analyst)
    response = _upload(client, "permits.csv", CSV.encode(), **MAPPING)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "3 cases, 9 events and 3 variants" in html
    # directly-follows pairs counted here without the mining module
    rows = [line.split(",") for line in CSV.strip().splitlines()[1:]]
    expected = Counter((a[1], b[1]) for a, b in itertools.pairwise(rows) if a[0] == b[0])
    edges = _table(html, "Connections: one activity directly followed by another")
    assert {(r[0], r[1]): int(r[2]) for r in edges} == expected
    assert ["Check", "2", "1", "1"] in _table(html, "Activities done more than once in a case")
    assert _table(html, "Self loops: an activity directly followed by itself") == [["Check", "1", "2.0 days"]]
    handovers = {(r[0], r[1]): int(r[2]) for r in _table(html, "Handovers of work")}
    assert handovers == {("anna", "bert"): 2, ("bert", "carla"): 2, ("anna", "dirk"): 1}
    departments = client.get(page.request["PATH_INFO"] + "?network=department").content.decode()
    by_team = {(r[0], r[1]): int(r[2]) for r in _table(departments, "Handovers of work")}
    assert by_team == {("intake", "zoning"): 2, ("zoning", "permits"): 2, ("intake", "permits"): 1}
    durations = _table(html, "Case duration percentiles")
    assert durations[-1] == ["longest", "3.1 days"]  # c2: 3 March 09:30 to 6 March 11:30
    svg = client.get(page.request["PATH_INFO"] + "map.svg?view=performance")
    assert svg.status_code == 200
    assert svg.headers["Content-Type"].startswith("image/svg+xml")
    assert "Register" in svg.content.decode()
    assert "<svg" in client.get(page.request["PATH_INFO"] + "handover.svg").content.decode()


def test_filters_cut_the_map_and_bad_filters_give_an_error_summary(analyst: User) -> None:
    client = signed_in(analyst)
    url = _upload(client, "permits.csv", CSV.encode(), **MAPPING).headers["Location"]
    frequent = _table(
        client.get(url + "?min=2").content.decode(), "Connections: one activity directly followed by another"
    )
    assert {(r[0], r[1]) for r in frequent} == {("Register", "Check"), ("Check", "Decide")}
    bad = client.get(url + "?min=zero&top=1")
    assert bad.status_code == 400
    assert _error_summary(bad.content.decode()) == [
        "Enter the minimum number of times as a whole number, 1 or more",
        "Enter the number of activities as a whole number from 2 to 100",
    ]
    assert "<title>Error:" in bad.content.decode()


def test_xes_and_gzipped_xes_uploads(analyst: User) -> None:
    client = signed_in(analyst)
    for name, content in (("small.xes", XES.encode()), ("small.xes.gz", gzip.compress(XES.encode()))):
        response = _upload(client, name, content)
        assert response.status_code == 302, response.content.decode()
        html = client.get(response.headers["Location"]).content.decode()
        assert "2 cases, 4 events and 2 variants" in html
    listed = client.get(reverse("workbench:assess")).content.decode()
    assert "small.xes.gz" in listed
    assert "small.xes<" in listed


@pytest.mark.parametrize(
    ("name", "content", "fields", "field", "message"),
    [
        ("log.txt", b"x", {}, "log", "Select an XES (.xes, .xes.gz) or CSV (.csv) file"),
        (
            "log.csv",
            CSV.encode(),
            {**MAPPING, "column-case": ""},
            "column-case",
            "Enter the name of the column with the case id",
        ),
        (
            "log.csv",
            CSV.encode(),
            {**MAPPING, "column-activity": "step"},
            "log",
            (
                "The event log could not be read: log.csv, column step: mapped column 'step' (for concept:name)"
                " is missing; the file has case, activity, when, who, team"
            ),
        ),
        (
            "log.csv",
            CSV.replace("2025-03-04T12:00:00+01:00", "noon").encode(),
            MAPPING,
            "log",
            "The event log could not be read: log.csv, line 10, row 9, column when: cannot parse timestamp 'noon'",
        ),
        (
            "broken.xes",
            XES[:300].encode(),
            {},
            "log",
            None,
        ),
    ],
)
def test_unreadable_uploads_are_explained(
    analyst: User, name: str, content: bytes, fields: dict[str, str], field: str, message: str | None
) -> None:
    response = _upload(signed_in(analyst), name, content, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    errors = _error_summary(html)
    assert len(errors) == 1
    if message is not None:
        assert errors == [message]
    else:
        assert errors[0].startswith("The event log could not be read: broken.xes, line ")
    assert f'href="#{field}"' in html
    assert f'id="{field}-error"' in html


def test_upload_over_the_limit_is_refused(analyst: User, settings: Any) -> None:
    settings.CIVICFLOW_ASSESS_MAX_UPLOAD_BYTES = 100
    response = _upload(signed_in(analyst), "log.csv", CSV.encode(), **MAPPING)
    assert response.status_code == 413
    assert _error_summary(response.content.decode()) == ["The file must be 100\xa0bytes or smaller"]
    assert not list((Path(settings.INSTANCE_DIR) / "assess" / "logs").glob("*.parquet"))


def test_an_upload_is_visible_only_in_its_session(analyst: User) -> None:
    url = _upload(signed_in(analyst), "permits.csv", CSV.encode(), **MAPPING).headers["Location"]
    assert signed_in(analyst).get(url).status_code == 404
    assert signed_in(analyst).get(url + "map.svg").status_code == 404


def test_analysis_is_cached_per_log(analyst: User, monkeypatch: pytest.MonkeyPatch) -> None:
    client = signed_in(analyst)
    url = _upload(client, "permits.csv", CSV.encode(), **MAPPING).headers["Location"]
    first = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", client.get(url).content.decode())

    def unreadable(digest: str) -> None:
        raise AssertionError("the log was read again")

    monkeypatch.setattr("civicflow.workbench.views._assess.load_log", unreadable)
    again = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", client.get(url).content.decode())
    assert again == first


def test_engine_history_of_a_deployed_process(analyst: User) -> None:
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    cases = [
        services.start_instance(
            permit.process_id, business_key=f"BP-{i}", variables={**APPLICATION, "caseNumber": f"BP-{i}"}
        )
        for i in range(3)
    ]
    first = UserTask.objects.get(instance=cases[0], element_id="check_completeness")
    services.claim_task(first.pk, "ingrid")
    services.complete_task(first.pk, {"documentsComplete": True}, user="ingrid")
    client = signed_in(analyst)
    index = client.get(reverse("workbench:assess")).content.decode()
    url = reverse("workbench:assess_log", args=["processes", permit.process_id])
    assert f'href="{url}"' in index
    html = client.get(url).content.decode()
    assert "3 cases" in html
    edges = {(r[0], r[1]): int(r[2]) for r in _table(html, "Connections: one activity directly followed by another")}
    assert edges[("Check completeness", "Determine fee")] == 1
    # gateways are not activities of the map, and neither is the process itself
    assert not {"Complete?", permit.process_id} & {a for pair in edges for a in pair}
    assert edges[("Application submitted", "Check completeness")] == 1  # open tasks have no complete event yet
    assert ProcessInstance.objects.filter(definition__process_id=permit.process_id).count() == 3
    # a new event changes the history's fingerprint, so the page is computed afresh
    second = UserTask.objects.get(instance=cases[1], element_id="check_completeness")
    services.complete_task(second.pk, {"documentsComplete": True})
    again = {
        (r[0], r[1]): int(r[2])
        for r in _table(client.get(url).content.decode(), "Connections: one activity directly followed by another")
    }
    assert again[("Check completeness", "Determine fee")] == 2
    # who completed a task, and between which departments (the model's lanes) the work passed
    departments = client.get(url + "?network=department").content.decode()
    assert _table(departments, "Handovers of work") == [["Applicant", "Intake", "2", "2"]]
    # one person per case completed a task: no handover between people, so departments are the default
    people = client.get(url + "?network=resource").content.decode()
    assert _table(people, "Handovers of work") == [
        ["No handovers: the log records no performers, or one performer per case."]
    ]
    assert _table(client.get(url).content.decode(), "Handovers of work") == [["Applicant", "Intake", "2", "2"]]


def test_unknown_process_is_404(analyst: User) -> None:
    assert signed_in(analyst).get(reverse("workbench:assess_log", args=["processes", "nope"])).status_code == 404
    assert signed_in(analyst).get(reverse("workbench:assess_log", args=["other", "x"])).status_code == 404


@pytest.mark.parametrize("language", ["en", "nl"])
def test_assess_pages_in_both_languages(analyst: User, language: str) -> None:
    client = signed_in(analyst, language)
    index = client.get(reverse("workbench:assess"))
    assert index.status_code == 200
    assert f'<html lang="{language}"' in index.content.decode()
    url = _upload(client, "permits.csv", CSV.encode(), **MAPPING).headers["Location"]
    html = client.get(url).content.decode()
    expected = {"en": "3 cases, 9 events and 3 variants", "nl": "3 zaken, 9 gebeurtenissen en 3 varianten"}
    assert expected[language] in html


def test_engine_log_digest_is_stable_without_new_history(analyst: User) -> None:
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    services.start_instance(permit.process_id, business_key="BP-1", variables=APPLICATION)
    digest, built = _assess_logs.engine_log(permit.process_id)
    assert built is not None
    assert _assess_logs.engine_log(permit.process_id) == (digest, None)


CONFORMANCE_CSV = """case,activity,when
k1,Application submitted,2025-03-03T08:00:00+01:00
k1,Check completeness,2025-03-03T09:00:00+01:00
k1,Coffee,2025-03-03T09:30:00+01:00
k1,Determine fee,2025-03-03T10:00:00+01:00
k2,Check completeness,2025-03-04T09:00:00+01:00
k2,Coffee,2025-03-04T09:10:00+01:00
k3,Check completeness,2025-03-05T09:00:00+01:00
"""


def test_conformance_against_a_deployed_model(analyst: User) -> None:
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    model = f"{permit.process_id}:1"
    client = signed_in(analyst)
    fields = {"column-case": "case", "column-activity": "activity", "column-timestamp": "when"}
    url = _upload(client, "coffee.csv", CONFORMANCE_CSV.encode(), **fields).headers["Location"] + "conformance"
    form = client.get(url)
    assert form.status_code == 200
    assert f'<option value="{model}"' in form.content.decode()
    response = client.get(url, {"model": model})
    assert response.status_code == 200
    html = response.content.decode()
    deviations = {r[0]: (int(r[1]), int(r[2])) for r in _table(html, "Deviations per activity")}
    # "Coffee" is in no model: each of the two cases drinking it makes one log move
    assert deviations["Coffee (not in the model)"] == (2, 0)
    # every case stops early: the cheapest way to the model's end is the withdrawal path, with model
    # moves the log skipped, one per case (k1's "Determine fee" is then a log move off that path)
    assert deviations["Request missing documents"] == (0, 3)
    assert deviations["Notify withdrawal"] == (0, 3)
    assert deviations["Determine fee"] == (1, 0)
    # the start event is silent in the net: a log that records it is not blamed for it
    assert "Application submitted" not in deviations
    figures = re.findall(r'<dd class="govuk-summary-list__value">([\d.]+)%</dd>', html)
    assert len(figures) == 4
    assert all(0 <= float(f) < 100 for f in figures)
    island = re.search(r'<script id="conformance-diagram-data" type="application/json">(.*?)</script>', html, re.S)
    assert island
    diagram = json.loads(island.group(1))
    assert diagram["xml"].startswith("<?xml")
    assert {"determine_fee", "request_documents", "notify_withdrawal"} <= set(diagram["active"])
    assert "check_completeness" not in diagram["active"]


def test_conformance_refuses_an_unknown_model(analyst: User) -> None:
    client = signed_in(analyst)
    fields = {"column-case": "case", "column-activity": "activity", "column-timestamp": "when"}
    url = _upload(client, "coffee.csv", CONFORMANCE_CSV.encode(), **fields).headers["Location"] + "conformance"
    response = client.get(url, {"model": "nothing:9"})
    assert response.status_code == 400
    assert _error_summary(response.content.decode()) == ["Select a deployed process model"]


def test_conformance_of_the_engine_history_holds_only_finished_cases_to_the_model(analyst: User) -> None:
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    services.start_instance(permit.process_id, business_key="BP-1", variables=APPLICATION)
    url = reverse("workbench:assess_conformance", args=["processes", permit.process_id])
    response = signed_in(analyst).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{permit.process_id}:1" selected>' in html  # the process's own model by default
    assert 'id="unfinished"' in html
    assert 'id="figures"' not in html


def test_gzipped_uploads_are_unpacked_within_a_limit(analyst: User, settings: Any) -> None:
    settings.CIVICFLOW_ASSESS_MAX_UNPACKED_BYTES = 1000
    bomb = gzip.compress(XES.replace("</log>", " " * 100_000 + "</log>").encode())
    assert len(bomb) < 1000
    response = _upload(signed_in(analyst), "bomb.xes.gz", bomb)
    assert response.status_code == 413
    assert _error_summary(response.content.decode()) == ["The unpacked file must be 1000\xa0bytes or smaller"]
    truncated = _upload(signed_in(analyst), "cut.xes.gz", gzip.compress(XES.encode())[:-20])
    assert truncated.status_code == 400
    (message,) = _error_summary(truncated.content.decode())
    assert message.startswith("The event log could not be read: cut.xes.gz: not a readable gzip file: ")
