"""In-memory transports for unit tests (the ``MockTransport`` idea of httpx)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from civicflow.connectors.ports import BusMessage, HttpRequest, HttpResponse, TransportError

__all__ = ["FakeEventBus", "FakeHttpTransport", "FakeMailTransport"]


@dataclass(slots=True)
class FakeHttpTransport:
    """Answers each request with ``handler(request)`` and remembers every request."""

    handler: Callable[[HttpRequest], HttpResponse] = field(default=lambda _r: HttpResponse(status=200))
    requests: list[HttpRequest] = field(default_factory=list)

    def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return self.handler(request)


@dataclass(slots=True)
class FakeMailTransport:
    """Keeps sent messages; ``down`` makes it refuse like an unreachable server."""

    sent: list[EmailMessage] = field(default_factory=list)
    down: bool = False

    def send(self, message: EmailMessage) -> None:
        if self.down:
            raise TransportError("mail server unreachable")
        self.sent.append(message)


@dataclass(slots=True)
class FakeEventBus:
    """A JetStream stand-in: drops a repeated ``msg_id`` as the real dedup window does."""

    messages: list[BusMessage] = field(default_factory=list)
    down: bool = False

    def publish(self, message: BusMessage) -> bool:
        if self.down:
            raise TransportError("bus unreachable")
        if any(m.msg_id == message.msg_id for m in self.messages):
            return False
        self.messages.append(message)
        return True
