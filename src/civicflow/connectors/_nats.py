"""NATS JetStream through nats-py, behind a synchronous face for the worker's threads.

nats-py is asyncio-only while the worker (and Django's ORM) is synchronous, so one background
thread runs an event loop and every operation is a coroutine submitted to it with a deadline.
The connection does not reconnect on its own: a publish during an outage fails at once
(:class:`TransportError`) and the caller keeps the message; the next call connects again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Awaitable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from civicflow.connectors.ports import BusMessage, TransportError

__all__ = ["DEFAULT_URL", "STREAM", "STREAM_SUBJECTS", "Delivery", "JetStreamBus", "default_bus"]

DEFAULT_URL = "nats://127.0.0.1:4222"
STREAM = "CIVICFLOW"
STREAM_SUBJECTS = ("civicflow.>",)
DUPLICATE_WINDOW = 600.0  # seconds JetStream remembers a Nats-Msg-Id; longer than any publisher outage retry

T = TypeVar("T")


@dataclass(slots=True)
class Delivery:
    """One fetched message; :meth:`JetStreamBus.ack` / ``nak`` settle it."""

    subject: str
    data: bytes
    headers: dict[str, str] = field(default_factory=dict)
    num_delivered: int = 1
    msg: Msg | None = None


class JetStreamBus:
    """Publishes with ``Nats-Msg-Id`` dedup; creates the ``CIVICFLOW`` stream when it is absent."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        stream: str = STREAM,
        subjects: tuple[str, ...] = STREAM_SUBJECTS,
        timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.stream = stream
        self.subjects = subjects
        self.timeout = timeout
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._subs: dict[tuple[str, str], JetStreamContext.PullSubscription] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="civicflow-nats", daemon=True)
        self._thread.start()
        self._lock = threading.Lock()

    # -- plumbing

    def _run(self, coro: Coroutine[Any, Any, T], deadline: float | None = None) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(deadline if deadline is not None else self.timeout * 3)
        except TimeoutError as exc:
            future.cancel()
            self._run_drop()
            raise TransportError("NATS did not answer in time") from exc

    def _run_drop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._drop(), self._loop).result(5)

    async def _drop(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        self._subs.clear()
        if nc is not None and not nc.is_closed:
            # closing a dead connection may fail in any way; it is gone either way
            with contextlib.suppress(Exception):
                await nc.close()

    async def _ensure(self) -> JetStreamContext:
        if self._nc is not None and self._nc.is_connected and self._js is not None:
            return self._js
        await self._drop()
        nc = await nats.connect(
            self.url,
            connect_timeout=max(1, int(self.timeout)),
            allow_reconnect=False,
            max_reconnect_attempts=0,
        )
        js = nc.jetstream(timeout=self.timeout)
        try:
            await js.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            await js.add_stream(name=self.stream, subjects=list(self.subjects), duplicate_window=DUPLICATE_WINDOW)
        self._nc, self._js = nc, js
        return js

    async def _guard(self, work: Awaitable[T]) -> T:
        try:
            return await work
        except (TimeoutError, OSError, nats.errors.Error) as exc:
            await self._drop()
            raise TransportError(f"NATS: {type(exc).__name__}: {exc}") from exc

    # -- publishing

    def publish(self, message: BusMessage) -> bool:
        async def go() -> bool:
            js = await self._ensure()
            headers = {**message.headers, "Nats-Msg-Id": message.msg_id}
            ack = await js.publish(message.subject, message.data, headers=headers, timeout=self.timeout)
            return not ack.duplicate

        with self._lock:
            return self._run(self._guard(go()))

    # -- request/reply (core NATS, outside any stream)

    def request(
        self, subject: str, data: bytes, *, reply_to: str, headers: Mapping[str, str] | None = None, timeout: float
    ) -> Delivery:
        """Send ``data`` on ``subject`` asking for the answer on ``reply_to``; the first answer.

        ``subject`` must lie outside every stream (JetStream would answer with its publish ack).
        Raises :class:`TransportError` when nobody listens (the server's 503) or nothing answers
        within ``timeout`` seconds.
        """

        async def go() -> Delivery:
            await self._ensure()
            nc = self._nc
            if nc is None:  # pragma: no cover - _ensure connected it or raised
                raise TransportError("NATS: not connected")
            sub = await nc.subscribe(reply_to, max_msgs=1)
            try:
                await nc.publish(subject, data, reply=reply_to, headers=dict(headers or {}))
                try:
                    msg = await sub.next_msg(timeout=timeout)
                except (nats.errors.TimeoutError, TimeoutError):
                    raise TransportError(f"no answer on {subject} within {timeout:g} s") from None
            finally:
                with contextlib.suppress(nats.errors.Error):
                    await sub.unsubscribe()
            found = dict(msg.headers or {})
            if found.get("Status") == "503":
                raise TransportError(f"nobody answers on {subject}")
            return Delivery(subject=msg.subject, data=msg.data, headers=found)

        with self._lock:
            return self._run(self._guard(go()), self.timeout * 3 + timeout)

    # -- consuming

    def fetch(self, subject: str, durable: str, *, batch: int = 32, wait: float = 1.0) -> list[Delivery]:
        """Up to ``batch`` messages of the durable pull consumer ``durable`` on ``subject`` (created if absent)."""

        async def go() -> list[Delivery]:
            js = await self._ensure()
            sub = self._subs.get((subject, durable))
            if sub is None:
                sub = await js.pull_subscribe(subject, durable=durable, stream=self.stream)
                self._subs[(subject, durable)] = sub
            try:
                msgs = await sub.fetch(batch, timeout=wait)
            except (nats.errors.TimeoutError, TimeoutError):
                # "nothing arrived in time"; nats-py raises its own TimeoutError, or asyncio's
                # (the builtin) when its deadline runs out before the request is even sent
                return []
            return [
                Delivery(
                    subject=m.subject,
                    data=m.data,
                    headers=dict(m.headers or {}),
                    num_delivered=m.metadata.num_delivered,
                    msg=m,
                )
                for m in msgs
            ]

        with self._lock:
            return self._run(self._guard(go()), self.timeout * 3 + wait)

    def ack(self, delivery: Delivery) -> None:
        if delivery.msg is not None:
            msg = delivery.msg
            with self._lock:
                self._run(self._guard(msg.ack_sync(timeout=self.timeout)))

    def nak(self, delivery: Delivery, delay: float | None = None) -> None:
        if delivery.msg is not None:
            msg = delivery.msg
            with self._lock:
                self._run(self._guard(msg.nak(delay=delay)))

    def term(self, delivery: Delivery) -> None:
        """Never redeliver (a message that can never be understood)."""
        if delivery.msg is not None:
            msg = delivery.msg
            with self._lock:
                self._run(self._guard(msg.term()))

    def close(self) -> None:
        try:
            self._run_drop()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            if not self._thread.is_alive():
                self._loop.close()


_default: JetStreamBus | None = None
_default_lock = threading.Lock()


def default_bus() -> JetStreamBus:
    """The process's bus at ``CIVICFLOW_NATS_URL`` (default ``nats://127.0.0.1:4222``)."""
    global _default  # noqa: PLW0603 - one connection per process, made on first use
    with _default_lock:
        if _default is None:
            _default = JetStreamBus(os.environ.get("CIVICFLOW_NATS_URL") or DEFAULT_URL)
        return _default
