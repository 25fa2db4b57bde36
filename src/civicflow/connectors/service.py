"""What ``civicflow worker`` runs for the connectors: the publisher, deliveries, consumers.

Configuration (environment, read once at start):

- ``CIVICFLOW_NATS_URL``: publish lifecycle events to this NATS JetStream server (for example
  ``nats://127.0.0.1:4222``). Unset: events go to webhook subscriptions only.
- ``CIVICFLOW_EVENT_SOURCE``: the CloudEvent ``source`` (default ``civicflow``).
- ``CIVICFLOW_INBOUND_MESSAGES``: ``type=MessageName,type2=Other``: CloudEvent type -> BPMN
  message name for ``--consume`` (a type not listed is the message name itself).
- ``CIVICFLOW_INBOUND_KEY``: the extension attribute holding the correlation key (default: the
  CloudEvent ``subject``).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from civicflow.connectors._httpx import HttpxTransport
from civicflow.connectors.deliveries import DeliveryOptions, deliver_due
from civicflow.connectors.inbound import Consumer, InboundMapping
from civicflow.connectors.outbox import OutboxPublisher, PublisherOptions

__all__ = ["periodic_steps", "run_publisher", "start_consumers"]

log = logging.getLogger("civicflow.connectors")


def periodic_steps() -> list[Callable[[], object]]:
    """The publisher's steps for :class:`civicflow.runtime.worker.Worker` (``periodic=``)."""
    bus = None
    url = os.environ.get("CIVICFLOW_NATS_URL")
    if url:
        from civicflow.connectors._nats import JetStreamBus

        bus = JetStreamBus(url)
    publisher = OutboxPublisher(bus, PublisherOptions(source=os.environ.get("CIVICFLOW_EVENT_SOURCE", "civicflow")))
    transport = HttpxTransport()
    options = DeliveryOptions()

    def publish_outbox() -> int:
        return publisher.publish_pending()

    def deliver_webhooks() -> int:
        return deliver_due(transport, options)

    return [publish_outbox, deliver_webhooks]


def run_publisher(stop: threading.Event, interval: float = 0.5) -> None:
    """``civicflow worker --publisher``: only the publisher and deliveries, until ``stop`` is set."""
    steps = periodic_steps()
    while not stop.is_set():
        for step in steps:
            try:
                step()
            except Exception:  # a failing pass is retried at the next interval (logged with its traceback)
                log.exception("publisher step failed")
        stop.wait(interval)


def start_consumers(subjects: list[str]) -> list[Consumer]:
    """Start one inbound consumer thread per subject (``civicflow worker --consume SUBJECT``)."""
    if not subjects:
        return []
    from civicflow.connectors._nats import DEFAULT_URL, JetStreamBus

    pairs = [p.split("=", 1) for p in os.environ.get("CIVICFLOW_INBOUND_MESSAGES", "").split(",") if "=" in p]
    mapping = InboundMapping(
        types={t.strip(): m.strip() for t, m in pairs},
        key_attribute=os.environ.get("CIVICFLOW_INBOUND_KEY") or None,
    )
    bus = JetStreamBus(os.environ.get("CIVICFLOW_NATS_URL") or DEFAULT_URL)
    return [Consumer(bus, subject, mapping).start() for subject in subjects]
