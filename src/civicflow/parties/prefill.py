"""Prefill plugins: fill form fields from what the agency already knows (``civicflow:prefill``, docs/forms.md).

A plugin is a source (``party``, ``applications``, ``registry``): it declares the attributes it
provides and the purpose it uses them for (both shown to the citizen), and fetches values for one
party. Options are a frozen dataclass built from the settings (:meth:`BasePrefillPlugin.default_options`)
or given by a test. The registry is a plain object a test can instantiate on its own
(``PrefillRegistry()``); :data:`REGISTRY` holds the built-in plugins.

A source that fails (a registry that is down, slow or answers nonsense) never fails the page: its
fields are simply not prefilled, and the failure is logged.
"""

from __future__ import annotations

import importlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from civicflow.connectors._plugin import NamedRegistry
from civicflow.errors import CivicFlowError
from civicflow.forms import PrefillRequest

if TYPE_CHECKING:
    from civicflow.parties.models import Party

__all__ = [
    "REGISTRY",
    "BasePrefillPlugin",
    "PrefillContext",
    "PrefillError",
    "PrefillRegistry",
    "PrefillValue",
    "builtin_registry",
    "find_values",
    "plugins_for",
    "register",
]

logger = logging.getLogger(__name__)


class PrefillError(CivicFlowError):
    """A prefill source could not give values (misconfigured or unavailable); its fields stay empty."""

    def __init__(self, message: str, *, plugin: str = "") -> None:
        self.plugin = plugin
        super().__init__(f"prefill {plugin}: {message}" if plugin else message)


@dataclass(frozen=True, slots=True, kw_only=True)
class PrefillContext:
    """Whom a form is prefilled for: the signed-in citizen's party and the service applied for."""

    party: Party
    service: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PrefillValue:
    """A value a source found for an attribute; ``reference`` says which record (an application's number)."""

    attribute: str
    value: str
    source: str
    reference: str = ""


OptionsT = TypeVar("OptionsT")


class BasePrefillPlugin(ABC, Generic[OptionsT]):
    """A prefill source with typed options: which attributes, for what purpose, and how to fetch them."""

    name: ClassVar[str] = ""
    attributes: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, options: OptionsT) -> None:
        self.options = options

    @classmethod
    @abstractmethod
    def default_options(cls) -> OptionsT:
        """The options from the settings; raises :class:`PrefillError` when they are malformed."""

    @abstractmethod
    def purpose(self) -> str:
        """Why this source is used, in the active language (shown to the citizen)."""

    @abstractmethod
    def describe(self, reference: str) -> str:
        """Where a value came from, in the active language: "your application BP-2026-000012"."""

    @abstractmethod
    def source_detail(self, reference: str) -> str:
        """Where a value came from, for the record (PrefillRecord.source_detail, English)."""

    @abstractmethod
    def fetch(self, context: PrefillContext, attributes: frozenset[str]) -> Mapping[str, PrefillValue]:
        """Values of the wanted ``attributes`` this source has for the party (missing ones left out)."""


PluginClass = type[BasePrefillPlugin[Any]]


class PrefillRegistry(NamedRegistry[BasePrefillPlugin[Any]]):
    """Prefill plugin classes by name; :meth:`create` builds one with options (the settings' by default)."""

    kind = "prefill plugin"

    def create(self, name: str, options: Any = None) -> BasePrefillPlugin[Any]:
        """A plugin instance; ``options`` None means :meth:`BasePrefillPlugin.default_options`."""
        cls = self.get(name)
        return cls(cls.default_options() if options is None else options)


REGISTRY = PrefillRegistry()
"""The built-in prefill plugins (``party``, ``applications``, ``registry``)."""


_BUILTIN = (
    "civicflow.parties.prefill_party",
    "civicflow.parties.prefill_applications",
    "civicflow.parties.prefill_registry",
)


def builtin_registry() -> PrefillRegistry:
    """:data:`REGISTRY` with the built-in plugins registered (their modules imported)."""
    for module in _BUILTIN:
        importlib.import_module(module)
    return REGISTRY


def register(name: str) -> Callable[[PluginClass], PluginClass]:
    """Register a prefill plugin class under a source name (``@register("registry")``)."""
    return REGISTRY.register(name)


def _wanted(requests: tuple[PrefillRequest, ...]) -> dict[str, frozenset[str]]:
    wanted: dict[str, set[str]] = {}
    for request in requests:
        for source in request.sources:
            wanted.setdefault(source.source, set()).add(source.attribute)
    return {source: frozenset(attributes) for source, attributes in wanted.items()}


def _fetch(
    plugins: Mapping[str, BasePrefillPlugin[Any]], context: PrefillContext, source: str, attributes: frozenset[str]
) -> Mapping[str, PrefillValue]:
    plugin = plugins.get(source)
    if plugin is None:
        logger.warning("prefill source %r is not available (unknown or misconfigured)", source)
        return {}
    try:
        return plugin.fetch(context, attributes & plugin.attributes)
    except PrefillError as error:
        logger.warning("prefill source %r gave nothing: %s", source, error)
        return {}


def find_values(
    context: PrefillContext,
    requests: tuple[PrefillRequest, ...],
    *,
    plugins: Mapping[str, BasePrefillPlugin[Any]],
) -> dict[tuple[str, ...], PrefillValue]:
    """The value for each request's field: its first source that has one (each source asked once)."""
    found = {source: _fetch(plugins, context, source, attributes) for source, attributes in _wanted(requests).items()}
    values: dict[tuple[str, ...], PrefillValue] = {}
    for request in requests:
        for source in request.sources:
            value = found[source.source].get(source.attribute)
            if value is not None and value.value.strip():
                values[request.path] = value
                break
    return values


def plugins_for(
    requests: tuple[PrefillRequest, ...], registry: PrefillRegistry | None = None
) -> dict[str, BasePrefillPlugin[Any]]:
    """Instances (the settings' options) of the registered plugins the requests name.

    A misconfigured plugin is left out (its fields stay empty) and logged.
    """
    registry = builtin_registry() if registry is None else registry
    made: dict[str, BasePrefillPlugin[Any]] = {}
    for source in _wanted(requests):
        if source not in registry:
            continue
        try:
            made[source] = registry.create(source)
        except PrefillError as error:
            logger.warning("prefill source %r is misconfigured: %s", source, error)
    return made
