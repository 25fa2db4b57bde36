"""OpenID Connect sign-in against the real loopback provider (npm oidc-provider): staff and citizens.

The Django test client plays the browser at CivicFlow, ``sign_in_at_provider`` plays it at the
provider. Refusals: a callback whose state this session never issued, an ID token whose nonce is
not the session's, an authorization code that expired, an ID token altered on its way, a user
who cancels, a provider that does not answer; each is a 4xx/503 page, audited, nobody signed in.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import pytest
from authlib.integrations.base_client.sync_app import OAuth2Mixin
from django.contrib.auth.models import Group, User
from django.test import Client, RequestFactory

from civicflow.portal.models import CitizenAccount, CitizenIdentity
from civicflow.security import keys, oidc
from civicflow.security.models import AuditEntry, StaffIdentity
from support.oidc_provider import (
    CITIZEN,
    CITIZEN_NATIONAL_ID,
    STAFF_CASEWORKER,
    STAFF_NO_ROLE,
    LoopbackProvider,
    loopback_provider,
    oidc_env,
    sign_in_at_provider,
)

pytestmark = pytest.mark.django_db

STAFF_CALLBACK = "http://testserver/workbench/sign-in/oidc/callback"
CITIZEN_CALLBACK = "http://testserver/portal/sign-in/eid/callback/"


@pytest.fixture(scope="module")
def provider() -> Iterator[LoopbackProvider]:
    with loopback_provider([STAFF_CALLBACK, CITIZEN_CALLBACK]) as running:
        yield running


@pytest.fixture
def configured(provider: LoopbackProvider, monkeypatch: pytest.MonkeyPatch) -> LoopbackProvider:
    for name, value in oidc_env(provider.issuer).items():
        monkeypatch.setenv(name, value)
    return provider


def browser(language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


def start(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


def back(client: Client, url: str) -> Any:
    parts = urlparse(url)
    assert parts.netloc == "testserver", url
    return client.get(f"{parts.path}?{parts.query}")


def refused(response: Any, reason: str, status: int = 400) -> str:
    html = response.content.decode()
    assert response.status_code == status, html[:800]
    assert f'data-reason="{reason}"' in html
    assert "Traceback" not in html
    return html


def test_the_authorization_request_uses_pkce_s256_state_and_nonce(configured: LoopbackProvider) -> None:
    url = start(browser(), "/workbench/sign-in/oidc")
    query = parse_qs(urlparse(url).query)
    assert url.startswith(f"{configured.issuer}/auth?")
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256 digest
    assert len(query["state"][0]) >= 20
    assert len(query["nonce"][0]) >= 20
    assert query["client_id"] == ["staff"]
    assert query["redirect_uri"] == [STAFF_CALLBACK]


def test_a_caseworker_signs_in_and_gets_the_known_groups_of_the_claim(configured: LoopbackProvider) -> None:
    Group.objects.get_or_create(name="intake")
    client = browser()
    response = back(client, sign_in_at_provider(start(client, "/workbench/sign-in/oidc"), STAFF_CASEWORKER))
    assert response.status_code == 302
    assert response["Location"] == "/workbench/"
    link = StaffIdentity.objects.get(issuer=configured.issuer, subject=STAFF_CASEWORKER)
    user = link.user
    assert user.is_staff
    assert not user.has_usable_password()
    assert user.username == f"oidc-{user.pk}"  # not the subject
    assert sorted(user.groups.values_list("name", flat=True)) == ["intake"]  # "unknown-team" is not a department
    assert client.get("/workbench/").status_code == 200
    entry = AuditEntry.objects.filter(action="SignedIn").get()
    assert (entry.actor, entry.object_ref, entry.details) == (f"user:{user.pk}", str(user.pk), {"method": "oidc-staff"})
    assert STAFF_CASEWORKER not in json.dumps([entry.actor, entry.object_ref, entry.details])


def test_groups_follow_the_claim_at_every_sign_in(configured: LoopbackProvider) -> None:
    Group.objects.get_or_create(name="intake")
    for attempt in range(2):
        client = browser()
        back(client, sign_in_at_provider(start(client, "/workbench/sign-in/oidc"), STAFF_CASEWORKER))
        user = StaffIdentity.objects.get(subject=STAFF_CASEWORKER).user
        if attempt == 0:  # an administrator's extra group is taken away at the next sign-in
            user.groups.add(Group.objects.get_or_create(name="process-admins")[0])
    assert sorted(user.groups.values_list("name", flat=True)) == ["intake"]
    assert StaffIdentity.objects.count() == 1
    assert User.objects.filter(username__startswith="oidc-").count() == 1


def test_staff_without_a_known_group_sign_in_but_see_no_work(configured: LoopbackProvider) -> None:
    client = browser()
    response = back(client, sign_in_at_provider(start(client, "/workbench/sign-in/oidc"), STAFF_NO_ROLE))
    assert response.status_code == 302
    user = StaffIdentity.objects.get(subject=STAFF_NO_ROLE).user
    assert list(user.groups.all()) == []
    assert client.get("/workbench/").status_code == 403


def test_an_inactive_account_is_refused(configured: LoopbackProvider) -> None:
    client = browser()
    back(client, sign_in_at_provider(start(client, "/workbench/sign-in/oidc"), STAFF_NO_ROLE))
    User.objects.filter(oidc_identities__subject=STAFF_NO_ROLE).update(is_active=False)
    client = browser()
    refused(back(client, sign_in_at_provider(start(client, "/workbench/sign-in/oidc"), STAFF_NO_ROLE)), "access-denied")
    assert client.get("/workbench/").status_code == 302  # to the sign-in page


def test_a_citizen_signs_in_with_eid_and_sees_my_applications(configured: LoopbackProvider) -> None:
    earlier = CitizenAccount.for_address("cees@example.org", datetime(2026, 1, 1, tzinfo=UTC))
    client = browser()
    response = back(client, sign_in_at_provider(start(client, "/portal/sign-in/eid/"), CITIZEN))
    assert response.status_code == 302
    assert response["Location"] == "/portal/my/"
    identity = CitizenIdentity.objects.get(subject=CITIZEN)
    assert identity.account_id == earlier.pk  # the verified address links the email-link account
    assert identity.national_ref == keys.reference(f"national-id:{CITIZEN_NATIONAL_ID}")
    stored = json.dumps(list(CitizenIdentity.objects.values()), default=str)
    assert CITIZEN_NATIONAL_ID not in stored
    assert client.get("/portal/my/").status_code == 200
    entry = AuditEntry.objects.filter(action="SignedIn").get()
    assert entry.actor == f"citizen:{earlier.pk}"
    assert CITIZEN_NATIONAL_ID not in json.dumps(entry.details)


def test_the_same_eid_subject_finds_the_same_account(configured: LoopbackProvider) -> None:
    for _ in range(2):
        client = browser()
        back(client, sign_in_at_provider(start(client, "/portal/sign-in/eid/"), CITIZEN))
    assert CitizenAccount.objects.count() == 1
    assert CitizenIdentity.objects.count() == 1


def test_a_callback_with_another_state_is_refused(configured: LoopbackProvider) -> None:
    client = browser()
    url = sign_in_at_provider(start(client, "/portal/sign-in/eid/"), CITIZEN)
    parts = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = "not-the-state-this-session-issued"
    refused(back(client, urlunparse(parts._replace(query=urlencode(query)))), "state-mismatch")
    assert client.get("/portal/my/").status_code == 302  # not signed in
    assert AuditEntry.objects.filter(action="SignInRefused", details__reason="state-mismatch").count() == 1


def test_a_response_naming_another_issuer_is_refused(configured: LoopbackProvider) -> None:
    client = browser()
    parts = urlparse(sign_in_at_provider(start(client, "/workbench/sign-in/oidc"), STAFF_CASEWORKER))
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["iss"] == configured.issuer  # RFC 9207: the provider names itself
    query["iss"] = "https://another-provider.example"
    refused(back(client, urlunparse(parts._replace(query=urlencode(query)))), "token-refused")
    assert StaffIdentity.objects.count() == 0


def test_a_callback_in_another_browser_is_refused(configured: LoopbackProvider) -> None:
    url = sign_in_at_provider(start(browser(), "/portal/sign-in/eid/"), CITIZEN)
    refused(back(browser(), url), "state-mismatch")
    assert CitizenIdentity.objects.count() == 0


def test_an_id_token_with_another_nonce_is_refused(configured: LoopbackProvider) -> None:
    client = browser()
    parts = urlparse(start(client, "/workbench/sign-in/oidc"))
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["nonce"] = "a-nonce-this-session-never-issued"
    url = sign_in_at_provider(urlunparse(parts._replace(query=urlencode(query))), STAFF_CASEWORKER)
    refused(back(client, url), "token-refused")
    assert StaffIdentity.objects.count() == 0


def test_an_expired_code_is_refused(provider: LoopbackProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in oidc_env(provider.issuer, citizen_client="citizen-short-code").items():
        monkeypatch.setenv(name, value)
    client = browser()
    url = sign_in_at_provider(start(client, "/portal/sign-in/eid/"), CITIZEN)
    time.sleep(2.5)  # the client's codes live 1 s at this provider
    refused(back(client, url), "token-refused")
    assert CitizenIdentity.objects.count() == 0


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_tampered_id_token_is_refused(configured: LoopbackProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    fetch = OAuth2Mixin.fetch_access_token

    def altered_on_the_way(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        token = dict(fetch(self, *args, **kwargs))
        token["id_token"] = _tampered(token["id_token"])
        return token

    monkeypatch.setattr(OAuth2Mixin, "fetch_access_token", altered_on_the_way)
    client = browser()
    refused(
        back(client, sign_in_at_provider(start(client, "/workbench/sign-in/oidc"), STAFF_CASEWORKER)), "token-refused"
    )
    assert StaffIdentity.objects.count() == 0
    assert User.objects.count() == 0


@pytest.mark.parametrize(("language", "text"), [("en", "did not sign you in"), ("nl", "heeft u niet ingelogd")])
def test_a_cancelled_sign_in_is_explained(configured: LoopbackProvider, language: str, text: str) -> None:
    client = browser(language)
    url = sign_in_at_provider(start(client, "/portal/sign-in/eid/"), CITIZEN, cancel=True)
    assert "error=access_denied" in url
    html = refused(back(client, url), "access-denied")
    assert text in html
    assert f'lang="{language}"' in html


def test_a_provider_that_does_not_answer_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for name, value in oidc_env(closed).items():
        monkeypatch.setenv(name, value)
    refused(browser().get("/workbench/sign-in/oidc"), "provider-unavailable", status=503)
    assert AuditEntry.objects.filter(action="SignInRefused", details__reason="provider-unavailable").exists()


@pytest.mark.parametrize(
    ("path", "language", "button"),
    [
        ("/workbench/sign-in", "en", "Sign in with Agency Login"),
        ("/workbench/sign-in", "nl", "Inloggen met Agency Login"),
        ("/portal/sign-in/", "en", "Sign in with eID Broker"),
        ("/portal/sign-in/", "nl", "Inloggen met eID Broker"),
    ],
)
def test_sign_in_pages_offer_the_provider_when_configured(
    configured: LoopbackProvider, path: str, language: str, button: str
) -> None:
    html = browser(language).get(path).content.decode()
    assert button in html
    assert 'id="oidc-sign-in"' in html
    assert "<form" in html  # the local form stays


def test_without_configuration_there_is_no_button_and_no_route(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIVICFLOW_OIDC_STAFF_ISSUER", raising=False)
    monkeypatch.delenv("CIVICFLOW_OIDC_CITIZEN_ISSUER", raising=False)
    assert 'id="oidc-sign-in"' not in browser().get("/workbench/sign-in").content.decode()
    assert 'id="oidc-sign-in"' not in browser().get("/portal/sign-in/").content.decode()
    assert browser().get("/workbench/sign-in/oidc").status_code == 404
    assert browser().get("/portal/sign-in/eid/callback/").status_code == 404


def test_a_local_next_page_is_kept_and_another_site_is_not(configured: LoopbackProvider) -> None:
    Group.objects.get_or_create(name="intake")
    client = browser()
    url = start(client, "/workbench/sign-in/oidc?next=/workbench/alerts")
    assert back(client, sign_in_at_provider(url, STAFF_CASEWORKER))["Location"] == "/workbench/alerts"
    client = browser()
    url = start(client, "/workbench/sign-in/oidc?next=https://evil.example/")
    assert back(client, sign_in_at_provider(url, STAFF_CASEWORKER))["Location"] == "/workbench/"


def test_a_citizen_without_an_address_gets_an_account_of_their_own(
    configured: LoopbackProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    CitizenAccount.for_address("cees@example.org", datetime(2026, 1, 1, tzinfo=UTC))
    monkeypatch.setenv("CIVICFLOW_OIDC_CITIZEN_SCOPES", "openid national_id")  # no email scope: no address
    client = browser()
    back(client, sign_in_at_provider(start(client, "/portal/sign-in/eid/"), CITIZEN))
    account = CitizenIdentity.objects.get(subject=CITIZEN).account
    assert account.email is None
    assert client.get("/portal/my/").status_code == 200


def test_a_discovery_document_naming_another_issuer_is_refused(
    provider: LoopbackProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same server under another name: its discovery document says 127.0.0.1, not localhost
    for name, value in oidc_env(provider.issuer.replace("127.0.0.1", "localhost")).items():
        monkeypatch.setenv(name, value)
    refused(browser().get("/workbench/sign-in/oidc"), "provider-unavailable", status=503)
    config = oidc.provider(oidc.STAFF)
    assert config is not None
    with pytest.raises(oidc.SignInFailed, match="another issuer"):  # refused for that reason, not as unreachable
        oidc.begin(RequestFactory().get("/"), config, STAFF_CALLBACK)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["intake", "zoning-head", "intake", ""], ["intake", "zoning-head"]),
        ("intake, process-admins auditors", ["auditors", "intake", "process-admins"]),
        ({"intake": True}, []),
        (None, []),
        ([1, "x" * 151, "ok"], ["ok"]),
    ],
)
def test_the_groups_claim_may_be_a_list_or_a_string(value: Any, expected: list[str]) -> None:
    from civicflow.security.staff_directory import claimed_groups

    assert claimed_groups({"groups": value}, "groups") == expected
