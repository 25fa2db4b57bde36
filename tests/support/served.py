"""A platform served by `civicflow serve` (gunicorn + worker, SQLite) in a folder, for browser tests.

The e2e harness (tests/e2e/web/conftest.py) serves one for the whole session; a test module that
needs other settings (the OIDC sign-in's, for one) serves its own with :func:`serve`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

__all__ = ["Platform", "free_port", "serve"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True, kw_only=True)
class Platform:
    """The served platform: its URL, its folder, the environment of its commands and its mailbox."""

    url: str
    folder: Path
    env: dict[str, str]
    mailbox: Any  # the Mailbox of tests/e2e/web/conftest.py

    def command(self, *args: str, timeout: float = 120) -> str:
        """Run the `civicflow` CLI against this instance (its database); its standard output."""
        civicflow = Path(sys.executable).with_name("civicflow")
        done = subprocess.run(
            [str(civicflow), *args],
            check=False,
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, f"civicflow {' '.join(args)}: {done.stderr}"
        return done.stdout

    def django(self, script: str, timeout: float = 120) -> str:
        """Run a Python script with Django set up on this instance's database; its standard output."""
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "civicflow.site.settings"}
        code = f"import django\ndjango.setup()\n{script}"
        done = subprocess.run(
            [sys.executable, "-c", code],
            check=False,
            cwd=self.folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


@contextmanager
def serve(
    folder: Path, mailbox: Any, *, port: int | None = None, extra_env: Mapping[str, str] | None = None
) -> Iterator[Platform]:
    """Serve the platform from ``folder`` on ``port`` (a free one if None), mailing to ``mailbox``; stop it after."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICFLOW_", "DJANGO_"))}
    env["CIVICFLOW_INSTANCE_DIR"] = str(folder / "instance")
    env["CIVICFLOW_SMTP_HOST"] = "127.0.0.1"
    env["CIVICFLOW_SMTP_PORT"] = str(mailbox.port)
    env.update(extra_env or {})
    civicflow = Path(sys.executable).with_name("civicflow")
    log_path = folder / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(civicflow), "serve", "--port", str(port), "--web-workers", "1"],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded machine (parallel test runs) boots gunicorn slowly
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"civicflow serve did not come up:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.25)
        yield Platform(url=url, folder=folder, env=env, mailbox=mailbox)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
