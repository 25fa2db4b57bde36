"""The authorization matrix (issue #11): every URL pattern of the site has an entry here, and every
one is requested, by every kind of caller, and answers as ``civicflow.security.policy`` says.

A URL pattern without an entry in ``TABLE`` fails ``test_every_url_pattern_has_an_entry``: a new
page cannot skip the policy. Entries, by the first field:

- ("wb", action, kind, methods): a workbench view guarded by ``policy.can(user, action[, obj])``;
  requested by every account role (and anonymous): sign-in, 403, 404 (another department's
  object) or allowed, as the policy answers.
- ("api", {method: action}, kind): a REST API endpoint; requested by anonymous, a token of every
  scope, a token of another topic, a revoked token, and staff and citizen sessions: 401, 403, 404
  or allowed.
- ("bearer", action, kind): like "api", for bearer tokens only (/metrics): a session is anonymous.
- ("portal", action, kind, methods): a page of one citizen's application; requested by anonymous,
  its owner (signed in), another citizen, a session that gave the secret, and staff: 404 unless
  the policy's own-application rule allows (sign-in for "my applications").
- ("staff-account", why): for any signed-in staff account, whatever its role (TOTP enrolment).
- ("public", why): everyone; requested as every role and anonymously, never 401/403.
- The Django admin's patterns come from the admin site itself (one gate, the policy's "admin"):
  every one is requested by every role.

``kind`` says which object of the world (support.authorization_world) fills the path.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from civicflow import parties
from civicflow.pilots.models import Pilot
from civicflow.security import policy
from support.authorization_world import ACCOUNTS, TOKENS, TOPIC, World

pytestmark = pytest.mark.django_db

GET, POST = ("GET",), ("POST",)
R, VT, WT = "api_read", "view_task", "work_task"

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
    "workbench:pilots": ("wb", "view_pilots", None, GET),
    "workbench:pilot_start": ("wb", "manage_pilots", None, POST),
    "workbench:pilot": ("wb", "view_pilots", "pilot", GET),
    "workbench:pilot_adopt": ("wb", "manage_pilots", "pilot", POST),
    "workbench:pilot_stop": ("wb", "manage_pilots", "pilot", POST),
    "workbench:parties": ("wb", "view_party", None, GET),
    "workbench:party": ("wb", "view_party", "party", GET),
    # signing in and out is for everyone; the two-factor page needs a staff account
    "workbench:login": ("public", "sign-in form"),
    "workbench:sign_in_code": ("public", "second step of signing in (pending session)"),
    "workbench:logout": ("public", "sign out"),
    "workbench:two_factor": ("staff-account", "staff TOTP enrolment (test_signin_totp)"),
    "workbench:oidc_start": ("public", "OpenID Connect sign-in: to the staff identity provider (test_oidc_signin)"),
    "workbench:oidc_callback": ("public", "OpenID Connect callback: state, PKCE, ID token checked (test_oidc_signin)"),
    "portal:oidc-start": ("public", "OpenID Connect sign-in: to the eID broker (test_oidc_signin)"),
    "portal:oidc-callback": ("public", "OpenID Connect callback: state, PKCE, ID token checked (test_oidc_signin)"),
    "admin_sign_in": ("public", "the admin's sign-in goes through the workbench's"),
    "set_language": ("public", "language switch"),
    "healthz": ("public", "liveness"),
    "metrics": ("bearer", "api_metrics", None),
    "web:home": ("public", "site home"),
    "web:accessibility": ("public", "statement"),
    "web:privacy": ("public", "statement"),
    "web:theme": ("public", "stylesheet"),
    # the REST API
    "api:schema": ("public", "the OpenAPI document"),
    "api:docs": ("public", "Swagger UI"),
    "api:redoc": ("public", "ReDoc"),
    "api:not-found": ("public", "a 404 problem for every unknown path"),
    "api:deployments": ("api", {"GET": R, "POST": "deploy"}, None),
    "api:deployment": ("api", {"GET": R}, "deployment"),
    "api:resource-content": ("api", {"GET": R}, "resource"),
    "api:definitions": ("api", {"GET": R}, None),
    "api:definition": ("api", {"GET": R}, "definition"),
    "api:definition-xml": ("api", {"GET": R}, "definition"),
    "api:definition-xes": ("api", {"GET": R}, "definition"),
    "api:definition-ocel": ("api", {"GET": R}, "definition"),
    "api:instances": ("api", {"GET": R, "POST": "api_start"}, None),
    "api:migrate": ("api", {"POST": "api_manage"}, None),
    "api:instance": ("api", {"GET": R}, "instance"),
    "api:variables": ("api", {"GET": R, "PUT": "api_manage"}, "instance"),
    "api:cancel": ("api", {"POST": "api_manage"}, "instance"),
    "api:modify": ("api", {"POST": "api_manage"}, "instance"),
    "api:history": ("api", {"GET": R}, "instance"),
    "api:history-xes": ("api", {"GET": R}, "instance"),
    "api:history-ocel": ("api", {"GET": R}, "instance"),
    "api:messages": ("api", {"POST": "api_start"}, None),
    "api:signals": ("api", {"POST": "api_start"}, None),
    "api:tasks": ("api", {"GET": VT}, None),
    "api:task": ("api", {"GET": VT}, "task"),
    "api:task-claim": ("api", {"POST": WT}, "task"),
    "api:task-unclaim": ("api", {"POST": WT}, "task"),
    "api:task-complete": ("api", {"POST": WT}, "task"),
    "api:external-tasks": ("api", {"GET": R}, None),
    "api:fetch-and-lock": ("api", {"POST": "api_work"}, "topic"),
    "api:external-complete-many": ("api", {"POST": "api_work"}, "topic"),
    "api:extend-lock": ("api", {"POST": "api_work"}, "external"),
    "api:external-complete": ("api", {"POST": "api_work"}, "external"),
    "api:external-failure": ("api", {"POST": "api_work"}, "external"),
    "api:external-bpmn-error": ("api", {"POST": "api_work"}, "external"),
    "api:incidents": ("api", {"GET": "view_incidents"}, None),
    "api:incident-retry": ("api", {"POST": "retry_incident"}, "incident"),
    "api:decisions": ("api", {"GET": R}, None),
    "api:decision-evaluate": ("api", {"POST": R}, "decision"),
    "api:pilots": ("api", {"GET": "view_pilots", "POST": "manage_pilots"}, None),
    "api:pilot": ("api", {"GET": "view_pilots"}, "pilot"),
    "api:pilot-adopt": ("api", {"POST": "manage_pilots"}, "pilot"),
    "api:pilot-stop": ("api", {"POST": "manage_pilots"}, "pilot"),
    "api:parties": ("api", {"GET": "view_party"}, None),
    "api:party": ("api", {"GET": "view_party"}, "party"),
    # the portal: a citizen's own applications
    "portal:my": ("portal", "my_applications", None, GET),
    "portal:application": ("portal", "view_application", "application", GET),
    "portal:submitted": ("portal", "view_application", "application", GET),
    "portal:upload": ("portal", "view_application", "upload", GET),
    "portal:supply": ("portal", "view_application", "application", GET + POST),
    "portal:answer": ("portal", "view_application", "request", GET + POST),
    "portal:document": ("portal", "view_application", "issued", GET),
    "portal:satisfaction": ("portal", "view_application", "application", POST),
    # the portal: the signed-in citizen's own party record ("Your details", issue #13)
    "portal:me": ("portal", "my_record", None, GET + POST),
    "portal:withdraw-consent": ("portal", "my_record", "consent", POST),
    # the consent step of an application that can fetch evidence from another agency (issue #13)
    "portal:evidence-consent": ("portal", "my_record", "service", GET + POST),
}
# the portal's public pages; "resume", "sign-in-link" and "co-sign" take a secret link instead of a session,
# "co-sign-waiting" answers only the session that sent the request (404 for anyone else, test_portal_cosign)
PORTAL_PUBLIC = {
    "index", "lookup", "sign-in", "sign-in-sent", "sign-in-link", "sign-out", "transparency",
    "transparency-catalogue", "transparency-csv-metadata", "transparency-schema", "transparency-csv",
    "transparency-json", "transparency-service", "transparency-audit", "transparency-audit-json", "start",
    "apply", "apply-page", "check", "save", "saved", "privacy", "accessibility", "resume", "help", "help-service",
    "co-sign", "co-sign-waiting",
}  # fmt: skip
for _name in PORTAL_PUBLIC:
    TABLE[f"portal:{_name}"] = ("public", "the portal's public pages")
PUBLIC_POST = {"workbench:logout", "set_language", "portal:sign-out"}


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else ""


def _is_admin(route: str, name: str) -> bool:
    return route.startswith("admin/") and name != "admin_sign_in"


def test_every_url_pattern_has_an_entry() -> None:
    seen = {name or route for route, name in _patterns(get_resolver()) if not _is_admin(route, name)}
    missing = sorted(key for key in seen if key not in TABLE)
    assert not missing, f"URL patterns without an authorization entry: {missing}"
    assert not sorted(set(TABLE) - seen), "entries for URL patterns that are gone"


def _entries(kind: str) -> list[tuple[str, tuple[Any, ...]]]:
    return [(name, entry) for name, entry in TABLE.items() if entry[0] == kind]


def answered(response: Any, sign_in: str = "/workbench/sign-in") -> str:
    response.close()  # a document's FileResponse holds the file open
    assert response.status_code < 500, response
    assert response.status_code != 405, response
    if response.status_code == 302 and sign_in in response["Location"]:
        return "sign-in"
    return {401: "sign-in", 403: "denied", 404: "hidden"}.get(response.status_code, "allowed")


def _request(client: Client, method: str, url: str, body: Any = None, **headers: str) -> Any:
    if method == "GET":
        return client.get(url, headers=headers)
    if body is None:
        return client.generic(method, url, headers=headers)
    return client.generic(method, url, json.dumps(body), content_type="application/json", headers=headers)


# ---- the workbench: every URL as every role ----

ROLES = ["anonymous", *ACCOUNTS]


def _wb_args(kind: str | None, world: World) -> list[Any]:
    match kind:
        case None:
            return []
        case "task":
            return [world.task.pk]
        case "case":
            return [world.case.pk]
        case "document":
            return [world.case.pk, world.document.pk]
        case "incident":
            return [world.incident.pk]
        case "process-log":
            return ["processes", world.process]
        case "process-figure":
            return ["processes", world.process, "map"]
        case "service":
            return ["building_permit"]
        case "export":
            return ["building_permit", "csv"]
        case "pilot":
            return [_pilot(world)]
        case "party":
            return [_party(world).pk]
    raise AssertionError(kind)


def _party(world: World) -> Any:
    """Anna's party record, applicant on Intake's case (department A); made again after each rollback."""
    now = timezone.now()
    party = parties.party_for_identity(scheme="email", identifier="anna@example.org", account_id=world.anna.pk, now=now)
    parties.record_case(party, instance_id=world.case.pk, service="building_permit", reference="BP-W1", now=now)
    return party


def _consent(world: World) -> Any:
    """A consent Anna gave (the portal's withdraw button names it)."""
    now = timezone.now()
    purpose, provider = "evidence:income-statement", "tax-office"
    found = parties.active_consent(_party(world), purpose=purpose, provider=provider)
    if found is not None:
        return found
    return parties.give_consent(
        _party(world), purpose=purpose, service="building_permit", provider=provider, text_version="1", now=now
    )


def _pilot(world: World) -> int:
    """A running pilot of the world's process (each test rolls back, so one is made per request)."""
    definition = world.case.definition
    made = Pilot.objects.create(
        process_id=world.process,
        current=definition,
        candidate=definition,
        share=Decimal("0.5"),
        salt="matrix",
        started=timezone.now(),
        started_by="user:0",
    )
    return int(made.pk)


def _wb_object(kind: str | None, world: World) -> Any:
    if kind == "task":
        return world.task
    if kind in ("case", "document", "incident"):
        return world.case
    if kind == "party":
        return _party(world)
    return None


def expected(principal: Any, action: str, obj: Any) -> str:
    """The answer the policy demands: sign-in, denied (403), hidden (404) or allowed."""
    if principal is None:
        return "sign-in"
    if policy.scope(principal, action) is None:
        return "denied"
    return "allowed" if policy.can(principal, action, obj) else "hidden"


WB = [(role, name, method) for name, entry in _entries("wb") for method in entry[3] for role in ROLES]


@pytest.mark.parametrize(("role", "name", "method"), WB)
def test_workbench(world: World, role: str, name: str, method: str) -> None:
    _, action, kind, _ = TABLE[name]
    url = reverse(name, args=_wb_args(kind, world))
    want = expected(world.principal(role), action, _wb_object(kind, world))
    assert answered(_request(world.client(role), method, url, body=None)) == want


# ---- the REST API: every endpoint as every token scope and session ----

API_CALLERS = [
    "anonymous", *TOKENS, "citizen", "caseworker-a", "caseworker-b", "process-admin", "auditor", "system-admin"
]  # fmt: skip


def _api_args(kind: str | None, world: World) -> list[Any]:
    deployment = world.case.definition.deployment_id
    match kind:
        case None | "topic":
            return []
        case "deployment":
            return [deployment]
        case "resource":
            return [deployment, world.case.definition.resource_id]
        case "definition":
            return [world.case.definition_id]
        case "instance":
            return [world.case.pk]
        case "task":
            return [world.task.pk]
        case "external":
            return [world.external.pk]
        case "incident":
            return [world.incident.pk]
        case "decision":
            return ["PermitFee"]
        case "pilot":
            return [_pilot(world)]
        case "party":
            return [_party(world).pk]
    raise AssertionError(kind)


def _api_body(name: str, world: World) -> dict[str, Any]:
    """Empty (a 400 once allowed) except where the body names the object the policy judges."""
    if name == "api:fetch-and-lock":
        topic = {"name": TOPIC, "lockDuration": 1000}
        return {"workerId": "w", "maxTasks": 1, "asyncResponseTimeout": 0, "topics": [topic]}
    if name == "api:external-complete-many":
        return {"workerId": "w", "tasks": [{"id": world.external.pk, "variables": {}}]}
    return {}


def _api_object(kind: str | None, world: World) -> Any:
    if kind == "party":
        return _party(world)
    return {"task": world.task, "external": TOPIC, "topic": TOPIC}.get(kind or "")


def _api_answer(response: Any, name: str) -> str:
    if name == "api:external-complete-many" and response.status_code == 200:
        status = response.json()["results"][0]["status"]  # each task is judged on its own
        return {403: "denied", 404: "hidden"}.get(status, "allowed")
    return answered(response)


def _api_client(world: World, caller: str) -> tuple[Client, dict[str, str]]:
    if caller in world.tokens:
        return Client(), {"Authorization": f"Bearer {world.tokens[caller]}"}
    return world.client(caller), {}


def _api_expected(world: World, caller: str, action: str, obj: Any, *, bearer_only: bool = False) -> str:
    if caller == "token-revoked" or (bearer_only and caller not in world.tokens):
        return "sign-in"
    want = expected(world.principal(caller), action, obj)
    if want == "hidden" and action in ("api_work", "view_party"):
        return "denied"  # a token's topics are no secret to its holder; a party's id is not a secret either: 403
    return want


API = [(caller, name, method) for name, entry in _entries("api") for method in entry[1] for caller in API_CALLERS]
API += [(caller, "metrics", "GET") for caller in API_CALLERS]


@pytest.mark.parametrize(("caller", "name", "method"), API)
def test_api(world: World, caller: str, name: str, method: str) -> None:
    entry = TABLE[name]
    if entry[0] == "bearer":
        action, kind = entry[1], entry[2]
    else:
        action, kind = entry[1][method], entry[2]
    client, headers = _api_client(world, caller)
    url = reverse(name, args=_api_args(kind, world))
    response = _request(client, method, url, _api_body(name, world), **headers)
    want = _api_expected(world, caller, action, _api_object(kind, world), bearer_only=entry[0] == "bearer")
    assert _api_answer(response, name) == want, response.content[:300]


# ---- the portal: pages of Anna's application ----

VISITORS = ["anonymous", "owner", "other-citizen", "secret", "staff", "system-admin"]


def _portal_args(kind: str | None, world: World) -> list[Any]:
    reference = world.application.reference
    match kind:
        case None:
            return []
        case "application":
            return [reference]
        case "upload":
            return [reference, world.upload.pk]
        case "request":
            return [reference, world.request.pk]
        case "issued":
            return [reference, world.issued.pk]
        case "consent":
            return [_consent(world).pk]
        case "service":
            return ["tax_refund"]
    raise AssertionError(kind)


PORTAL = [(who, name, method) for name, entry in _entries("portal") for method in entry[3] for who in VISITORS]


@pytest.mark.parametrize(("visitor", "name", "method"), PORTAL)
def test_portal(world: World, visitor: str, name: str, method: str) -> None:
    _, action, kind, _ = TABLE[name]
    url = reverse(name, args=_portal_args(kind, world))
    got = answered(_request(world.portal_client(visitor), method, url), sign_in="/portal/sign-in/")
    if action == "my_record":  # the citizen's own record: sign in first; another citizen's consent is hidden
        principal = world.visitor(visitor)
        want = "allowed" if policy.can(principal, action) else "sign-in"
        if kind == "consent" and want == "allowed" and visitor != "owner":
            want = "hidden"
        assert got == want
        return
    if policy.can(world.visitor(visitor), action, world.application if kind else None):
        want = "allowed"
    else:
        want = "sign-in" if action == "my_applications" else "hidden"  # never 403: references stay secret
    assert got == want


# ---- the Django admin: every page as every role ----


def _admin_url(route: str) -> str:
    if "(?P<app_label>" in route:
        return "/admin/auth/"
    if "(?P<url>" in route:
        return "/admin/nothing-here/"  # the admin's catch-all
    return "/" + re.sub(r"<[^>]+>", "1", route)


# /admin/login/ is the public admin_sign_in (it shadows the admin's own form); signing out comes last
# (the role's session is one for the whole test)
ADMIN = sorted(
    {_admin_url(route) for route, name in _patterns(get_resolver()) if _is_admin(route, name)} - {"/admin/login/"},
    key=lambda url: (url == "/admin/logout/", url),
)


URLFIELD_WARNING = "ignore:The default scheme will be changed:django.utils.deprecation.RemovedInDjango60Warning"


def _admin_answer(client: Client, url: str, *, anonymous: bool) -> str:
    # signing out is a POST (anonymous: to the index, then to sign in); the system administrator's
    # redirects (to an object's change page, to the index) are followed to where they end
    follow = not anonymous or url == "/admin/logout/"
    response = client.post(url, follow=follow) if url == "/admin/logout/" else client.get(url, follow=follow)
    if response.status_code == 302 and response["Location"].startswith(("/admin/login/", "/workbench/sign-in")):
        return "sign-in"
    if any("/workbench/sign-in" in location for location, _ in getattr(response, "redirect_chain", [])):
        return "sign-in"
    got = answered(response)
    return "allowed" if got == "hidden" else got  # the admin's own "no such object", past the gate


# One test per role (the admin is one gate, has_permission): a page per id would double the
# matrix's time for ~45 pages that cannot differ; a failure lists every page that answered wrong.
# The connectors' admin forms have URLFields without assume_scheme: Django 5.2 warns on their add pages.
@pytest.mark.filterwarnings(URLFIELD_WARNING)
@pytest.mark.parametrize("role", ROLES)
def test_admin(world: World, role: str) -> None:
    want = expected(world.principal(role), "admin", None)
    wrong = []
    for url in ADMIN:
        expect = want
        if url == "/admin/autocomplete/" and want == "allowed":
            expect = "denied"  # the view itself refuses a query naming no model with autocomplete fields
        got = _admin_answer(world.client(role), url, anonymous=role == "anonymous")
        if got != expect:
            wrong.append(f"{url}: {got}, policy says {expect}")
    assert len(ADMIN) > 30
    assert not wrong, "\n".join(wrong)


# ---- public pages: nobody is refused ----


def _public_url(name: str) -> str:
    fill = {
        "service_id": "building_permit",
        "page": 1,
        "draft_id": uuid.uuid4(),
        "request_id": uuid.uuid4(),
        "token": "x" * 43,
    }
    for route, found in _patterns(get_resolver()):
        if found == name:
            return reverse(name, kwargs={key: fill[key] for key in re.findall(r"<\w+:(\w+)>", route)})
    raise AssertionError(name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", [name for name, _ in _entries("public")])
def test_public(world: World, role: str, name: str) -> None:
    method = "POST" if name in PUBLIC_POST else "GET"
    response = _request(world.client(role), method, _public_url(name))
    response.close()
    assert response.status_code < 500
    assert response.status_code not in (401, 403)


@pytest.mark.parametrize("role", ROLES)
def test_staff_account_pages(world: World, role: str) -> None:
    for name, _ in _entries("staff-account"):
        got = answered(world.client(role).get(reverse(name)))
        user = world.accounts.get(role)
        assert got == ("sign-in" if user is None else "allowed" if user.is_staff else "denied"), name


def test_the_matrix_covers_allow_and_deny_for_every_action(world: World) -> None:
    """A matrix where one answer never occurs could not catch a wrong answer of that kind."""
    answers: dict[str, set[str]] = {}
    for _name, entry in _entries("wb"):
        for role in ROLES:
            want = expected(world.principal(role), entry[1], _wb_object(entry[2], world))
            answers.setdefault(entry[1], set()).add(want)
    for name, entry in _entries("api"):
        for method, action in entry[1].items():
            for caller in API_CALLERS:
                want = _api_expected(world, caller, action, _api_object(entry[2], world))
                answers.setdefault(f"api {name} {method}", set()).add(want)
    for action, kinds in answers.items():
        assert {"sign-in", "allowed"} <= kinds, action
        assert kinds & {"denied", "hidden"}, action
