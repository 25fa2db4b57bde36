"""The ``email`` connector: one message through SMTP, subject and body templated per language.

Options: ``to`` (required: an address, a comma-separated text or a FEEL list), ``from`` (default
``CIVICFLOW_MAIL_FROM`` or ``civicflow@localhost``), ``subject`` and ``body`` (templates with
``${name}`` placeholders filled from the job's variables), ``language`` (default: the variable
``language``, else ``en``). Per-language templates are ``subject.<lang>`` / ``body.<lang>``
(``body.nl``); a language without its own template falls back to plain ``subject`` / ``body``.

``$``-templates (``string.Template``) rather than ``str.format``: a model's author must not
reach attributes of the values (``{x.__class__}``); a missing variable stays as written.
The message carries the call's idempotency key as ``Message-ID`` and ``Idempotency-Key``.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from string import Template
from typing import Any

from civicflow.connectors._http import IDEMPOTENCY_HEADER
from civicflow.connectors._plugin import BasePlugin, Call, ConnectorError, ConnectorOptionsError, register
from civicflow.connectors._values import option, required
from civicflow.connectors.ports import MailTransport, TransportError

__all__ = ["EmailOptions", "EmailPlugin", "SmtpTransport", "default_mail_plugin", "render"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailOptions:
    to: tuple[str, ...]
    sender: str
    subject: str
    body: str
    language: str = "en"


def render(template: str, variables: Mapping[str, Any]) -> str:
    return Template(template).safe_substitute({k: "" if v is None else v for k, v in variables.items()})


def _addresses(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(a for a in (str(i).strip() for i in items if i is not None) if a)


@register("email")
class EmailPlugin(BasePlugin[EmailOptions]):
    def __init__(self, transport: MailTransport | None = None, *, default_sender: str = "civicflow@localhost") -> None:
        self._transport = transport
        self._sender = default_sender

    @property
    def transport(self) -> MailTransport:
        if self._transport is None:
            self._transport = SmtpTransport.from_environment()
        return self._transport

    def options(self, call: Call) -> EmailOptions:
        to = _addresses(required(call, "to", plugin="email"))
        if not to:
            raise ConnectorOptionsError("the email connector needs 'to'", plugin="email", option="to")
        language = str(option(call, "language", call.variables.get("language") or "en", plugin="email"))

        def template(name: str) -> str:
            raw = call.options.get(f"{name}.{language}")
            if raw is None:
                return str(option(call, name, "", plugin="email"))
            return str(option(call, f"{name}.{language}", "", plugin="email"))

        return EmailOptions(
            to=to,
            sender=str(option(call, "from", self._sender, plugin="email")),
            subject=render(template("subject"), call.variables),
            body=render(template("body"), call.variables),
            language=language,
        )

    def run(self, call: Call, options: EmailOptions) -> Mapping[str, Any] | None:
        message = EmailMessage()
        message["From"] = options.sender
        message["To"] = ", ".join(options.to)
        message["Subject"] = options.subject
        message["Content-Language"] = options.language
        message["Message-ID"] = f"<{call.idempotency_key}@civicflow>"
        message[IDEMPOTENCY_HEADER] = call.idempotency_key
        message.set_content(options.body)
        try:
            self.transport.send(message)
        except TransportError as exc:
            raise ConnectorError(f"mail to {message['To']}: {exc}", plugin="email") from exc
        return None


class SmtpTransport:
    """smtplib, one connection per message (mail is rare next to HTTP calls; no pool to go stale)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 25,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    @classmethod
    def from_environment(cls) -> SmtpTransport:
        """``CIVICFLOW_SMTP_HOST`` / ``_PORT`` / ``_USER`` / ``_PASSWORD`` / ``_STARTTLS`` (1 to enable)."""
        env = os.environ
        return cls(
            env.get("CIVICFLOW_SMTP_HOST", "127.0.0.1"),
            int(env.get("CIVICFLOW_SMTP_PORT", "25")),
            username=env.get("CIVICFLOW_SMTP_USER") or None,
            password=env.get("CIVICFLOW_SMTP_PASSWORD") or None,
            starttls=env.get("CIVICFLOW_SMTP_STARTTLS", "") == "1",
        )

    def send(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc


def default_mail_plugin() -> EmailPlugin:
    return EmailPlugin(default_sender=os.environ.get("CIVICFLOW_MAIL_FROM", "civicflow@localhost"))
