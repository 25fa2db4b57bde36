"""Sealing values inside stored JSON documents, with one data-key unwrap per subject per keyring.

The runtime and the portal keep process variables in JSON (instance state, history payloads,
outbox and job payloads, drafts). A value under a personal name is replaced by
``{"$sealed": token}`` (:func:`civicflow.security.keys.seal`'s token of the value's JSON text, the
name as the field), or ``{"$sealed": null}`` when the subject's key was shredded before it was
written. Tokens name their key, so opening needs no subject: :class:`Keyring` finds the key by id.

A :class:`Keyring` lives for one step, batch or request: it caches unwrapped data keys (one
database read and one unwrap per subject) and is dropped with them. See docs/security.md,
"Personal data at rest".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from typing import Any, Final

from django.utils.translation import gettext

from civicflow.security._keys_kek import KekRing, kek_ring, subject_ref
from civicflow.security._sealing import SealingError, field_aad, open_token, token_key_id, unwrap_dek
from civicflow.security._sealing import seal as seal_bytes
from civicflow.security.keys import _key_for_sealing
from civicflow.security.models import SubjectKey

__all__ = ["ERASED", "SEALED", "Erased", "Keyring", "has_sealed", "is_sealed", "open_document", "seal_document"]

SEALED: Final = "$sealed"


class Erased(str):
    """What an opened value is when its subject's key was shredded: shows as "erased", is never the value.

    Pages print it in the active language (``str``); JSON writes the English word.
    """

    __slots__ = ()

    def __str__(self) -> str:
        return gettext("erased")


ERASED: Final = Erased("erased")
_Key = tuple[str, str, bytes | None]  # (key id, subject reference, data key or None when shredded)


def is_sealed(value: Any) -> bool:
    return type(value) is dict and len(value) == 1 and SEALED in value


def has_sealed(text: str) -> bool:
    """Whether stored JSON text holds a sealed value (a cheap test before parsing it)."""
    return f'"{SEALED}"' in text


class Keyring:
    """Unwrapped data keys for the length of one step, batch or request.

    It also keeps the tokens it opened: sealing the same value again for the same subject and
    field (a state written back with a variable unchanged) reuses its token instead of encrypting
    anew. That reveals only that the value did not change, which the unchanged row says anyway.
    """

    __slots__ = ("_by_id", "_by_ref", "_opened", "_ring", "subjects")

    def __init__(self) -> None:
        self._by_ref: dict[str, _Key] = {}
        self._by_id: dict[str, _Key] = {}
        self._opened: dict[tuple[str, str, str], str] = {}  # (subject ref, field, JSON text) -> token
        self._ring: KekRing | None = None
        self.subjects: dict[str, str] = {}  # the caller's memo: owner (an instance id) -> subject reference

    def _remember(self, row: SubjectKey) -> _Key:
        dek = None
        if row.shredded_at is None:
            if self._ring is None:
                self._ring = kek_ring()
            dek = unwrap_dek(row.wrapped_dek, self._ring.get(row.kek_id), row.subject_ref)
        key = (str(row.pk), row.subject_ref, dek)
        self._by_ref[row.subject_ref] = self._by_id[key[0]] = key
        return key

    def reference(self, subject: str) -> str:
        """The stored reference (keyed hash) of a subject identifier."""
        return subject_ref(subject)

    def seal(self, ref: str, field: str, value: Any) -> dict[str, str | None]:
        """``{"$sealed": token}`` of a JSON value for subject reference ``ref``; null when the key is shredded."""
        key = self._by_ref.get(ref) or self._remember(_key_for_sealing(ref))
        kid, _ref, dek = key
        if dek is None:
            return {SEALED: None}
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        token = self._opened.get((ref, field, text))
        if token is None:
            token = seal_bytes(text, dek, field_aad(ref, field), key_id=kid)
        return {SEALED: token}

    def seal_document(self, doc: Any, names: Collection[str], ref: str) -> Any:
        """:func:`seal_document` under subject reference ``ref``."""
        return seal_document(doc, names, lambda name, value: self.seal(ref, name, value))

    def open_document(self, doc: Any, *, for_display: bool = False) -> Any:
        """:func:`open_document`: shredded values are :data:`ERASED` for pages, null for the engine."""
        return open_document(doc, self, ERASED if for_display else None)

    @staticmethod
    def has_sealed(text: str) -> bool:
        return has_sealed(text)

    def open(self, field: str, sealed: Mapping[str, Any], erased: Any = ERASED) -> Any:
        """The JSON value of ``{"$sealed": token}``; ``erased`` when the key is shredded or gone."""
        token = sealed[SEALED]
        if token is None:
            return erased
        kid = token_key_id(token)
        key = self._by_id.get(kid)
        if key is None:
            row = SubjectKey.objects.filter(pk=int(kid)).first() if kid.isdigit() else None
            if row is None:
                return erased
            key = self._remember(row)
        _kid, ref, dek = key
        if dek is None:
            return erased
        text = open_token(token, dek, field_aad(ref, field)).decode("utf-8")
        self._opened[(ref, field, text)] = token
        return json.loads(text)


def seal_document(doc: Any, names: Collection[str], seal: Callable[[str, Any], Any]) -> Any:
    """``doc`` with the value under every object key in ``names`` (at any depth) replaced by ``seal(name, value)``.

    Values already sealed are kept; a sealed value is not entered (a personal object is sealed whole).
    """
    if type(doc) is dict:
        out = {}
        for name, value in doc.items():
            if name in names and value is not None and not is_sealed(value):
                out[name] = seal(name, value)
            else:
                out[name] = seal_document(value, names, seal)
        return out
    if type(doc) is list:
        return [seal_document(item, names, seal) for item in doc]
    return doc


def open_document(doc: Any, keyring: Keyring, erased: Any = ERASED) -> Any:
    """``doc`` with every sealed value opened (``erased`` for shredded keys and tokens that do not open)."""
    if type(doc) is dict:
        out = {}
        for name, value in doc.items():
            if is_sealed(value):
                try:
                    out[name] = keyring.open(name, value, erased)
                except (SealingError, ValueError):  # tampered or foreign: never the value, never a crash
                    out[name] = erased
            else:
                out[name] = open_document(value, keyring, erased)
        return out
    if type(doc) is list:
        return [open_document(item, keyring, erased) for item in doc]
    return doc
