"""The real HTTP transport (httpx), one connection pool per process."""

from __future__ import annotations

import threading

import httpx

from civicflow.connectors.ports import HttpRequest, HttpResponse, TransportError

__all__ = ["HttpxTransport"]


class HttpxTransport:
    """Sends :class:`HttpRequest` with httpx; redirects are not followed (a redirect is an answer)."""

    def __init__(self, client: httpx.Client | None = None) -> None:
        self._client = client
        self._lock = threading.Lock()

    def _get(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(follow_redirects=False)
            return self._client

    def send(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self._get().request(
                request.method,
                request.url,
                headers=dict(request.headers),
                content=request.body,
                timeout=request.timeout,
            )
        except httpx.HTTPError as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        return HttpResponse(status=response.status_code, headers=dict(response.headers), body=response.content)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
