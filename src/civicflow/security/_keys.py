"""The Ed25519 key that signs audit checkpoints.

``CIVICFLOW_AUDIT_SIGNING_KEY`` names a PEM file holding an Ed25519 private key. Unset, a key is
generated in the instance folder on first use (``audit_signing_key.pem``, mode 0600) and that is
logged: keep that file out of backups the database goes into, or a thief of both can re-sign.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from django.conf import settings

from civicflow.errors import ConfigurationError

__all__ = ["public_key_pem", "signing_key"]

ENV: Final = "CIVICFLOW_AUDIT_SIGNING_KEY"
_DEFAULT_FILE: Final = "audit_signing_key.pem"
_log = logging.getLogger(__name__)


def _key_path() -> tuple[Path, bool]:
    configured = os.environ.get(ENV, "").strip()
    if configured:
        return Path(configured), False
    return Path(settings.INSTANCE_DIR) / _DEFAULT_FILE, True


def signing_key() -> Ed25519PrivateKey:
    """The configured key, or the instance folder's (generated on first use, ``O_EXCL`` against races)."""
    path, generated = _key_path()
    if generated:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            key = Ed25519PrivateKey.generate()
            with os.fdopen(fd, "wb") as handle:
                handle.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
            _log.warning("generated an audit signing key in %s (set %s to use your own)", path, ENV)
            return key
    try:
        loaded = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigurationError(f"{ENV}: cannot read an Ed25519 private key from {path}: {exc}") from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ConfigurationError(f"{ENV}: {path} holds a {type(loaded).__name__}, not an Ed25519 private key")
    return loaded


def public_key_pem() -> str:
    return signing_key().public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")
