"""The parties API (issue #13): lookup by identifier through the blind index, the record through
open_party_record (200 for the caller's department, 403 for another, 404 unknown), every read audited."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from civicflow.parties.models import Party
from civicflow.runtime.definitions import clear_caches
from civicflow.security.models import AuditEntry
from support.party_pages import ANNA_EMAIL, NATIONAL_ID, PartyWorld, build_party_world
from support.workbench import staff

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def world(settings: Any, tmp_path: Path) -> Iterator[PartyWorld]:
    settings.MEDIA_ROOT = tmp_path
    yield build_party_world()
    clear_caches()  # the next test's deployments reuse these rolled-back ids


@pytest.fixture
def party(world: PartyWorld) -> Party:
    return world.party


def _session(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _viewed() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="PartyViewed"))


def test_a_caseworker_of_the_department_reads_the_record_and_the_view_is_audited(world: PartyWorld) -> None:
    party = world.party
    ingrid = staff("ingrid", "intake")
    response = _session(ingrid).get(f"/api/v1/parties/{party.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == str(party.pk)
    assert (body["kind"], body["identifierScheme"], body["identifier"]) == ("citizen", "national-id", NATIONAL_ID)
    assert (body["name"], body["email"]) == ("Anna de Vries", ANNA_EMAIL)
    assert body["limited"] is True  # only what is tied to Intake's case (purpose limitation)
    assert [(c["instanceId"], c["service"], c["role"]) for c in body["cases"]] == [
        (str(world.permit.pk), "building_permit", "applicant")
    ]
    assert [d["id"] for d in body["uploaded"]] == [str(world.upload.pk)]
    assert [c["id"] for c in body["consents"]] == [str(world.consent.pk)]
    assert [e["evidenceType"] for e in body["evidence"]] == ["income-statement"]
    assert [p["sourceDetail"] for p in body["prefills"]] == ["Population register"]
    [entry] = _viewed()
    assert (entry.actor, entry.object_type, entry.object_ref) == (f"user:{ingrid.pk}", "party", str(party.pk))
    assert entry.details["channel"] == "api"
    assert NATIONAL_ID not in str(entry.details)  # references, never the values


def test_another_department_is_refused_with_403_and_nothing_is_audited_as_viewed(party: Party) -> None:
    zeno = staff("zeno", "zoning")
    response = _session(zeno).get(f"/api/v1/parties/{party.pk}")
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    problem = response.json()
    assert (problem["status"], problem["type"].rsplit("/", 1)[1]) == (403, "forbidden")
    assert "Anna" not in response.content.decode()
    assert _viewed() == []


def test_an_unknown_party_is_404_and_a_bad_id_too(client_for: Callable[..., APIClient], party: Party) -> None:
    reader = client_for("read")
    missing = reader.get("/api/v1/parties/00000000-0000-4000-8000-000000000000")
    assert (missing.status_code, missing["Content-Type"]) == (404, PROBLEM)
    assert reader.get("/api/v1/parties/not-a-uuid").status_code == 404
    assert _viewed() == []


def test_tokens_read_and_admin_read_every_record_metrics_may_not(
    client_for: Callable[..., APIClient], party: Party
) -> None:
    for scopes in (("read",), ("admin",)):
        response = client_for(*scopes).get(f"/api/v1/parties/{party.pk}")
        assert response.status_code == 200, scopes
        assert (response.json()["limited"], len(response.json()["cases"])) == (False, 2)
    refused = client_for("metrics").get(f"/api/v1/parties/{party.pk}")
    assert (refused.status_code, refused["Content-Type"]) == (403, PROBLEM)
    assert [e.actor.split(":")[0] for e in _viewed()] == ["token", "token"]


def test_lookup_by_identifier_finds_only_what_the_caller_may_open(
    client_for: Callable[..., APIClient], party: Party
) -> None:
    url = "/api/v1/parties"
    found = client_for("read").get(url, {"scheme": "national-id", "identifier": f" {NATIONAL_ID} "})
    assert found.status_code == 200, found.content
    assert [p["id"] for p in found.json()] == [str(party.pk)]
    assert set(found.json()[0]) == {"id", "kind", "identifierScheme", "created"}  # no personal values
    [looked] = AuditEntry.objects.filter(action="PartyLookedUp")
    assert (looked.object_ref, looked.details) == (str(party.pk), {"channel": "api", "scheme": "national-id"})
    assert client_for("read").get(url, {"scheme": "national-id", "identifier": "999999990"}).json() == []
    assert client_for("read").get(url, {"scheme": "email", "identifier": NATIONAL_ID}).json() == []
    intake, zoning = staff("ingrid", "intake"), staff("zeno", "zoning")
    query = {"scheme": "national-id", "identifier": NATIONAL_ID}
    assert [p["id"] for p in _session(intake).get(url, query).json()] == [str(party.pk)]
    assert _session(zoning).get(url, query).json() == []  # a party without a case of theirs is not revealed


@pytest.mark.parametrize(
    ("query", "field"),
    [({}, "scheme"), ({"scheme": "national-id"}, "identifier"), ({"scheme": "passport", "identifier": "1"}, "scheme")],
)
def test_lookup_without_a_scheme_and_identifier_is_400_never_a_listing(
    client_for: Callable[..., APIClient], party: Party, query: dict[str, str], field: str
) -> None:
    response = client_for("admin").get("/api/v1/parties", query)
    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert field in response.json()["errors"]


def test_the_openapi_document_has_both_operations(client_for: Callable[..., APIClient]) -> None:
    schema = APIClient().get("/api/v1/schema?format=json").json()
    lookup = schema["paths"]["/api/v1/parties"]["get"]
    assert {p["name"] for p in lookup["parameters"]} >= {"scheme", "identifier"}
    detail = schema["paths"]["/api/v1/parties/{id}"]["get"]
    assert {"200", "403", "404"} <= set(detail["responses"])
    assert "application/problem+json" in detail["responses"]["403"]["content"]


def test_an_erased_party_reads_as_nulls(client_for: Callable[..., APIClient], party: Party) -> None:
    from civicflow.security import keys

    keys.shred(party.subject)
    body = client_for("read").get(f"/api/v1/parties/{party.pk}").json()
    assert [body[k] for k in ("identifier", "name", "email", "phone", "address")] == [None] * 5
    assert {m["subject"] for m in body["messages"]} == {None}
