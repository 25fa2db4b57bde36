"""The ``http`` connector: one HTTP request per job, its response mapped into variables.

Options (task headers / properties / input mappings; ``=`` starts FEEL over the job's variables):

``url`` (required), ``method`` (default ``GET``, ``POST`` when there is a body), ``headers``
(a context of texts), ``body`` (any value; sent as JSON unless it is text), ``timeout``
(seconds, default 30), ``resultVariable`` (the whole response ``{status, headers, body}`` into
one variable) and ``resultExpression`` (a FEEL context over ``response``, each entry a variable).

Network errors, timeouts, 408, 429 and 5xx fail the job, which the runtime retries with its
retries and exponential backoff; other 4xx fail it too, with the status in the message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from civicflow.connectors._plugin import BasePlugin, Call, ConnectorError, ConnectorOptionsError, register
from civicflow.connectors._values import option, option_float, option_mapping, required, resolve
from civicflow.connectors.ports import HttpRequest, HttpResponse, HttpTransport, TransportError

__all__ = ["IDEMPOTENCY_HEADER", "HttpOptions", "HttpPlugin", "decode_body"]

IDEMPOTENCY_HEADER = "Idempotency-Key"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpOptions:
    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    timeout: float = 30.0
    result_variable: str | None = None
    result_expression: str | None = None


def _encode(value: Any, headers: dict[str, str]) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        return value.encode()
    headers.setdefault("Content-Type", "application/json")
    return json.dumps(value, separators=(",", ":")).encode()


def decode_body(response: HttpResponse) -> Any:
    """The response body as JSON when it is JSON, else as text."""
    if not response.body:
        return None
    text = response.body.decode("utf-8", errors="replace")
    kind = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
    if "json" in kind or text[:1] in "{[":
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


@register("http")
class HttpPlugin(BasePlugin[HttpOptions]):
    def __init__(self, transport: HttpTransport | None = None) -> None:
        self._transport = transport

    @property
    def transport(self) -> HttpTransport:
        if self._transport is None:
            from civicflow.connectors._httpx import HttpxTransport

            self._transport = HttpxTransport()
        return self._transport

    def options(self, call: Call) -> HttpOptions:
        url = str(required(call, "url", plugin="http"))
        body_value = option(call, "body", plugin="http")
        method = str(option(call, "method", "POST" if body_value is not None else "GET", plugin="http")).upper()
        if method not in _METHODS:
            raise ConnectorOptionsError(f"unknown HTTP method {method!r}", plugin="http", option="method")
        headers = option_mapping(call, "headers", plugin="http")
        body = _encode(body_value, headers)
        return HttpOptions(
            url=url,
            method=method,
            headers=tuple(headers.items()),
            body=body,
            timeout=option_float(call, "timeout", 30.0, plugin="http"),
            result_variable=call.options.get("resultVariable"),
            result_expression=call.options.get("resultExpression"),
        )

    def run(self, call: Call, options: HttpOptions) -> Mapping[str, Any] | None:
        headers = dict(options.headers)
        headers[IDEMPOTENCY_HEADER] = call.idempotency_key
        request = HttpRequest(
            method=options.method, url=options.url, headers=headers, body=options.body, timeout=options.timeout
        )
        try:
            response = self.transport.send(request)
        except TransportError as exc:
            raise ConnectorError(f"{options.method} {options.url}: {exc}", plugin="http") from exc
        if response.status >= 400:
            retryable = response.status in (408, 429) or response.status >= 500
            raise ConnectorError(
                f"{options.method} {options.url} answered {response.status}", plugin="http", retryable=retryable
            )
        return map_response(response, options)


def map_response(response: HttpResponse, options: HttpOptions) -> dict[str, Any]:
    value = {"status": response.status, "headers": dict(response.headers), "body": decode_body(response)}
    variables: dict[str, Any] = {}
    if options.result_variable:
        variables[options.result_variable] = value
    if options.result_expression:
        mapped = resolve(options.result_expression, {"response": value}, plugin="http", name="resultExpression")
        if not isinstance(mapped, Mapping):
            raise ConnectorOptionsError("resultExpression must give a context", plugin="http")
        variables.update(mapped)
    return variables
