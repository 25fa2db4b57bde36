"""Email addresses at rest: sealed under their data subject's key, found by a keyed blind index.

A stored address is two columns: the token of :func:`civicflow.security.keys.seal` (field
``email``) under the subject the row belongs to, and :func:`index`, the keyed reference
(``keys.reference``, HMAC-SHA256 under ``CIVICFLOW_SUBJECT_KEY``) of ``email:<address>``
lower-cased and stripped. Lookups ("the account of this address", "everything of this person")
compare indexes; only sending mail, showing "signed in as" and the access export open a token.
The index is the same reference the audit trail and legal holds already use for ``email:<address>``.

Tokens name their key, so :func:`open_address` needs no subject: after the subject's key is
shredded the address reads as None and mail to it is dropped. See docs/security.md,
"Personal data at rest".
"""

from __future__ import annotations

from typing import Final

from civicflow.security import keys
from civicflow.security._keys_kek import kek_ring
from civicflow.security._sealing import SealingError, field_aad, open_token, token_key_id, unwrap_dek
from civicflow.security.models import SubjectKey

__all__ = ["FIELD", "index", "normalise", "open_address", "seal_address"]

FIELD: Final = "email"


def normalise(address: str) -> str:
    """The form an address is indexed in: stripped and lower-cased (mail systems treat case alike in practice)."""
    return address.strip().lower()


def index(address: str) -> str:
    """The blind index of an address: equal for equal addresses in any case; "" for no address."""
    found = normalise(address)
    return keys.reference(f"email:{found}") if found else ""


def seal_address(subject: str, address: str) -> str:
    """The stored token of ``address`` (stripped) sealed under ``subject``; "" for no address.

    A subject whose key is already shredded gets "" too: nothing can be sealed for them any more.
    """
    found = address.strip()
    if not found:
        return ""
    try:
        return keys.seal(subject, FIELD, found)
    except keys.SubjectKeyShreddedError:
        return ""


def open_address(token: str) -> str | None:
    """The address a stored token holds; None for no token, a shredded key, or a token that does not open."""
    if not token:
        return None
    try:
        kid = token_key_id(token)
    except (SealingError, ValueError):
        return None
    row = SubjectKey.objects.filter(pk=int(kid)).first() if kid.isdigit() else None
    if row is None or row.shredded_at is not None:
        return None
    try:
        dek = unwrap_dek(row.wrapped_dek, kek_ring().get(row.kek_id), row.subject_ref)
        return open_token(token, dek, field_aad(row.subject_ref, FIELD)).decode("utf-8")
    except (SealingError, ValueError):
        return None
