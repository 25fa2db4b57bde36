"""The connector plugin registry: ``BasePlugin[OptionsT]`` with typed options, ``@register("http")``.

A plugin turns one service-task job into one side effect. It never sees the database: it gets a
:class:`Call` (the job's identity, variables and raw options) and returns the variables to set.
Options are parsed into a frozen dataclass first (:meth:`BasePlugin.options`), so a typo in a
model fails the job with a clear message instead of a ``KeyError`` deep in a transport.

The registry is a plain dict a test can instantiate on its own (``PluginRegistry()``); the
module-level :data:`REGISTRY` holds the built-in plugins and is wired into the runtime's job
handlers by :func:`civicflow.connectors.install`.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from civicflow.errors import CivicFlowError

__all__ = [
    "REGISTRY",
    "BasePlugin",
    "Call",
    "ConnectorError",
    "ConnectorOptionsError",
    "NamedRegistry",
    "PluginRegistry",
    "idempotency_key",
    "register",
]


class ConnectorError(CivicFlowError):
    """A connector call failed; the job fails with it (one retry fewer, backoff)."""

    def __init__(self, message: str, *, plugin: str = "", retryable: bool = True) -> None:
        self.plugin = plugin
        self.retryable = retryable
        super().__init__(message)


class ConnectorOptionsError(ConnectorError):
    """The model's options for a connector are missing or malformed (retrying cannot help)."""

    def __init__(self, message: str, *, plugin: str = "", option: str = "") -> None:
        self.option = option
        super().__init__(message, plugin=plugin, retryable=False)


def idempotency_key(instance_id: object, element_instance: int, attempt: int) -> str:
    """The key a call carries: stable for one (instance, element instance, attempt).

    A handler that runs twice for the same attempt (a batch lost to a concurrent change, a
    worker that died after the call) sends the same key, so the receiver can drop the repeat.
    """
    raw = f"{instance_id}:{element_instance}:{attempt}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """One invocation of a connector: who calls, with which variables and raw options.

    ``options`` are the element's task headers and properties as written (``=`` starts FEEL);
    ``inputs`` are the element's input mappings, already evaluated by the engine (used for an
    option the headers do not set); ``variables`` are the variables the job's element sees.
    """

    instance_id: str
    element_id: str
    element_instance: int
    attempt: int
    retries: int  # retries left including this attempt; 1 means this is the last one
    variables: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, str] = field(default_factory=dict)
    inputs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def idempotency_key(self) -> str:
        return idempotency_key(self.instance_id, self.element_instance, self.attempt)

    @property
    def last_attempt(self) -> bool:
        return self.retries <= 1


OptionsT = TypeVar("OptionsT")


class BasePlugin(ABC, Generic[OptionsT]):
    """A connector: parse the raw options into ``OptionsT``, then run the call."""

    name: ClassVar[str] = ""

    @abstractmethod
    def options(self, call: Call) -> OptionsT:
        """Typed options for ``call`` (FEEL already evaluated); raises :class:`ConnectorOptionsError`."""

    @abstractmethod
    def run(self, call: Call, options: OptionsT) -> Mapping[str, Any] | None:
        """Do the side effect; return variables for the process (or None); raise to fail."""

    def __call__(self, call: Call) -> Mapping[str, Any] | None:
        return self.run(call, self.options(call))


PluginFactory = Callable[[], BasePlugin[Any]]


class _Named(Protocol):
    name: ClassVar[str]


NamedT = TypeVar("NamedT", bound=_Named)


class NamedRegistry(Generic[NamedT]):
    """Plugin classes by name (``@registry.register("http")`` sets the class's ``name``); a plain dict a
    test can build on its own. Connectors and the parties' prefill plugins each keep one."""

    kind: ClassVar[str] = "plugin"  # for the message when a name is taken twice

    def __init__(self) -> None:
        self._plugins: dict[str, type[NamedT]] = {}

    def register(self, name: str) -> Callable[[type[NamedT]], type[NamedT]]:
        def add(cls: type[NamedT]) -> type[NamedT]:
            if name in self._plugins and self._plugins[name] is not cls:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            cls.name = name
            self._plugins[name] = cls
            return cls

        return add

    def get(self, name: str) -> type[NamedT]:
        return self._plugins[name]

    def __contains__(self, name: object) -> bool:
        return name in self._plugins

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._plugins))


class PluginRegistry(NamedRegistry[BasePlugin[Any]]):
    """Connector classes by name."""

    kind = "connector"


REGISTRY = PluginRegistry()
"""The built-in connectors (``http``, ``email``, ``publish``, ``webhook``, ``decision``)."""


def register(name: str) -> Callable[[type[BasePlugin[Any]]], type[BasePlugin[Any]]]:
    """Register a connector class under a service-task job type (``@register("http")``)."""
    return REGISTRY.register(name)
