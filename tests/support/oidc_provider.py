"""The loopback OpenID Connect provider (tests/support/oidc/provider.mjs, npm oidc-provider) for tests.

``LoopbackProvider`` starts the Node script on a free loopback port with a staff client, a citizen
client and a few accounts, and stops it again. ``sign_in_at_provider`` plays the user's part at
the provider with plain HTTP (no browser): it follows the authorization request to the login form,
names an account, and returns the URL the provider sends the browser back to, unvisited.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

__all__ = [
    "ACCOUNTS",
    "CITIZEN",
    "CITIZEN_NATIONAL_ID",
    "SECRET",
    "STAFF_CASEWORKER",
    "STAFF_NO_ROLE",
    "LoopbackProvider",
    "loopback_provider",
    "oidc_env",
    "sign_in_at_provider",
]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc") / "provider.mjs"
SECRET = "loopback-client-secret-0123456789abcdef"
STAFF_CASEWORKER = "staff-caseworker-intake"
STAFF_NO_ROLE = "staff-without-groups"
CITIZEN = "citizen-0001"
CITIZEN_NATIONAL_ID = "999990019"
ACCOUNTS: dict[str, dict[str, Any]] = {
    # a caseworker of the building permit's Intake department, and a head of nothing known
    STAFF_CASEWORKER: {"name": "Ina Intake", "email": "ina@agency.example", "groups": ["intake", "unknown-team"]},
    STAFF_NO_ROLE: {"name": "Nora None", "email": "nora@agency.example", "groups": ["marketing"]},
    CITIZEN: {
        "name": "Cees Citizen",
        "email": "cees@example.org",
        "email_verified": True,
        "national_id": CITIZEN_NATIONAL_ID,
    },
}


class LoopbackProvider:
    """One running provider: ``issuer`` is its URL; clients ``staff``, ``citizen`` and ``citizen-short-code``."""

    def __init__(self, process: subprocess.Popen[str], issuer: str) -> None:
        self.process = process
        self.issuer = issuer

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


@contextmanager
def loopback_provider(redirect_uris: Sequence[str]) -> Iterator[LoopbackProvider]:
    """Start the provider with ``redirect_uris`` registered for every client; skip when Node is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is missing: the loopback OIDC provider (npm oidc-provider) needs Node.js")
    if not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("node_modules/oidc-provider is missing: run `npm ci` (make install does)")
    clients = [
        {"client_id": client_id, "client_secret": SECRET, "redirect_uris": list(redirect_uris), "code_ttl": ttl}
        for client_id, ttl in (("staff", 60), ("citizen", 60), ("citizen-short-code", 1))
    ]
    folder = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
    config, log = folder / "config.json", folder / "provider.log"
    config.write_text(json.dumps({"port": 0, "clients": clients, "accounts": ACCOUNTS}))
    with log.open("w") as errors:  # a file, not a pipe: warnings cannot fill a buffer and stall it
        process = subprocess.Popen(
            [node, str(SCRIPT), str(config)], cwd=ROOT, stdout=subprocess.PIPE, stderr=errors, text=True
        )
    provider = LoopbackProvider(process, "")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "listening <issuer>", or nothing if it died
        if not line.startswith("listening "):
            pytest.fail(f"the loopback OIDC provider did not start: {line}{log.read_text()}")
        provider.issuer = line.split(" ", 1)[1].strip()
        yield provider
    finally:
        provider.stop()
        shutil.rmtree(folder, ignore_errors=True)


def oidc_env(issuer: str, *, citizen_client: str = "citizen") -> dict[str, str]:
    """The platform's configuration for both relying parties against the loopback provider."""
    return {
        "CIVICFLOW_OIDC_STAFF_ISSUER": issuer,
        "CIVICFLOW_OIDC_STAFF_CLIENT_ID": "staff",
        "CIVICFLOW_OIDC_STAFF_CLIENT_SECRET": SECRET,
        "CIVICFLOW_OIDC_STAFF_NAME": "Agency Login",
        "CIVICFLOW_OIDC_STAFF_SCOPES": "openid profile email groups",
        "CIVICFLOW_OIDC_CITIZEN_ISSUER": issuer,
        "CIVICFLOW_OIDC_CITIZEN_CLIENT_ID": citizen_client,
        "CIVICFLOW_OIDC_CITIZEN_CLIENT_SECRET": SECRET,
        "CIVICFLOW_OIDC_CITIZEN_NAME": "eID Broker",
        "CIVICFLOW_OIDC_CITIZEN_SCOPES": "openid email national_id",
        "CIVICFLOW_OIDC_CITIZEN_NATIONAL_ID_CLAIM": "national_id",
    }


def sign_in_at_provider(authorization_url: str, login: str, *, cancel: bool = False) -> str:
    """Sign in as ``login`` at the provider (or cancel); the redirect back to the relying party."""
    session = requests.Session()
    url = authorization_url
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and "/interaction/" in url:
            action = "abort" if cancel else "login"
            response = session.post(f"{url}/{action}", data={"login": login}, allow_redirects=False, timeout=10)
        if response.status_code not in (302, 303):
            raise AssertionError(f"the provider answered {response.status_code} at {url}: {response.text[:500]}")
        url = urljoin(url, response.headers["Location"])
        if not url.startswith(authorization_url.split("/auth", 1)[0]):
            return url  # back to the relying party
    raise AssertionError("the provider did not send the browser back within 30 s")
