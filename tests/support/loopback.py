"""Loopback servers and models for the connector integration tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Receiver", "service_model"]


def service_model(process_id: str, job_type: str, headers: dict[str, str], retries: int = 3) -> bytes:
    """One service task with ``zeebe:taskHeaders``, between a start and an end event."""
    from xml.sax.saxutils import quoteattr

    items = "".join(f"<zeebe:header key={quoteattr(k)} value={quoteattr(v)}/>" for k, v in headers.items())
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://civicflow.example/connectors">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="call">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="{job_type}" retries="{retries}"/>
        <zeebe:taskHeaders>{items}</zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


class Receiver:
    """A threading http.server on a free loopback port; ``respond(request) -> (status, body)``."""

    def __init__(self, respond: Callable[[dict[str, Any]], tuple[int, bytes]]) -> None:
        self.requests: list[dict[str, Any]] = []
        self.respond = respond
        self.down = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                if outer.down:
                    status, payload = 503, b"down"
                else:
                    outer.requests.append(request)
                    status, payload = outer.respond(request)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = _handle  # noqa: N815 - http.server's naming

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
