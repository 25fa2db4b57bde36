"""`civicflow serve` on a fresh folder answers /healthz with 200 well within a minute."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_healthz_on_a_fresh_sqlite_folder(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICFLOW_", "DJANGO_"))}
    env["CIVICFLOW_INSTANCE_DIR"] = str(tmp_path / "instance")
    civicflow = Path(sys.executable).with_name("civicflow")
    log = (tmp_path / "serve.log").open("w")
    started = time.monotonic()
    process = subprocess.Popen(
        [str(civicflow), "serve", "--port", str(port)], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        body = None
        while time.monotonic() - started < 60 and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    body = json.load(response)
                    break
            except OSError:
                time.sleep(0.25)
        output = (tmp_path / "serve.log").read_text()
        assert body == {"status": "ok", "database": "ok", "migrations": "applied", "vendor": "sqlite"}, output
        assert (tmp_path / "civicflow.sqlite3").exists()
        assert (tmp_path / "instance" / "secret_key").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
