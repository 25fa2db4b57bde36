"""API tokens: hashed storage, scopes per endpoint (deny by default), revocation, throttling, CLI."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import pytest
from django.test import override_settings
from rest_framework.test import APIClient
from typer.testing import CliRunner

from civicflow.api.auth import TokenPrincipal
from civicflow.api.models import ApiToken
from civicflow.api.tokens import create_token
from civicflow.security import policy

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.content  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/problem+json"  # type: ignore[index]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= body.keys()
    return body


def test_only_the_hash_of_the_secret_is_stored() -> None:
    issued = create_token("registry worker", ["work:registry-lookup", "read"])
    _, prefix, secret = issued.plaintext.split("_", 2)
    row = ApiToken.objects.get(prefix=prefix)
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps([row.name, row.prefix, row.secret_hash, row.scopes])
    assert row.scopes == ["read", "work:registry-lookup"]


def test_scopes_grant_what_they_name() -> None:
    def allows(scopes: list[str], action: str, topic: str | None = None) -> bool:
        return policy.can(TokenPrincipal(create_token("t", scopes).token), action, topic)

    assert allows(["admin"], "api_start")
    assert allows(["work:*"], "api_work", "anything")
    assert allows(["work:a"], "api_work", "a")
    assert not allows(["work:a"], "api_work", "b")
    assert allows(["work:a"], "api_work")  # some topic: the view checks the task's
    assert not allows(["read"], "api_start")
    assert not allows(["start"], "api_read")
    assert not allows(["metrics"], "api_read")
    assert allows(["metrics"], "api_metrics")


def test_no_token_is_401_with_a_challenge() -> None:
    body = _problem(APIClient().get("/api/v1/process-instances"), 401)
    assert body["instance"] == "/api/v1/process-instances"


def test_a_wrong_token_is_401(token: Callable[..., str]) -> None:
    real = token("read")
    for bad in (real[:-2] + "xx", "cf_zzzzzzzz_" + "a" * 43, "nonsense", real + " extra"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {bad}")
        response = client.get("/api/v1/process-instances")
        _problem(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {real}")
    _problem(client.get("/api/v1/process-instances"), 401)


def test_a_revoked_token_is_refused(token: Callable[..., str]) -> None:
    from civicflow.api.tokens import revoke_token

    text = token("read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    assert client.get("/api/v1/process-instances").status_code == 200
    revoke_token(text.split("_")[1])
    _problem(client.get("/api/v1/process-instances"), 401)


def test_a_missing_scope_is_403(client_for: Callable[..., APIClient]) -> None:
    reader = client_for("read")
    body = _problem(reader.post("/api/v1/process-instances", {"processId": "permit"}, format="json"), 403)
    assert "start" in str(body["detail"])
    _problem(client_for("start").get("/api/v1/process-instances"), 403)
    _problem(client_for("work:x").get("/api/v1/deployments"), 403)


def test_last_used_is_recorded(client_for: Callable[..., APIClient]) -> None:
    client_for("read").get("/api/v1/process-instances")
    assert ApiToken.objects.get().last_used is not None


@override_settings(CIVICFLOW_API_THROTTLE_RATE="3/min")
def test_throttling_counts_per_token(client_for: Callable[..., APIClient]) -> None:
    first, second = client_for("read"), client_for("read")
    assert [first.get("/api/v1/process-instances").status_code for _ in range(3)] == [200, 200, 200]
    response = first.get("/api/v1/process-instances")
    _problem(response, 429)
    assert int(response["Retry-After"]) >= 1
    assert second.get("/api/v1/process-instances").status_code == 200


def test_cli_creates_lists_and_revokes_tokens() -> None:
    from civicflow.cli.app import app

    runner = CliRunner()
    created = runner.invoke(app, ["token", "create", "registry", "--scope", "read", "--scope", "work:registry-lookup"])
    assert created.exit_code == 0, created.output
    text = created.stdout.strip().splitlines()[0]
    assert text.startswith("cf_")
    prefix = text.split("_")[1]
    listed = runner.invoke(app, ["token", "list", "--json"])
    assert listed.exit_code == 0
    [row] = json.loads(listed.stdout)
    assert (row["prefix"], row["scopes"], row["revoked"]) == (prefix, ["read", "work:registry-lookup"], None)
    assert text.split("_", 2)[2] not in listed.stdout
    assert runner.invoke(app, ["token", "revoke", prefix]).exit_code == 0
    assert ApiToken.objects.get(prefix=prefix).revoked is not None
    bad = runner.invoke(app, ["token", "create", "x", "--scope", "root"])
    assert bad.exit_code == 1
    assert "unknown scope 'root'" in bad.output
    assert runner.invoke(app, ["token", "revoke", "nope"]).exit_code == 1


def test_the_admin_creates_a_token_shows_it_once_and_revokes(client: object) -> None:
    from django.contrib.auth.models import User

    staff = User.objects.create_superuser("ops", "ops@example.org", "a-long-password-1")
    client.force_login(staff)  # type: ignore[attr-defined]
    response = client.post(  # type: ignore[attr-defined]
        "/admin/api/apitoken/add/", {"name": "registry", "scopes_text": "read work:registry-lookup"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="registry")
    assert token.scopes == ["read", "work:registry-lookup"]
    shown = [str(m) for m in response.context["messages"]]
    [text] = [m.split(": ", 1)[1] for m in shown if "not shown again" in m]
    assert text.startswith(f"cf_{token.prefix}_")
    assert token.secret_hash == hashlib.sha256(text.split("_", 2)[2].encode()).hexdigest()
    listed = client.get("/admin/api/apitoken/")  # type: ignore[attr-defined]
    assert text.split("_", 2)[2] not in listed.content.decode()
    client.post(  # type: ignore[attr-defined]
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    token.refresh_from_db()
    assert token.revoked is not None
    bad = client.post("/admin/api/apitoken/add/", {"name": "x", "scopes_text": "root"})  # type: ignore[attr-defined]
    assert bad.status_code == 200
    assert not ApiToken.objects.filter(name="x").exists()
