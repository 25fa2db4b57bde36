"""The transports connectors speak through, as Protocols (STYLE.md 10).

Each has an in-memory fake in :mod:`civicflow.connectors.fakes` for unit tests and a real
implementation (httpx, smtplib, nats-py) that the integration tests drive against servers on
loopback. A transport raises :class:`TransportError` when the other side cannot be reached or
answers with a failure; the caller decides whether that is retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol

from civicflow.errors import CivicFlowError

__all__ = [
    "BusMessage",
    "EventBus",
    "HttpRequest",
    "HttpResponse",
    "HttpTransport",
    "MailTransport",
    "TransportError",
]


class TransportError(CivicFlowError):
    """The remote side could not be reached, timed out or refused the message."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    timeout: float = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


class HttpTransport(Protocol):
    def send(self, request: HttpRequest) -> HttpResponse:
        """Send one request; any status is an answer, only no answer raises :class:`TransportError`."""
        ...


class MailTransport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the mail server; raises :class:`TransportError` when it refuses."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class BusMessage:
    subject: str
    data: bytes
    msg_id: str
    headers: Mapping[str, str] = field(default_factory=dict)


class EventBus(Protocol):
    def publish(self, message: BusMessage) -> bool:
        """Publish once per ``msg_id`` (the bus drops a repeat); True when stored, False for a duplicate.

        Raises :class:`TransportError` when the bus did not acknowledge: the caller keeps the
        message and publishes it again later.
        """
        ...
