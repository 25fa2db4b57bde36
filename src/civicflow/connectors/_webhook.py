"""The ``webhook`` connector and the signed POST it shares with subscription deliveries.

Options: ``subscription`` (the name of a :class:`~civicflow.connectors.models.WebhookSubscription`,
which holds the URL and the secret, so secrets stay out of BPMN files) or ``url`` + ``secret``;
``eventType`` (default ``org.civicflow.webhook``); ``data`` (any value, usually FEEL); ``timeout``
(seconds, default 10). The body is a CloudEvent whose id is the call's idempotency key.

A failed delivery fails the job (retries with the job's backoff); the last failed attempt also
stores the delivery as a dead letter (``WebhookDelivery`` with status ``dead``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from civicflow.connectors._http import IDEMPOTENCY_HEADER
from civicflow.connectors._plugin import BasePlugin, Call, ConnectorError, ConnectorOptionsError, register
from civicflow.connectors._values import option, option_float
from civicflow.connectors.cloudevents import CONTENT_TYPE, CloudEvent
from civicflow.connectors.ports import HttpRequest, HttpResponse, HttpTransport, TransportError
from civicflow.connectors.signing import signature_headers

__all__ = ["DeadLetter", "WebhookOptions", "WebhookPlugin", "send_signed"]

Secrets = Callable[[str], tuple[str, str]]
"""Subscription name -> (url, secret)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookOptions:
    url: str
    secret: str
    event_type: str = "org.civicflow.webhook"
    data: Any = None
    timeout: float = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadLetter:
    url: str
    event_id: str
    event_type: str
    body: bytes
    error: str
    status: int | None
    attempts: int


def send_signed(
    transport: HttpTransport, *, url: str, secret: str, body: bytes, event_id: str, now: int, timeout: float = 10.0
) -> HttpResponse:
    """POST ``body`` signed over ``now.body``; raises :class:`TransportError` unless answered 2xx."""
    headers = {
        "Content-Type": CONTENT_TYPE,
        IDEMPOTENCY_HEADER: event_id,
        **signature_headers(secret, now, body),
    }
    response = transport.send(HttpRequest(method="POST", url=url, headers=headers, body=body, timeout=timeout))
    if not 200 <= response.status < 300:
        raise TransportError(f"{url} answered {response.status}")
    return response


@register("webhook")
class WebhookPlugin(BasePlugin[WebhookOptions]):
    def __init__(
        self,
        transport: HttpTransport | None = None,
        *,
        secrets: Secrets | None = None,
        dead_letters: Callable[[DeadLetter], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._transport = transport
        self._secrets = secrets
        self._dead_letters = dead_letters
        self._clock = clock

    @property
    def transport(self) -> HttpTransport:
        if self._transport is None:
            from civicflow.connectors._httpx import HttpxTransport

            self._transport = HttpxTransport()
        return self._transport

    def options(self, call: Call) -> WebhookOptions:
        name = option(call, "subscription", plugin="webhook")
        if name:
            if self._secrets is None:
                raise ConnectorOptionsError("no subscription store configured", plugin="webhook")
            url, secret = self._secrets(str(name))
        else:
            url = str(option(call, "url", "", plugin="webhook"))
            secret = str(option(call, "secret", "", plugin="webhook"))
        if not url or not secret:
            raise ConnectorOptionsError(
                "the webhook connector needs 'subscription', or 'url' and 'secret'", plugin="webhook"
            )
        return WebhookOptions(
            url=url,
            secret=secret,
            event_type=str(option(call, "eventType", "org.civicflow.webhook", plugin="webhook")),
            data=option(call, "data", plugin="webhook"),
            timeout=option_float(call, "timeout", 10.0, plugin="webhook"),
        )

    def run(self, call: Call, options: WebhookOptions) -> Mapping[str, Any] | None:
        event = CloudEvent(
            id=call.idempotency_key,
            source=f"civicflow/instance/{call.instance_id}",
            type=options.event_type,
            subject=call.element_id,
            data=options.data,
        )
        body = event.to_json()
        now = int(self._clock())
        try:
            send_signed(
                self.transport,
                url=options.url,
                secret=options.secret,
                body=body,
                event_id=event.id,
                now=now,
                timeout=options.timeout,
            )
        except TransportError as exc:
            if call.last_attempt and self._dead_letters is not None:
                self._dead_letters(
                    DeadLetter(
                        url=options.url,
                        event_id=event.id,
                        event_type=event.type,
                        body=body,
                        error=str(exc),
                        status=None,
                        attempts=call.attempt,
                    )
                )
            raise ConnectorError(f"webhook {options.url}: {exc}", plugin="webhook") from exc
        return None
