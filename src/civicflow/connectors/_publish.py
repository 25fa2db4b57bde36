"""The ``publish`` connector: one CloudEvent 1.0 (JSON) to a NATS JetStream subject.

Options: ``subject`` (required), ``eventType`` (default ``org.civicflow.message``), ``data``
(any value, usually FEEL), ``source`` (default ``civicflow/instance/<id>``). The CloudEvent id,
also sent as ``Nats-Msg-Id``, is the call's idempotency key, so a repeated attempt is dropped by
JetStream's duplicate window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from civicflow.connectors._plugin import BasePlugin, Call, ConnectorError, register
from civicflow.connectors._values import option, required
from civicflow.connectors.cloudevents import CONTENT_TYPE, CloudEvent
from civicflow.connectors.ports import BusMessage, EventBus, TransportError

__all__ = ["PublishOptions", "PublishPlugin"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishOptions:
    subject: str
    event_type: str = "org.civicflow.message"
    source: str = ""
    data: Any = None


@register("publish")
class PublishPlugin(BasePlugin[PublishOptions]):
    def __init__(self, bus: EventBus | None = None) -> None:
        self._bus = bus

    @property
    def bus(self) -> EventBus:
        if self._bus is None:
            from civicflow.connectors._nats import default_bus

            self._bus = default_bus()
        return self._bus

    def options(self, call: Call) -> PublishOptions:
        return PublishOptions(
            subject=str(required(call, "subject", plugin="publish")),
            event_type=str(option(call, "eventType", "org.civicflow.message", plugin="publish")),
            source=str(option(call, "source", f"civicflow/instance/{call.instance_id}", plugin="publish")),
            data=option(call, "data", plugin="publish"),
        )

    def run(self, call: Call, options: PublishOptions) -> Mapping[str, Any] | None:
        event = CloudEvent(
            id=call.idempotency_key,
            source=options.source,
            type=options.event_type,
            subject=call.instance_id,
            data=options.data,
        )
        message = BusMessage(
            subject=options.subject,
            data=event.to_json(),
            msg_id=event.id,
            headers={"Content-Type": CONTENT_TYPE},
        )
        try:
            self.bus.publish(message)
        except TransportError as exc:
            raise ConnectorError(f"publish to {options.subject}: {exc}", plugin="publish") from exc
        return None
