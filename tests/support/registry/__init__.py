"""A fake population register on loopback: a real HTTP server (threading http.server) for prefill tests.

``GET /people/<scheme>/<identifier>`` answers the person's JSON, 404 for someone unknown. A few
identifiers misbehave on purpose: ``broken`` answers 500, ``slow`` waits ``slow_seconds`` before
answering, ``huge`` sends more than a megabyte, ``garbage`` sends something that is not JSON and
``dripping`` sends a byte at a time for ``slow_seconds``. Every request path is kept in ``requests``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

__all__ = ["PEOPLE", "FakeRegister", "running_register"]

PEOPLE: dict[str, dict[str, Any]] = {
    "999990019": {
        "name": "Jan de Boer",
        "address": "Dorpsstraat 1, 1234 AB Ons Dorp",
        "residence": {"street": "Dorpsstraat 1", "postcode": "1234 AB", "city": "Ons Dorp"},
        "birth": {"date": "1980-02-29"},
    },
}


class FakeRegister:
    """The served register: its base URL, its people (by identifier) and the paths it was asked."""

    def __init__(self, people: dict[str, dict[str, Any]] | None = None, *, slow_seconds: float = 3.0) -> None:
        self.people = dict(PEOPLE if people is None else people)
        self.slow_seconds = slow_seconds
        self.requests: list[str] = []
        register = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                try:
                    self._answer()
                except (BrokenPipeError, ConnectionResetError):
                    # the client gave up (the slow and dripping cases are there to make it): without
                    # this, http.server prints the traceback to stderr from a thread that outlives
                    # the test, into whatever the next test captures
                    return

            def _answer(self) -> None:
                register.requests.append(self.path)
                parts = self.path.split("/")
                if len(parts) != 4 or parts[1] != "people":
                    self._send(404, b'{"error": "not found"}')
                    return
                identifier = unquote(parts[3])
                if identifier == "broken":
                    self._send(500, b'{"error": "database unavailable"}')
                elif identifier == "slow":
                    time.sleep(register.slow_seconds)
                    self._send(200, json.dumps(PEOPLE["999990019"]).encode())
                elif identifier == "huge":
                    self._send(200, json.dumps({"name": "x" * 1_100_000}).encode())
                elif identifier == "garbage":
                    self._send(200, b"<html>not json</html>")
                elif identifier == "dripping":
                    self._drip(json.dumps(PEOPLE["999990019"]).encode())
                elif identifier in register.people:
                    self._send(200, json.dumps(register.people[identifier]).encode())
                else:
                    self._send(404, b'{"error": "unknown person"}')

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _drip(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()  # no length: the client cannot know how long it will take
                pause = register.slow_seconds / len(body)
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(pause)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
                """Quiet: the test output is not the place for an access log."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-register", daemon=True)

    @property
    def template(self) -> str:
        """The URL template for CIVICFLOW_PREFILL_REGISTRY_URL."""
        return f"{self.url}/people/{{scheme}}/{{identifier}}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for serve_forever(), forever if it never ran
            self._server.shutdown()
        self._server.server_close()


@contextmanager
def running_register(
    people: dict[str, dict[str, Any]] | None = None, *, slow_seconds: float = 3.0
) -> Iterator[FakeRegister]:
    """A started :class:`FakeRegister`, stopped afterwards."""
    register = FakeRegister(people, slow_seconds=slow_seconds)
    register.start()
    try:
        yield register
    finally:
        register.stop()
