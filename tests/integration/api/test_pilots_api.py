"""The pilots API (issue #14): start, status with both versions' comparison, adopt, stop, refusals
as problem+json and the scopes each call needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from civicflow.pilots.models import PilotAssignment, PilotStatus
from civicflow.runtime import services
from civicflow.runtime.kpi_projection import catch_up
from civicflow.runtime.models import ProcessInstance
from civicflow.security.models import AuditEntry
from support.pilots import PROCESS, deploy_versions

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def versions(db: Any) -> None:
    deploy_versions()


def _start(client: APIClient, **fields: Any) -> Any:
    return client.post("/api/v1/pilots", {"processId": PROCESS, "candidateVersion": 2, **fields}, format="json")


def test_start_list_and_status(versions: None, admin: APIClient) -> None:
    created = _start(admin, share="0.5", note="parallel reviews")
    assert created.status_code == 201, created.content
    pilot = created.json()
    assert (pilot["currentVersion"], pilot["candidateVersion"], pilot["share"]) == (1, 2, "0.5000")
    assert (pilot["status"], pilot["note"], pilot["ended"]) == ("running", "parallel reviews", None)
    assert AuditEntry.objects.get(action="PilotStarted").actor.startswith("token:")
    started = [services.start_instance(PROCESS, business_key=f"K-{i}") for i in range(30)]
    for instance in started[:20]:
        services.cancel_instance(instance.pk)
    catch_up()
    listed = admin.get("/api/v1/pilots").json()
    assert [p["id"] for p in listed] == [pilot["id"]]
    status = admin.get(f"/api/v1/pilots/{pilot['id']}")
    assert status.status_code == 200
    body = status.json()
    arms = dict(PilotAssignment.objects.values_list("instance_id", "candidate"))
    on_candidate = sum(1 for c in arms.values() if c)
    assert body["summary"]["current"] == 30 - on_candidate
    assert body["summary"]["candidate"] == on_candidate
    assert body["summary"]["candidateShare"] == pytest.approx(on_candidate / 30)
    measures = {m["measure"]: m for m in body["measures"]}
    assert {"processing", "sla", "rework", "incidents", "satisfaction"} <= set(measures)
    incidents = measures["incidents"]
    finished_candidate = sum(1 for i in started[:20] if arms[i.pk])
    assert incidents["counts"] == {"current": 20 - finished_candidate, "candidate": finished_candidate}
    assert incidents["test"]["name"] == "two-proportion z (two-sided)"
    assert incidents["current"]["estimate"] == 0.0
    assert set(incidents["current"]) == {"estimate", "low", "high"}
    processing = measures["processing"]
    assert processing["test"]["name"] == "Mann-Whitney U (two-sided)"
    assert processing["test"]["pValue"] is None
    assert processing["test"]["note"] == "needs at least 5 finished cases per version"
    assert (processing["unit"], processing["lowerIsBetter"]) == ("seconds", True)


def test_adopt_with_migration(versions: None, admin: APIClient) -> None:
    pilot = _start(admin, share="0.5").json()
    for i in range(12):
        services.start_instance(PROCESS, business_key=f"R-{i}")
    on_current = {str(pk) for pk in ProcessInstance.objects.filter(definition__version=1).values_list("pk", flat=True)}
    assert on_current
    adopted = admin.post(f"/api/v1/pilots/{pilot['id']}/adopt", {"migrate": True}, format="json")
    assert adopted.status_code == 200, adopted.content
    assert adopted.json()["pilot"]["status"] == "adopted"
    assert set(adopted.json()["migrated"]) == on_current
    assert not ProcessInstance.objects.filter(definition__version=1, status="active").exists()
    again = admin.post(f"/api/v1/pilots/{pilot['id']}/stop")
    assert again.status_code == 409
    assert again["Content-Type"] == PROBLEM
    assert "already adopted" in again.json()["detail"]


def test_stop_and_adopt_without_migration(versions: None, admin: APIClient) -> None:
    first = _start(admin, share="1").json()
    during = services.start_instance(PROCESS, business_key="D-1")
    stopped = admin.post(f"/api/v1/pilots/{first['id']}/stop")
    assert stopped.status_code == 200
    assert stopped.json()["status"] == PilotStatus.STOPPED
    assert stopped.json()["endedBy"].startswith("token:")
    during.refresh_from_db()
    assert (during.definition.version, during.status) == (2, "active")
    second = _start(admin, share="0.5").json()
    services.start_instance(PROCESS, business_key="D-2")
    kept = admin.post(f"/api/v1/pilots/{second['id']}/adopt", {}, format="json")
    assert kept.status_code == 200
    assert kept.json()["migrated"] == []


def test_refusals_are_problems(versions: None, admin: APIClient) -> None:
    too_big = _start(admin, share="1.5")
    assert too_big.status_code == 400
    assert too_big["Content-Type"] == PROBLEM
    assert "share" in too_big.json()["errors"]
    same = _start(admin, share="0.3", currentVersion=2)
    assert same.status_code == 409
    assert same["Content-Type"] == PROBLEM
    assert same.json()["detail"] == "the candidate and the current version are the same"
    assert _start(admin, share="0.3", rule='district = "north').status_code == 409
    missing = admin.post("/api/v1/pilots", {"processId": PROCESS, "candidateVersion": 9, "share": "0.3"}, format="json")
    assert missing.status_code == 404
    assert missing["Content-Type"] == PROBLEM
    assert admin.get("/api/v1/pilots/999999").status_code == 404
    bad_mapping = admin.post("/api/v1/pilots/1/adopt", {"migrate": [1, 2]}, format="json")
    assert bad_mapping.status_code == 400
    assert "migrate" in bad_mapping.json()["errors"]
    assert _start(admin, share="0.3").status_code == 201
    twice = _start(admin, share="0.3")
    assert twice.status_code == 409
    assert "already running" in twice.json()["detail"]


def test_scopes(versions: None, admin: APIClient, client_for: Callable[..., APIClient]) -> None:
    pilot = _start(admin, share="0.5").json()
    read, start = client_for("read"), client_for("start")
    assert read.get("/api/v1/pilots").status_code == 200
    assert read.get(f"/api/v1/pilots/{pilot['id']}").status_code == 200
    for denied in (
        _start(read, share="0.5"),
        read.post(f"/api/v1/pilots/{pilot['id']}/stop"),
        start.post(f"/api/v1/pilots/{pilot['id']}/adopt", {}, format="json"),
    ):
        assert denied.status_code == 403
        assert denied["Content-Type"] == PROBLEM
    assert start.get("/api/v1/pilots").status_code == 403
    assert APIClient().get("/api/v1/pilots").status_code == 401
    assert admin.get(f"/api/v1/pilots/{pilot['id']}").json()["pilot"]["status"] == "running"
