"""The authorization matrix (issue #11): every URL pattern of the site has an entry here, and every
workbench URL is requested as every role (and anonymous) and answers as the policy says.

A URL pattern without an entry in ``TABLE`` fails ``test_every_url_pattern_has_an_entry``: a new
page cannot skip the policy. Entries:

- ("wb", action, kind, methods): a workbench view guarded by ``policy.can(user, action[, obj])``;
  kind says which object fills the path (none, "task", "case", "document", "incident", ...);
  requested by every role below and compared with the policy's answer.
- ("public", why) / ("portal", why) / ("api", why) / ("admin", why): outside the workbench;
  listed so that they are accounted for; their own tests cover them (see the report in issue #11).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from civicflow.portal.models import Application, Document
from civicflow.runtime import services
from civicflow.runtime.models import Incident, UserTask
from civicflow.security import policy
from civicflow.services import service
from civicflow.web.attachments import document_storage
from support.workbench import APPLICATION, staff

pytestmark = pytest.mark.django_db

GET, POST = ("GET",), ("POST",)

TABLE: dict[str, tuple[Any, ...]] = {
    # the workbench
    "workbench:index": ("wb", "view_inbox", None, GET),
    "workbench:notifications": ("wb", "view_inbox", None, POST),
    "workbench:task": ("wb", "work_task", "task", GET + POST),
    "workbench:claim": ("wb", "work_task", "task", POST),
    "workbench:unclaim": ("wb", "work_task", "task", POST),
    "workbench:delegate": ("wb", "work_task", "task", POST),
    "workbench:case": ("wb", "view_case", "case", GET),
    "workbench:comment": ("wb", "comment_case", "case", POST),
    "workbench:document": ("wb", "view_case", "document", GET),
    "workbench:incidents": ("wb", "view_incidents", None, GET),
    "workbench:retry": ("wb", "retry_incident", "incident", POST),
    "workbench:deploy": ("wb", "deploy", None, GET + POST),
    "workbench:alerts": ("wb", "view_alerts", None, GET),
    "workbench:assess": ("wb", "assess", None, GET),
    "workbench:assess_upload": ("wb", "assess", None, POST),
    "workbench:assess_log": ("wb", "assess", "process-log", GET),
    "workbench:assess_conformance": ("wb", "assess", "process-log", GET),
    "workbench:assess_figure": ("wb", "assess", "process-figure", GET),
    "workbench:simulate": ("wb", "simulate", None, GET),
    "workbench:simulate_fit": ("wb", "simulate", None, POST),
    "workbench:kpi": ("wb", "view_kpis", None, GET),
    "workbench:kpi_service": ("wb", "view_kpis", "service", GET),
    "workbench:kpi_export": ("wb", "view_kpis", "export", GET),
    # signing in and out is for everyone; the two-factor page needs a staff account
    "workbench:login": ("public", "sign-in form"),
    "workbench:sign_in_code": ("public", "second step of signing in (pending session)"),
    "workbench:logout": ("public", "sign out"),
    "workbench:two_factor": ("public", "staff TOTP enrolment; refuses non-staff (test_signin_totp)"),
    "workbench:oidc_start": ("public", "OpenID Connect sign-in: to the staff identity provider (test_oidc_signin)"),
    "workbench:oidc_callback": ("public", "OpenID Connect callback: state, PKCE, ID token checked (test_oidc_signin)"),
    "portal:oidc-start": ("public", "OpenID Connect sign-in: to the eID broker (test_oidc_signin)"),
    "portal:oidc-callback": ("public", "OpenID Connect callback: state, PKCE, ID token checked (test_oidc_signin)"),
    "admin_sign_in": ("public", "the admin's sign-in goes through the workbench's"),
    "set_language": ("public", "language switch"),
    "healthz": ("public", "liveness"),
    "metrics": ("public", "Prometheus metrics; network-restricted in deployment"),
    "web:home": ("public", "site home"),
    "web:accessibility": ("public", "statement"),
    "web:privacy": ("public", "statement"),
    "web:theme": ("public", "stylesheet"),
}
# The portal: public pages, and pages of one citizen's own application (secret link or account).
PORTAL_PUBLIC = {
    "index", "lookup", "sign-in", "sign-in-sent", "sign-in-link", "sign-out", "transparency",
    "transparency-catalogue", "transparency-csv-metadata", "transparency-schema", "transparency-csv",
    "transparency-json", "transparency-service", "transparency-audit", "transparency-audit-json", "start",
    "apply", "apply-page", "check", "save", "saved", "privacy", "accessibility", "help", "help-service",
}  # fmt: skip
PORTAL_OWN = {"resume", "my", "application", "submitted", "upload", "supply", "answer", "document", "satisfaction"}
for _name in PORTAL_PUBLIC:
    TABLE[f"portal:{_name}"] = ("portal", "public")
for _name in PORTAL_OWN:
    TABLE[f"portal:{_name}"] = ("portal", "the citizen's own application or draft only")


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else ""


def _key(route: str, name: str) -> str:
    if route.startswith("admin/") and name != "admin_sign_in":
        return "admin/"  # Django's admin: staff with model permissions; system administrators (policy "admin")
    if route.startswith("api/v1/"):
        return "api/v1/"  # bearer tokens with scopes (civicflow.api.auth), tested in tests/integration/api
    return name


TABLE["admin/"] = ("admin", "Django admin site")
TABLE["api/v1/"] = ("api", "token scopes")


def test_every_url_pattern_has_an_entry() -> None:
    seen = {_key(route, name) for route, name in _patterns(get_resolver())}
    missing = sorted(key for key in seen if key not in TABLE)
    assert not missing, f"URL patterns without an authorization entry: {missing}"
    assert not sorted(set(TABLE) - seen), "entries for URL patterns that are gone"


# ---- requesting every workbench URL as every role ----

ROLES = ["anonymous", "citizen", "caseworker-a", "head-a", "caseworker-b", "process-admin", "auditor", "system-admin"]


def _account(role: str) -> User | None:
    match role:
        case "anonymous":
            return None
        case "citizen":
            return staff("carla", is_staff=False)
        case "caseworker-a":
            return staff("ingrid", "intake")
        case "head-a":
            return staff("hanna", "intake", "intake-head")
        case "caseworker-b":
            return staff("frank", "fire-safety")
        case "process-admin":
            return staff("paul", "process-admins")
        case "auditor":
            return staff("aud", "auditors")
    return User.objects.create_superuser("root", password="x" * 20)


@pytest.fixture
def world(settings: Any, tmp_path: Any) -> dict[str, Any]:
    """Case A with Intake's open task, a citizen's document on it, and an incident."""
    settings.MEDIA_ROOT = str(tmp_path)
    permit = service("building_permit")
    services.deploy(permit.files(), name="reference:building_permit")
    case = services.start_instance(permit.process_id, business_key="BP-1", variables=APPLICATION)
    task = UserTask.objects.get(instance=case, element_id="check_completeness")
    now = timezone.now()
    application = Application.objects.create(
        reference="BP-A1", service="building_permit", instance_id=case.pk, secret_hash="0" * 64, created=now
    )
    content = b"%PDF-1.4 floor plan"
    storage_name = document_storage().save("matrix-doc", ContentFile(content))
    document = Document.objects.create(
        service="building_permit",
        field="plans",
        name="plans.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_name=storage_name,
        application=application,
        created=now,
    )
    incident = Incident.objects.create(
        instance=case,
        key=999,
        element_instance=1,
        element_id="check_completeness",
        kind="job",
        message="x",
        created=now,
    )
    return {"case": case, "task": task, "document": document, "incident": incident, "process": permit.process_id}


def _args(kind: str | None, world: dict[str, Any]) -> list[Any]:
    match kind:
        case None:
            return []
        case "task":
            return [world["task"].pk]
        case "case":
            return [world["case"].pk]
        case "document":
            return [world["case"].pk, world["document"].pk]
        case "incident":
            return [world["incident"].pk]
        case "process-log":
            return ["processes", world["process"]]
        case "process-figure":
            return ["processes", world["process"], "map"]
        case "service":
            return ["building_permit"]
        case "export":
            return ["building_permit", "csv"]
    raise AssertionError(kind)


def _object(kind: str | None, world: dict[str, Any]) -> Any:
    if kind == "task":
        return world["task"]
    if kind in ("case", "document", "incident"):
        return world["case"]
    return None


def expected(user: User | None, action: str, obj: Any) -> str:
    """The answer the policy demands: sign-in, denied (403), hidden (404) or allowed."""
    if user is None:
        return "sign-in"
    if policy.scope(user, action) is None:
        return "denied"
    return "allowed" if policy.can(user, action, obj) else "hidden"


def answered(response: Any) -> str:
    response.close()  # a document's FileResponse holds the file open
    assert response.status_code < 500, response
    assert response.status_code != 405, response
    if response.status_code == 302 and "/workbench/sign-in" in response["Location"]:
        return "sign-in"
    return {403: "denied", 404: "hidden"}.get(response.status_code, "allowed")


@pytest.mark.parametrize("role", ROLES)
def test_every_workbench_url_answers_as_the_policy_says(world: dict[str, Any], role: str) -> None:
    user = _account(role)
    client = Client()
    if user is not None:
        client.force_login(user)
    wrong = []
    for name, entry in TABLE.items():
        if entry[0] != "wb":
            continue
        _, action, kind, methods = entry
        url = reverse(name, args=_args(kind, world))
        want = expected(user, action, _object(kind, world))
        for method in methods:
            got = answered(client.get(url) if method == "GET" else client.post(url, {}))
            if got != want:
                wrong.append(f"{method} {url} as {role}: {got}, policy says {want}")
    assert not wrong, "\n".join(wrong)


def test_the_matrix_covers_allow_and_deny_for_every_action(world: dict[str, Any]) -> None:
    """A matrix where one answer never occurs could not catch a wrong answer of that kind."""
    users = [_account(role) for role in ROLES]
    answers = {
        entry[1]: {expected(user, entry[1], _object(entry[2], world)) for user in users}
        for entry in TABLE.values()
        if entry[0] == "wb"
    }
    for action, kinds in answers.items():
        assert {"sign-in", "allowed"} <= kinds, action
        assert kinds & {"denied", "hidden"}, action


def test_direct_object_references_to_another_departments_case_fail(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(staff("frank", "fire-safety"))
    case, task, document = world["case"], world["task"], world["document"]
    urls = [
        ("GET", reverse("workbench:case", args=[case.pk])),
        ("GET", reverse("workbench:task", args=[task.pk])),
        ("POST", reverse("workbench:claim", args=[task.pk])),
        ("POST", reverse("workbench:comment", args=[case.pk])),
        ("GET", reverse("workbench:document", args=[case.pk, document.pk])),
    ]
    for method, url in urls:
        response = client.get(url) if method == "GET" else client.post(url, {"comment": "peek"})
        assert response.status_code in (403, 404), (method, url, response.status_code)
    assert UserTask.objects.get(pk=task.pk).assignee in (None, "")
