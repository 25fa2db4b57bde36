"""The instance folder: per-installation state that must never be committed.

It holds the generated secret key (and, later, key-encryption keys and uploads). Its location
comes from ``CIVICFLOW_INSTANCE_DIR`` and defaults to ``./instance`` next to the SQLite file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["instance_dir", "secret_key"]

_SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret  # nosec B105


def instance_dir(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    path = Path(env.get("CIVICFLOW_INSTANCE_DIR", "instance")).resolve()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def secret_key(folder: Path) -> str:
    """Return the installation's secret key, generating it on first use.

    The file is created with ``O_EXCL`` so that two processes starting at once (web and
    worker) cannot each write a different key; the loser reads the winner's.
    """
    path = folder / _SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 50:
            raise
        return key
    key = secrets.token_urlsafe(64)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
