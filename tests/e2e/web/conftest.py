"""Browser test harness: the platform served by `civicflow serve`, driven by Debian's Chromium.

The browser is the machine's own /usr/bin/chromium (installed by .ci/run), never one downloaded
by `playwright install`. Tests are skipped, with the reason, only when that binary is missing.
The platform mails to a real SMTP server on loopback (aiosmtpd, the `mailbox` fixture), so a test
can read what was sent: the portal's draft links, the building permit's invoice and permit mails.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from support.served import Platform, free_port, serve

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


class Mailbox:
    """A real SMTP server (aiosmtpd) on loopback: the served platform's mail lands here."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self._lock = threading.Lock()
        self._messages: list[EmailMessage] = []
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self._messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def wait_for(self, to: str, subject: str, timeout: float = 60) -> EmailMessage:
        """The first message to ``to`` whose subject contains ``subject``; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages():
                if to in str(message["To"]) and subject in str(message["Subject"]):
                    return message
            time.sleep(0.2)
        seen = [(str(m["To"]), str(m["Subject"])) for m in self.messages()]
        pytest.fail(f"no mail to {to} about {subject!r} within {timeout} s; received {seen}")

    @staticmethod
    def text(message: EmailMessage) -> str:
        """The plain-text body of ``message``, decoded."""
        part = message.get_body(preferencelist=("plain",))
        assert part is not None, f"mail {message['Subject']!r} has no text part"
        return str(part.get_content())


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox) -> Iterator[Platform]:
    """A running platform (gunicorn + worker, SQLite) in a fresh folder, mailing to ``mailbox``."""
    if not BUILT_CSS.exists():
        pytest.fail("front-end assets are not built: run `make test`, or `npm ci && npm run build` (docs/web.md)")
    with serve(tmp_path_factory.mktemp("platform"), mailbox) as served:
        yield served


@pytest.fixture(scope="session")
def base_url(platform: Platform) -> str:
    return platform.url


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
def sign_in() -> Callable[[Any, str], None]:
    """Signs a page in to the workbench as a staff account (made with support.workbench.PASSWORD)."""
    from support.workbench import PASSWORD

    def sign(page: Any, username: str) -> None:
        page.goto("/workbench/sign-in")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url("**/workbench/")

    return sign


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci` (make test does)")
    return AXE.read_text()
