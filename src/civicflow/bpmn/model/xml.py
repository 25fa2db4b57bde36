"""XML kept verbatim (prefix free) where the model has no typed field."""

from __future__ import annotations

from dataclasses import dataclass

from civicflow.bpmn.namespaces import split_clark

__all__ = ["Attribute", "XmlNode"]

# (Clark name, value) of an attribute the model does not type.
Attribute = tuple[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class XmlNode:
    """An XML element the model does not type, kept namespace-prefix free for round trips."""

    tag: str  # Clark name
    attributes: tuple[Attribute, ...] = ()
    text: str | None = None
    children: tuple[XmlNode, ...] = ()

    @property
    def namespace(self) -> str | None:
        return split_clark(self.tag)[0]

    @property
    def local_name(self) -> str:
        return split_clark(self.tag)[1]
