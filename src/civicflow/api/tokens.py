"""Creating, checking and revoking API tokens; scopes and what they allow.

A token reads ``cf_<prefix>_<secret>``: the prefix finds the row, the secret is compared by its
SHA-256 digest in constant time. Scopes (what each grants is the authorization policy's table,
civicflow.security.policy, where a token holds one role per scope):

- ``read``: every GET (definitions, instances, tasks, history, incidents, decisions evaluate);
- ``start``: start instances, correlate messages, broadcast signals, claim/unclaim/complete user tasks;
- ``work:<topic>`` (``work:*`` for every topic): fetch-and-lock and finish external tasks of the topic;
- ``admin``: everything, including deployments, variables, cancel, migrate, modify, incident retry;
- ``metrics``: only ``GET /metrics`` (Prometheus scrapes; docs/deployment.md).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from civicflow.api.models import ApiToken
from civicflow.errors import CivicFlowError

__all__ = [
    "InvalidScopeError",
    "IssuedToken",
    "check_scopes",
    "create_token",
    "forget_verified",
    "revoke_token",
    "verify_cached",
    "verify_token",
]

_SCOPE = re.compile(r"^(read|start|admin|metrics|work:(\*|[A-Za-z0-9._:\-]{1,200}))$")
_TOKEN = re.compile(r"^cf_([a-z0-9]{8})_([A-Za-z0-9_\-]{20,100})$")


class InvalidScopeError(CivicFlowError):
    """A scope that is not ``read``, ``start``, ``admin``, ``metrics`` or ``work:<topic>``."""

    def __init__(self, message: str, *, scope: str) -> None:
        self.scope = scope
        super().__init__(message)


@dataclass(frozen=True, slots=True, kw_only=True)
class IssuedToken:
    """A new token: the stored row and the full token text, shown only this once."""

    token: ApiToken
    plaintext: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes, sorted and deduplicated; raises :class:`InvalidScopeError` on an unknown one."""
    found = sorted(set(scopes))
    for scope in found:
        if not _SCOPE.match(scope):
            raise InvalidScopeError(
                f"unknown scope {scope!r}: use read, start, admin, metrics or work:<topic>", scope=scope
            )
    return found


def create_token(name: str, scopes: Iterable[str]) -> IssuedToken:
    """Store a new token (hashed) and answer its text once."""
    checked = check_scopes(scopes)
    if not checked:
        raise InvalidScopeError("a token needs at least one scope", scope="")
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    while True:
        prefix = "".join(secrets.choice(alphabet) for _ in range(8))
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name, prefix=prefix, secret_hash=_digest(secret), scopes=checked, created=timezone.now()
    )
    return IssuedToken(token=token, plaintext=f"cf_{prefix}_{secret}")


def verify_token(text: str) -> ApiToken | None:
    """The active token ``text`` names, or None (malformed, unknown, wrong secret, revoked)."""
    match = _TOKEN.match(text)
    if match is None:
        return None
    token = ApiToken.objects.filter(prefix=match.group(1)).first()
    if token is None or token.revoked is not None:
        return None
    if not hmac.compare_digest(token.secret_hash, _digest(match.group(2))):
        return None
    return token


# Verified tokens, per process: every API request otherwise pays one SELECT for its token. An
# entry lives VERIFIED_TTL seconds, so a revocation made by another process (CLI, admin, another
# gunicorn worker) is honoured within that time; revocations made in this process drop the whole
# cache at once (forget_verified). Keys are SHA-256 digests of the full token text, so no secret
# sits in the cache; only successful checks are cached (an unknown token always asks the database).
VERIFIED_TTL = 5.0
_VERIFIED_MAX = 1024
_verified: dict[str, tuple[float, ApiToken]] = {}
_verified_lock = threading.Lock()


def verify_cached(text: str) -> ApiToken | None:
    """:func:`verify_token` with a per-process cache of :data:`VERIFIED_TTL` seconds."""
    key = _digest(text)
    now = time.monotonic()
    hit = _verified.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    token = verify_token(text)
    with _verified_lock:
        if token is None:
            _verified.pop(key, None)
            return None
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()  # bounded: many distinct tokens only cost the lookups again
        _verified[key] = (now + VERIFIED_TTL, token)
    return token


def forget_verified() -> None:
    """Drop every cached verification (called on revocation in this process)."""
    with _verified_lock:
        _verified.clear()


def revoke_token(prefix: str) -> ApiToken | None:
    """Revoke the token with ``prefix`` (``cf_`` optional); None when there is none."""
    prefix = prefix.removeprefix("cf_").split("_", 1)[0]
    token = ApiToken.objects.filter(prefix=prefix).first()
    if token is None:
        return None
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
    forget_verified()
    return token
