"""``GET /metrics``: Prometheus text output checked against a known database state, and its token rules."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from civicflow.api.tokens import create_token, revoke_token
from civicflow.runtime.models import (
    Deployment,
    Incident,
    Job,
    Outbox,
    ProcessDefinition,
    ProcessInstance,
    Resource,
    TaskCandidate,
    UserTask,
)
from civicflow.security.addresses import index, seal_address
from civicflow.site.operational_metrics import OperationalCollector
from civicflow.web.models import QueuedMail

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

STATIC_TOKEN = "m" * 40
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PERSONAL = ("alice.jansen@example.org", "Alice Jansen", "1234AB")


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the exposition text, keyed by name and label set (parsed by prometheus_client)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def _value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def _instance(process_id: str, n: int) -> ProcessInstance:
    now = timezone.now()
    deployment = Deployment.objects.create(name=f"d-{process_id}-{n}", created=now)
    resource = Resource.objects.create(
        deployment=deployment, name=f"{process_id}.bpmn", kind="bpmn", content="<x/>", content_hash="0" * 64
    )
    definition = ProcessDefinition.objects.get_or_create(
        process_id=process_id,
        version=1,
        defaults={
            "deployment": deployment,
            "resource": resource,
            "key": f"{process_id}:1",
            "content_hash": "0" * 64,
            "created": now,
        },
    )[0]
    return ProcessInstance.objects.create(
        id=uuid.UUID(int=n), definition=definition, business_key=PERSONAL[2], state="{}", started=now
    )


def _task(instance: ProcessInstance, key: int, groups: tuple[str, ...], *, state: str = "created") -> None:
    task = UserTask.objects.create(
        instance=instance,
        key=key,
        element_instance=key,
        element_id="review",
        name=f"Review {PERSONAL[1]}",
        assignee=PERSONAL[0],
        state=state,
        created=NOW,
    )
    for group in groups:
        TaskCandidate.objects.create(task=task, kind=TaskCandidate.GROUP, name=group)
    TaskCandidate.objects.create(task=task, kind=TaskCandidate.USER, name=PERSONAL[0])


def _job(instance: ProcessInstance, key: int, kind: str, type_: str, due: datetime | None, **extra: object) -> None:
    Job.objects.create(
        instance=instance, key=key, element_instance=key, element_id="e", kind=kind, type=type_, due_at=due, **extra
    )


@pytest.fixture
def known_state(settings: Any) -> None:
    settings.CIVICFLOW_EXTERNAL_TOPICS = ("register", "geo")
    permit, refund = _instance("building-permit", 1), _instance("tax-refund", 2)
    _task(permit, 1, ("permits",))
    _task(permit, 2, ("permits", "legal"))
    _task(refund, 3, ())
    _task(refund, 4, ("permits",), state="completed")
    _job(permit, 10, "timer", "reminder", NOW - timedelta(seconds=90))
    _job(permit, 11, "timer", "reminder", NOW - timedelta(seconds=30))
    _job(permit, 12, "timer", "deadline", NOW + timedelta(hours=1))  # not due yet
    _job(permit, 13, "service", "mail", NOW - timedelta(seconds=5))
    # held by a live worker: not waiting; an expired claim (dead worker) waits again
    _job(
        permit,
        14,
        "service",
        "mail",
        NOW - timedelta(seconds=500),
        lock_owner="w1",
        lock_expires_at=NOW + timedelta(minutes=1),
    )
    _job(
        refund, 15, "async", "", NOW - timedelta(seconds=7), lock_owner="w2", lock_expires_at=NOW - timedelta(seconds=1)
    )
    _job(refund, 16, "service", "register", NOW - timedelta(seconds=42))
    _job(refund, 17, "service", "register", NOW - timedelta(seconds=2))
    _job(refund, 18, "service", "mail", None)  # no retries left: waits on an incident
    for key, instance, state in (
        (1, permit, "open"),
        (2, permit, "open"),
        (3, refund, "open"),
        (4, refund, "resolved"),
    ):
        Incident.objects.create(
            instance=instance,
            key=key,
            element_instance=key,
            element_id="e",
            kind="job",
            message=PERSONAL[1],
            state=state,
            created=NOW,
        )
    Outbox.objects.create(event_type="x", payload={"email": PERSONAL[0]}, created=NOW - timedelta(seconds=300))
    Outbox.objects.create(event_type="x", created=NOW - timedelta(seconds=10))
    Outbox.objects.create(event_type="x", created=NOW - timedelta(seconds=900), published_at=NOW)
    for key, status in (("a", "pending"), ("b", "pending"), ("c", "dead"), ("d", "sent")):
        QueuedMail.objects.create(
            key=key,
            to_sealed=seal_address(f"mail:{key}", PERSONAL[0]),
            to_index=index(PERSONAL[0]),
            subject=PERSONAL[1],
            body="",
            status=status,
            created=NOW - timedelta(seconds=60),
        )


def _collect(now: datetime) -> str:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(OperationalCollector(now))
    return generate_latest(registry).decode()


@pytest.mark.usefixtures("known_state")
def test_gauges_match_the_known_state() -> None:
    text = _collect(NOW)
    s = _samples(text)
    assert _value(s, "civicflow_user_tasks_open") == 3
    assert _value(s, "civicflow_user_tasks_open_by_group", candidate_group="permits") == 2
    assert _value(s, "civicflow_user_tasks_open_by_group", candidate_group="legal") == 1
    assert _value(s, "civicflow_jobs_due", kind="timer") == 2
    assert _value(s, "civicflow_job_lag_seconds", kind="timer") == 90.0
    assert _value(s, "civicflow_jobs_due", kind="service") == 1  # the external "register" jobs are not counted
    assert _value(s, "civicflow_job_lag_seconds", kind="service") == 5.0
    assert _value(s, "civicflow_jobs_due", kind="async") == 1
    assert _value(s, "civicflow_job_lag_seconds", kind="async") == 7.0
    assert _value(s, "civicflow_jobs_due", kind="message") == 0
    assert _value(s, "civicflow_job_lag_seconds", kind="signal") == 0.0
    assert _value(s, "civicflow_jobs_waiting_on_incident") == 1
    assert _value(s, "civicflow_external_tasks_waiting", topic="register") == 2
    assert _value(s, "civicflow_external_task_lag_seconds", topic="register") == 42.0
    assert _value(s, "civicflow_external_tasks_waiting", topic="geo") == 0
    assert _value(s, "civicflow_incidents_open", process="building-permit") == 2
    assert _value(s, "civicflow_incidents_open", process="tax-refund") == 1
    assert _value(s, "civicflow_outbox_backlog") == 2
    assert _value(s, "civicflow_outbox_oldest_age_seconds") == 300.0
    assert _value(s, "civicflow_mail_backlog") == 2
    assert _value(s, "civicflow_mail_oldest_age_seconds") == 60.0
    assert _value(s, "civicflow_mail_dead") == 1
    for personal in PERSONAL:
        assert personal not in text


def test_an_empty_installation_reports_zeros(settings: Any) -> None:
    settings.CIVICFLOW_EXTERNAL_TOPICS = ("register",)
    s = _samples(_collect(NOW))
    assert _value(s, "civicflow_user_tasks_open") == 0
    assert _value(s, "civicflow_jobs_due", kind="timer") == 0
    assert _value(s, "civicflow_external_tasks_waiting", topic="register") == 0
    assert _value(s, "civicflow_outbox_backlog") == 0
    assert not [key for key in s if key[0] == "civicflow_incidents_open"]


@pytest.mark.usefixtures("known_state")
def test_endpoint_serves_the_gauges_and_the_request_histogram(settings: Any) -> None:
    settings.CIVICFLOW_METRICS_TOKEN = STATIC_TOKEN
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {STATIC_TOKEN}"}
    before = _samples(client.get("/metrics", **auth).content.decode())
    assert client.get("/healthz").status_code == 200
    assert client.get("/no-such-page-4711").status_code == 404
    response = client.get("/metrics", **auth)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    after = _samples(text)
    assert _value(after, "civicflow_incidents_open", process="building-permit") == 2
    assert _value(after, "civicflow_external_tasks_waiting", topic="register") == 2
    for view, status in (("healthz", "2xx"), ("unmatched", "4xx")):
        key = (
            "civicflow_http_request_duration_seconds_count",
            frozenset({"view": view, "method": "GET", "status": status}.items()),
        )
        assert after[key] - before.get(key, 0.0) == 1
    assert "no-such-page" not in text  # paths never become labels
    for personal in PERSONAL:
        assert personal not in text


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (None, 401),
        ("Basic bWU6cHc=", 401),
        ("Bearer ", 401),
        ("Bearer wrong-token-" + "x" * 30, 401),
        ("Bearer cf_abcdefgh_" + "y" * 40, 401),
    ],
)
def test_refused_without_a_valid_token(settings: Any, header: str | None, status: int) -> None:
    settings.CIVICFLOW_METRICS_TOKEN = STATIC_TOKEN
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = Client().get("/metrics", **extra)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == status
    assert response["WWW-Authenticate"] == 'Bearer realm="civicflow-metrics"'
    assert "civicflow_" not in response.content.decode()


def test_api_tokens_need_the_metrics_or_admin_scope() -> None:
    client = Client()

    def get(*scopes: str) -> int:
        token = create_token("prometheus", scopes).plaintext
        return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").status_code

    assert get("metrics") == 200
    assert get("admin") == 200
    refused = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {create_token('reader', ['read']).plaintext}")
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/forbidden")
    assert get("work:*") == 403


def test_a_revoked_token_is_refused() -> None:
    issued = create_token("prometheus", ["metrics"])
    revoke_token(issued.token.prefix)
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}").status_code == 401


def test_without_a_configured_token_only_api_tokens_work(settings: Any) -> None:
    settings.CIVICFLOW_METRICS_TOKEN = ""
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {STATIC_TOKEN}").status_code == 401


def test_only_get() -> None:
    token = create_token("prometheus", ["metrics"]).plaintext
    assert Client().post("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 405


@pytest.mark.usefixtures("known_state")
def test_openmetrics_when_prometheus_asks_for_it() -> None:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics_families

    token = create_token("prometheus", ["metrics"]).plaintext
    response = Client().get(
        "/metrics", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT="application/openmetrics-text; version=1.0.0"
    )
    assert response["Content-Type"].startswith("application/openmetrics-text")
    families = {family.name: family for family in openmetrics_families(response.content.decode())}
    assert [s.value for s in families["civicflow_outbox_backlog"].samples] == [2]


_WEB_PROCESS = """
import django
django.setup()
from django.http import HttpResponse
from django.test import RequestFactory
from civicflow.site.request_metrics import RequestMetricsMiddleware

