"""Browser test harness: the platform served by `civicflow serve`, driven by Debian's Chromium.

The browser is the machine's own /usr/bin/chromium (installed by .ci/run), never one downloaded
by `playwright install`. Tests are skipped, with the reason, only when that binary is missing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BUILT_CSS = ROOT / "src" / "civicflow" / "web" / "static" / "civicflow" / "civicflow.css"
# Flags from the machine notes: without the background-networking ones Chromium keeps trying to
# reach Google's hosts, which this closed network refuses. Playwright's launch() gives every run
# a fresh, empty --user-data-dir of its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running platform (gunicorn + worker, SQLite) in a fresh folder."""
    if not BUILT_CSS.exists():
        pytest.fail("front-end assets are not built: run `make test`, or `npm ci && npm run build` (docs/web.md)")
    folder = tmp_path_factory.mktemp("platform")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICFLOW_", "DJANGO_"))}
    env["CIVICFLOW_INSTANCE_DIR"] = str(folder / "instance")
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
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"civicflow serve did not come up:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.25)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: .ci/run installs it with `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any, base_url: str) -> Iterator[Any]:
    """Factory: a page in a fresh context (own cookies) in the given language, JavaScript on or off."""
    contexts: list[Any] = []

    def make(language: str = "en", *, javascript: bool = True, bypass_csp: bool = False) -> Any:
        context = browser.new_context(base_url=base_url, java_script_enabled=javascript, bypass_csp=bypass_csp)
        context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci` (make test does)")
    return AXE.read_text()
