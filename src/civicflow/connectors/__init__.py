"""Connectors: service-task plugins (http, email, publish, webhook, decision) and the event bus.

    >>> from civicflow.connectors import PluginRegistry, BasePlugin, Call
    >>> from civicflow.connectors.fakes import FakeHttpTransport
    >>> HttpPlugin(FakeHttpTransport())(Call(instance_id="i", element_id="t", element_instance=1,
    ...     attempt=1, retries=3, options={"url": "https://example.org"}))

The plugins are pure of Django; :mod:`civicflow.connectors.apps` registers them as the runtime's
job handlers. The outbox publisher (:mod:`~civicflow.connectors.outbox`) and the inbound
consumer (:mod:`~civicflow.connectors.inbound`) run inside ``civicflow worker``.
"""

from civicflow.connectors._decision import DecisionOptions, DecisionPlugin
from civicflow.connectors._email import EmailOptions, EmailPlugin, SmtpTransport
from civicflow.connectors._http import IDEMPOTENCY_HEADER, HttpOptions, HttpPlugin
from civicflow.connectors._plugin import (
    REGISTRY,
    BasePlugin,
    Call,
    ConnectorError,
    ConnectorOptionsError,
    PluginRegistry,
    idempotency_key,
    register,
)
from civicflow.connectors._publish import PublishOptions, PublishPlugin
from civicflow.connectors._webhook import DeadLetter, WebhookOptions, WebhookPlugin, send_signed

__all__ = [
    "IDEMPOTENCY_HEADER",
    "REGISTRY",
    "BasePlugin",
    "Call",
    "ConnectorError",
    "ConnectorOptionsError",
    "DeadLetter",
    "DecisionOptions",
    "DecisionPlugin",
    "EmailOptions",
    "EmailPlugin",
    "HttpOptions",
    "HttpPlugin",
    "PluginRegistry",
    "PublishOptions",
    "PublishPlugin",
    "SmtpTransport",
    "WebhookOptions",
    "WebhookPlugin",
    "idempotency_key",
    "register",
    "send_signed",
]
