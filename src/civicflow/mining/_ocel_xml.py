"""OCEL 2.0 XML (``.xmlocel``): streamed, hardened read and streamed write."""

from __future__ import annotations

import gzip
import zlib
from os import PathLike, fspath
from pathlib import Path
from typing import IO, Any, Final, cast

from lxml import etree

from civicflow.mining._errors import EventLogError
from civicflow.mining._ocel import ObjectCentricLog, OcelBuilder
from civicflow.mining._ocel_records import event_records, object_records, text_of
from civicflow.mining._xes_read import refuse_dtd, xml_problem

__all__ = ["read_ocel_xml", "write_ocel_xml"]

_TAGS: Final = ("object-type", "event-type", "object", "event")


def read_ocel_xml(path: str | PathLike[str], *, timezone: str | None = None) -> ObjectCentricLog:
    """Read an OCEL 2.0 XML log (gzip detected from its magic bytes).

    DTDs are refused (no entity expansion, no external entities), no network access is made and
    lxml's default limits bound depth and text sizes. Times without a UTC offset are read in
    ``timezone`` (an IANA name), else as UTC.
    """
    name = fspath(path)
    with Path(name).open("rb") as raw:
        head = raw.read(2)
    if not head:
        raise EventLogError("empty file, not an OCEL XML log", file=name)
    stream: IO[bytes] = gzip.open(name, "rb") if head == b"\x1f\x8b" else Path(name).open("rb")  # type: ignore[assignment]  # noqa: SIM115 - closed by the with below
    with stream:
        return _Reader(name, timezone).run(stream)


class _Reader:
    def __init__(self, file: str, timezone: str | None) -> None:
        self.file = file
        self.builder = OcelBuilder(file, timezone=timezone)
        self.root_checked = False

    def run(self, stream: IO[bytes]) -> ObjectCentricLog:
        parser = etree.iterparse(
            stream,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
        )
        try:
            for event, element in parser:
                if not self.root_checked:
                    refuse_dtd(element, self.file, "OCEL XML")
                    if etree.QName(element).localname != "log":
                        raise self.builder.fail(f"<{etree.QName(element).localname}>", "root must be <log>", 1)
                    self.root_checked = True
                if event == "end" and etree.QName(element).localname in _TAGS:
                    self.on_end(element)
        except etree.XMLSyntaxError as exc:
            line, column = exc.position if exc.position else (exc.lineno, 0)
            raise EventLogError(
                f"not well-formed OCEL XML: {xml_problem(exc)}", file=self.file, line=line, column=column
            ) from exc
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise EventLogError(f"truncated or corrupt gzip stream ({exc})", file=self.file) from exc
        return self.builder.build()

    def on_end(self, element: Any) -> None:
        tag = etree.QName(element).localname
        parent = element.getparent()
        container = etree.QName(parent).localname if parent is not None else None
        line = element.sourceline
        if tag in {"object-type", "event-type"} and container in {"object-types", "event-types"}:
            attributes = {str(a.get("name")): str(a.get("type")) for a in _children(element, "attributes", "attribute")}
            scope = "event" if tag == "event-type" else "object"
            self.builder.declare(
                scope, str(element.get("name")), attributes, f"<{tag} name={element.get('name')!r}>", line
            )
        elif tag == "object" and container == "objects":
            self.on_object(element, line)
        elif tag == "event" and container == "events":
            self.on_event(element, line)
        else:
            return
        # Keep memory flat: a finished element and its earlier siblings are no longer needed.
        element.clear(keep_tail=False)
        while element.getprevious() is not None:
            del parent[0]

    def on_object(self, element: Any, line: int | None) -> None:
        oid = element.get("id")
        where = f"<object id={oid!r}>"
        self.builder.add_object(oid, element.get("type"), where, line)
        for value in _children(element, "attributes", "attribute"):
            self.builder.add_object_value(
                oid, str(value.get("name")), value.get("time"), value.text or "", where, value.sourceline
            )
        for link in _children(element, "objects", "relationship"):
            self.builder.relate_objects(oid, str(link.get("object-id")), link.get("qualifier"), where, link.sourceline)

    def on_event(self, element: Any, line: int | None) -> None:
        eid = element.get("id")
        where = f"<event id={eid!r}>"
        attributes = [(str(a.get("name")), a.text or "") for a in _children(element, "attributes", "attribute")]
        self.builder.add_event(eid, element.get("type"), element.get("time"), attributes, where, line)
        for link in _children(element, "objects", "relationship"):
            self.builder.relate(eid, str(link.get("object-id")), link.get("qualifier"), where, link.sourceline)


def _children(element: Any, group: str, tag: str) -> list[Any]:
    found: list[Any] = []
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == group:
            found.extend(c for c in child if isinstance(c.tag, str) and etree.QName(c).localname == tag)
    return found


def write_ocel_xml(log: ObjectCentricLog, path: str | PathLike[str]) -> None:
    """Write ``log`` as OCEL 2.0 XML, streamed (gzip-compressed when the name ends in ``.gz``)."""
    target = Path(path)
    with target.open("wb") as plain:
        if target.name.endswith(".gz"):
            with gzip.GzipFile(fileobj=plain, mode="wb") as zipped:
                _write(log, cast(IO[bytes], zipped))
        else:
            _write(log, plain)


def _write(log: ObjectCentricLog, raw: IO[bytes]) -> None:
    E = etree.Element  # noqa: N806 - reads like the element factory it is
    with etree.xmlfile(raw, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("log"):
            for group, tag, types in (
                ("object-types", "object-type", log.object_types),
                ("event-types", "event-type", log.event_types),
            ):
                with xf.element(group):
                    for name, attributes in types.items():
                        declared = E(tag, name=name)
                        block = etree.SubElement(declared, "attributes")
                        for attribute, kind in attributes.items():
                            etree.SubElement(block, "attribute", name=attribute, type=kind)
                        xf.write(declared)
            with xf.element("objects"):
                for item in object_records(log):
                    node = E("object", id=item.id, type=item.type)
                    block = etree.SubElement(node, "attributes")
                    for name, time, value in item.attributes:
                        etree.SubElement(block, "attribute", name=name, time=time).text = text_of(value)
                    if item.relationships:
                        links = etree.SubElement(node, "objects")
                        for target, qualifier in item.relationships:
                            etree.SubElement(links, "relationship", {"object-id": target, "qualifier": qualifier})
                    xf.write(node)
            with xf.element("events"):
                for record in event_records(log):
                    node = E("event", id=record.id, type=record.type, time=record.time)
                    block = etree.SubElement(node, "attributes")
                    for name, value in record.attributes:
                        etree.SubElement(block, "attribute", name=name).text = text_of(value)
                    if record.relationships:
                        links = etree.SubElement(node, "objects")
                        for target, qualifier in record.relationships:
                            etree.SubElement(links, "relationship", {"object-id": target, "qualifier": qualifier})
                    xf.write(node)