middleware = RequestMetricsMiddleware(lambda request: HttpResponse(status=201))
for _ in range({n}):
    middleware(RequestFactory().post("/anything"))
"""


def test_multiprocess_mode_adds_up_every_web_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes observe requests into PROMETHEUS_MULTIPROC_DIR; a scrape in a third sees both."""
    shared = tmp_path / "metrics"
    shared.mkdir()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
        "DJANGO_SETTINGS_MODULE": "civicflow.site.settings",
        "CIVICFLOW_INSTANCE_DIR": str(tmp_path / "instance"),
        "CIVICFLOW_SECRET_KEY": "s" * 50,
    }
    for n in (3, 4):
        subprocess.run([sys.executable, "-c", _WEB_PROCESS.format(n=n)], env=env, check=True, timeout=120)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    token = create_token("prometheus", ["metrics"]).plaintext
    text = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()
    s = _samples(text)
    labels = {"view": "unmatched", "method": "POST", "status": "2xx"}
    assert _value(s, "civicflow_http_request_duration_seconds_count", **labels) == 7
    assert _value(s, "civicflow_http_request_duration_seconds_bucket", le="+Inf", **labels) == 7
    assert _value(s, "civicflow_outbox_backlog") == 0  # the database gauges are still there


def test_compose_web_uses_multiprocess_mode_on_a_fresh_directory() -> None:
    import yaml

    web = yaml.safe_load((Path(__file__).parents[3] / "deploy" / "compose.yaml").read_text())["services"]["web"]
    directory = web["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert any(mount.split(":", 1)[0] == directory for mount in web["tmpfs"])  # emptied at every start
    assert "--workers" in web["command"]


def test_a_short_configured_token_stops_start_up(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "civicflow.site.settings",
        "CIVICFLOW_INSTANCE_DIR": str(tmp_path),
        "CIVICFLOW_SECRET_KEY": "s" * 50,
        "CIVICFLOW_METRICS_TOKEN": "secret",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "CIVICFLOW_METRICS_TOKEN must be at least 32 characters" in done.stderr
