"""Events in: a durable JetStream consumer that correlates CloudEvents to BPMN messages.

Mapping of one CloudEvent (structured JSON) to ``correlate_message(name, key, variables)``:

- message name: ``types[event.type]`` when the mapping names the type, else the type itself;
- correlation key: the extension attribute ``key_attribute`` when set, else ``subject``;
- variables: ``data`` when it is an object, else ``{"data": data}``.

A message is acknowledged only after the correlation committed. Nobody waiting for it: it is
redelivered after ``retry_delay`` (the receiver may not have reached its catch event yet), up to
``max_deliveries``, then dropped with a log line; a message that is not a CloudEvent is dropped
at once (``term``: it can never be understood). Delivery is at least once: an ack lost after the
commit brings the event back, and it correlates again only if an instance is waiting again.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connections

from civicflow.connectors._nats import Delivery, JetStreamBus
from civicflow.connectors.cloudevents import CloudEvent, CloudEventError, parse
from civicflow.connectors.ports import TransportError
from civicflow.runtime.errors import MessageNotCorrelatedError
from civicflow.runtime.services import correlate_message

__all__ = ["Consumer", "InboundMapping", "to_message"]

log = logging.getLogger("civicflow.connectors")


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMapping:
    types: Mapping[str, str] = field(default_factory=dict)  # CloudEvent type -> message name
    key_attribute: str | None = None  # extension attribute holding the correlation key; None: subject
    ttl: timedelta | None = None  # buffer a message nobody waits for this long (None: redeliver)
    retry_delay: float = 5.0
    max_deliveries: int = 20


def to_message(event: CloudEvent, mapping: InboundMapping) -> tuple[str, str | None, dict[str, Any]]:
    name = mapping.types.get(event.type, event.type)
    key = event.extensions.get(mapping.key_attribute) if mapping.key_attribute else event.subject
    data = event.data
    variables = dict(data) if isinstance(data, Mapping) else ({} if data is None else {"data": data})
    return name, key, variables


def durable_name(subject: str) -> str:
    return "civicflow-" + re.sub(r"[^A-Za-z0-9_-]", "_", subject)


class Consumer:
    """One thread pulling ``subject`` through the durable consumer ``durable``."""

    def __init__(
        self,
        bus: JetStreamBus,
        subject: str,
        mapping: InboundMapping | None = None,
        *,
        durable: str | None = None,
        batch: int = 16,
    ) -> None:
        self.bus = bus
        self.subject = subject
        self.mapping = mapping or InboundMapping()
        self.durable = durable or durable_name(subject)
        self.batch = batch
        self.correlated = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def handle(self, delivery: Delivery) -> str:
        """Correlate one message and settle it: ``ack``, ``nak`` or ``term`` (returned)."""
        try:
            event = parse(delivery.data)
        except CloudEventError as exc:
            log.warning(
                "inbound message is not a CloudEvent; dropped", extra={"subject": delivery.subject, "error": str(exc)}
            )
            self.bus.term(delivery)
            return "term"
        name, key, variables = to_message(event, self.mapping)
        try:
            correlate_message(name, key, variables, ttl=self.mapping.ttl)
        except MessageNotCorrelatedError:
            if delivery.num_delivered >= self.mapping.max_deliveries:
                log.warning("inbound event never correlated; dropped", extra={"id": event.id, "message_name": name})
                self.bus.term(delivery)
                return "term"
            self.bus.nak(delivery, delay=self.mapping.retry_delay)
            return "nak"
        self.bus.ack(delivery)  # after the commit: a crash before it redelivers, never loses
        self.correlated += 1
        return "ack"

    def poll(self, wait: float = 1.0) -> int:
        """Fetch and handle one batch; the number of messages handled."""
        deliveries = self.bus.fetch(self.subject, self.durable, batch=self.batch, wait=wait)
        for delivery in deliveries:
            try:
                self.handle(delivery)
            except TransportError:
                raise
            except Exception:  # one bad message must not stop the consumer; it comes back unacked
                log.exception("inbound event failed", extra={"subject": delivery.subject})
        return len(deliveries)

    def run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self.poll()
                except TransportError as exc:
                    log.warning("event bus unavailable; retrying", extra={"error": str(exc)})
                    self._stop.wait(2.0)
        finally:
            connections.close_all()

    def start(self) -> Consumer:
        self._thread = threading.Thread(target=self.run, name=f"civicflow-consume-{self.subject}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
