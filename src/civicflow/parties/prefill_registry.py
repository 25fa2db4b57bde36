"""The ``registry`` prefill source: a base registry (a population register) asked over HTTP.

The URL comes from ``CIVICFLOW_PREFILL_REGISTRY_URL``, a template with ``{identifier}`` (the
party's identifier, URL-encoded) and optionally ``{scheme}`` (``national-id``, ``email`` ...), for
example ``https://registry.example/people/{identifier}``. The JSON answer is read through a
mapping of attribute -> JSON pointer (RFC 6901; ``CIVICFLOW_PREFILL_REGISTRY_MAPPING``, a JSON
object). The answer is bounded in size and time: a registry that is down, slow, answers an
error, too much or no JSON gives no values (logged, without the identifier), never a page error.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings
from django.utils.translation import gettext

from civicflow.parties.prefill import BasePrefillPlugin, PrefillContext, PrefillError, PrefillValue, register

__all__ = ["DEFAULT_MAPPING", "RegistryOptions", "RegistryPrefill", "resolve_pointer"]

logger = logging.getLogger(__name__)
ATTRIBUTES = frozenset({"name", "address", "postcode", "city", "birthDate"})
DEFAULT_MAPPING: Mapping[str, str] = MappingProxyType({"name": "/name", "address": "/address"})
_MISSING = object()


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer (RFC 6901), or None when the document has none there."""
    if pointer == "":
        return document
    current = document
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            return None
    return current


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistryOptions:
    """Where to ask (``url`` template), what to read (``mapping``), and the bounds of an answer.

    ``schemes`` limits the identifier schemes the registry is asked about (empty: every scheme).
    """

    url: str
    mapping: Mapping[str, str] = field(default_factory=lambda: DEFAULT_MAPPING)
    timeout: float = 3.0
    max_bytes: int = 64 * 1024
    schemes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.url:
            if not self.url.startswith(("http://", "https://")) or "{identifier}" not in self.url:
                raise PrefillError("the URL must be http(s) and contain {identifier}", plugin="registry")
            try:
                self.url.format_map({"identifier": "x", "scheme": "x"})
            except (KeyError, IndexError, ValueError) as error:
                raise PrefillError(f"the URL template is malformed ({error})", plugin="registry") from error
        if not (math.isfinite(self.timeout) and 0 < self.timeout <= 30):
            raise PrefillError("the timeout must be more than 0 and at most 30 seconds", plugin="registry")
        if self.max_bytes < 1:
            raise PrefillError("max_bytes must be positive", plugin="registry")
        for attribute, pointer in self.mapping.items():
            if attribute not in ATTRIBUTES:
                raise PrefillError(f"unknown attribute {attribute!r} (known: {sorted(ATTRIBUTES)})", plugin="registry")
            if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
                raise PrefillError(f"{attribute!r} needs a JSON pointer like '/address'", plugin="registry")


def _mapping(text: str) -> Mapping[str, str]:
    if not text.strip():
        return DEFAULT_MAPPING
    try:
        found = json.loads(text)
    except ValueError as error:
        raise PrefillError("CIVICFLOW_PREFILL_REGISTRY_MAPPING is not JSON", plugin="registry") from error
    if not isinstance(found, dict):
        raise PrefillError("CIVICFLOW_PREFILL_REGISTRY_MAPPING must be a JSON object", plugin="registry")
    return found


def _scalar(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


@register("registry")
class RegistryPrefill(BasePrefillPlugin[RegistryOptions]):
    """Values from a registry's JSON answer about the party's identifier."""

    attributes = ATTRIBUTES

    @classmethod
    def default_options(cls) -> RegistryOptions:
        timeout = str(getattr(settings, "CIVICFLOW_PREFILL_REGISTRY_TIMEOUT", "3") or "3")
        try:
            seconds = float(timeout)
        except ValueError as error:
            raise PrefillError(f"CIVICFLOW_PREFILL_REGISTRY_TIMEOUT is not a number: {timeout!r}") from error
        return RegistryOptions(
            url=str(getattr(settings, "CIVICFLOW_PREFILL_REGISTRY_URL", "") or ""),
            mapping=_mapping(str(getattr(settings, "CIVICFLOW_PREFILL_REGISTRY_MAPPING", "") or "")),
            timeout=seconds,
        )

    def purpose(self) -> str:
        return gettext("The population register, so that your registered details are given correctly.")

    def describe(self, reference: str) -> str:
        return gettext("the population register")

    def source_detail(self, reference: str) -> str:
        return "population register"

    def fetch(self, context: PrefillContext, attributes: frozenset[str]) -> Mapping[str, PrefillValue]:
        options = self.options
        wanted = {attribute: options.mapping[attribute] for attribute in attributes if attribute in options.mapping}
        party = context.party
        if not options.url or not wanted or (options.schemes and party.identifier_scheme not in options.schemes):
            return {}
        identifier = party.identifier
        if not identifier:  # erased
            return {}
        url = options.url.format_map(
            {"identifier": quote(identifier, safe=""), "scheme": quote(party.identifier_scheme, safe="")}
        )
        document = self._get(url)
        if document is None:
            return {}
        found: dict[str, PrefillValue] = {}
        for attribute, pointer in wanted.items():
            value = _scalar(resolve_pointer(document, pointer))
            if value is not None:
                found[attribute] = PrefillValue(attribute=attribute, value=value, source=self.name)
        return found

    def _get(self, url: str) -> Any:
        """The registry's JSON answer; None when it knows nobody by this identifier (404)."""
        options = self.options
        deadline = time.monotonic() + options.timeout
        try:
            with (
                httpx.Client(timeout=options.timeout, follow_redirects=False) as client,
                client.stream("GET", url, headers={"Accept": "application/json"}) as response,
            ):
                if response.status_code == 404:
                    logger.info("prefill registry: nobody found (HTTP 404)")
                    return None
                if response.status_code != 200:
                    raise PrefillError(f"the registry answered HTTP {response.status_code}", plugin=self.name)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > options.max_bytes:
                    raise PrefillError(f"the answer is larger than {options.max_bytes} bytes", plugin=self.name)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > options.max_bytes:
                        raise PrefillError(f"the answer is larger than {options.max_bytes} bytes", plugin=self.name)
                    if time.monotonic() > deadline:
                        raise PrefillError(f"no answer within {options.timeout:g} s", plugin=self.name)
        except httpx.TimeoutException as error:
            raise PrefillError(f"no answer within {options.timeout:g} s", plugin=self.name) from error
        except httpx.HTTPError as error:  # the message may hold the URL (the identifier): only the kind
            raise PrefillError(f"the registry is unavailable ({type(error).__name__})", plugin=self.name) from error
        try:
            return json.loads(bytes(body))
        except ValueError as error:
            raise PrefillError("the answer is not JSON", plugin=self.name) from error
