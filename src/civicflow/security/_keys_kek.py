"""The keys personal-data sealing takes from configuration (see docs/deployment.md).

``CIVICFLOW_KEK``           the current key-encryption key: base64 of 32 bytes, or a path to a file
                            holding that (or the 32 raw bytes). New and rewrapped DEKs use it.
``CIVICFLOW_KEK_PREVIOUS``  earlier KEKs, comma-separated, same forms: they still unwrap during a rotation.
``CIVICFLOW_SUBJECT_KEY``   the HMAC key that turns a subject's identifier into the stored reference.

Unset, a key is generated once into the instance folder (mode 0600, ``O_EXCL`` against races) and
that is logged, like the audit signing key. Keep those files out of the database's backups: a
thief of both reads every sealed value.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from django.conf import settings

from civicflow.errors import ConfigurationError
from civicflow.security._sealing import KEY_BYTES, Kek

__all__ = ["KEK_ENV", "PREVIOUS_ENV", "SUBJECT_ENV", "KekRing", "kek_ring", "subject_ref"]

KEK_ENV: Final = "CIVICFLOW_KEK"
PREVIOUS_ENV: Final = "CIVICFLOW_KEK_PREVIOUS"
SUBJECT_ENV: Final = "CIVICFLOW_SUBJECT_KEY"
_FILES: Final = {KEK_ENV: "personal_data_kek", SUBJECT_ENV: "subject_ref_key"}
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KekRing:
    """The current KEK and the ones still accepted for unwrapping, by id."""

    current: Kek
    by_id: dict[str, Kek]

    def get(self, kek_id: str) -> Kek:
        try:
            return self.by_id[kek_id]
        except KeyError:
            raise ConfigurationError(
                f"no configured KEK has id {kek_id}: add it to {PREVIOUS_ENV} (or finish `civicflow keys rotate`)"
            ) from None


def _decode(text: str) -> bytes | None:
    try:
        raw = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == KEY_BYTES else None


def _parse(value: str, env: str) -> bytes:
    value = value.strip()
    if (raw := _decode(value)) is not None:
        return raw
    path = Path(value)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"{env}: neither base64 of {KEY_BYTES} bytes nor a readable file ({exc.strerror})"
        ) from exc
    if len(content) == KEY_BYTES:
        return content
    if (raw := _decode(content.decode("ascii", "replace").strip())) is not None:
        return raw
    raise ConfigurationError(f"{env}: {path} holds neither {KEY_BYTES} raw bytes nor their base64")


def _instance_key(env: str) -> bytes:
    path = Path(settings.INSTANCE_DIR) / _FILES[env]
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _parse(str(path), env)
    except OSError as exc:
        raise ConfigurationError(f"{env} is unset and {path} cannot be created ({exc.strerror})") from exc
    key = os.urandom(KEY_BYTES)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(key).decode("ascii") + "\n")
    _log.warning("generated %s in %s (set %s to use your own)", _FILES[env], path, env)
    return key


def _configured(env: str) -> bytes:
    return _load(env, os.environ.get(env, "").strip(), str(settings.INSTANCE_DIR))


@functools.lru_cache(maxsize=16)
def _load(env: str, value: str, _instance_dir: str) -> bytes:
    # cached per configured value, so sealing does not read a key file per call; a changed
    # variable (or instance folder) is a new cache entry
    return _parse(value, env) if value else _instance_key(env)


def kek_ring() -> KekRing:
    current = Kek(_configured(KEK_ENV))
    by_id = {current.kek_id: current}
    for item in os.environ.get(PREVIOUS_ENV, "").split(","):
        if item.strip():
            kek = Kek(_load(PREVIOUS_ENV, item.strip(), ""))
            by_id.setdefault(kek.kek_id, kek)
    return KekRing(current=current, by_id=by_id)


def subject_ref(subject: str) -> str:
    """The stored reference of a subject: HMAC-SHA256 of its identifier, never the identifier itself."""
    if not subject:
        raise ValueError("a subject identifier is not empty")
    return hmac.new(_configured(SUBJECT_ENV), b"civicflow-subject\x00" + subject.encode(), "sha256").hexdigest()
