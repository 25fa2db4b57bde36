"""PNML (ISO/IEC 15909-2, the 2009 place/transition net grammar) for accepting Petri nets.

Written and read the way pm4py and ProM exchange nets: the initial marking on the places, the
final marking in a ``<finalmarkings>`` block after the page, and silent transitions marked with
ProM's ``<toolspecific tool="ProM" activity="$invisible$"/>``. Reading is hardened: no DTD, no
entities, no network, a size limit, and errors that name the line.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any, Final

from lxml import etree

from civicflow.mining._errors import EventLogError
from civicflow.mining._petri import Marking, PetriNet

__all__ = ["read_pnml", "write_pnml"]

PT_NET: Final = "http://www.pnml.org/version-2009/grammar/pnmlcoremodel"
INVISIBLE: Final = "$invisible$"
MAX_BYTES: Final = 64 * 1024 * 1024
# a fixed namespace makes the ProM node ids of a written net the same on every run
_NODE_IDS: Final = uuid.UUID("6f0b1c9e-5d2a-4c1e-9a57-2b8f3e0c4d71")


def write_pnml(net: PetriNet) -> bytes:
    """The net as PNML bytes (UTF-8), with its initial and final marking."""
    root = etree.Element("pnml")
    # the name may hold spaces; the id must be an XML name
    net_id = re.sub(r"[^\w.-]", "_", net.name) if net.name else "net1"
    net_el = etree.SubElement(root, "net", id=net_id if net_id[0].isalpha() else f"net_{net_id}", type=PT_NET)
    _text(etree.SubElement(net_el, "name"), net.name or "net1")
    page = etree.SubElement(net_el, "page", id="n0")
    for place in net.places.values():
        el = etree.SubElement(page, "place", id=place.id)
        _text(etree.SubElement(el, "name"), place.name or place.id)
        tokens = net.initial_marking.get(place.id, 0)
        if tokens:
            _text(etree.SubElement(el, "initialMarking"), str(tokens))
    for transition in net.transitions.values():
        el = etree.SubElement(page, "transition", id=transition.id)
        _text(etree.SubElement(el, "name"), transition.id if transition.label is None else transition.label)
        if transition.label is None:
            etree.SubElement(
                el,
                "toolspecific",
                tool="ProM",
                version="6.4",
                activity=INVISIBLE,
                localNodeID=str(uuid.uuid5(_NODE_IDS, f"{net.name}/{transition.id}")),
            )
    for index, ((source, target), weight) in enumerate(net.arcs.items(), start=1):
        el = etree.SubElement(page, "arc", id=f"arc{index}", source=source, target=target)
        if weight != 1:
            _text(etree.SubElement(el, "inscription"), str(weight))
    final = etree.SubElement(etree.SubElement(net_el, "finalmarkings"), "marking")
    for place_id, tokens in sorted(net.final_marking.items()):
        if tokens:
            _text(etree.SubElement(final, "place", idref=place_id), str(tokens))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _text(parent: etree._Element, value: str) -> None:
    etree.SubElement(parent, "text").text = value


def read_pnml(source: bytes | str | Path) -> PetriNet:
    """Read the first net of a PNML document: bytes, XML text, or a path (str or Path)."""
    file: str | None = None
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str) and source.lstrip().startswith("<"):
        data = source.encode()
    else:
        file = str(source)
        try:
            with Path(source).open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise EventLogError(f"cannot read the file: {error.strerror or error}", file=file) from error
    if len(data) > MAX_BYTES:
        raise EventLogError(f"the PNML document is larger than {MAX_BYTES // (1024 * 1024)} MiB", file=file)
    return _Reader(file).read(data)


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


class _Reader:
    def __init__(self, file: str | None) -> None:
        self.file = file

    def error(self, message: str, element: etree._Element | None = None) -> EventLogError:
        line = element.sourceline if element is not None else None
        return EventLogError(message, file=self.file, line=line if isinstance(line, int) else None)

    def read(self, data: bytes) -> PetriNet:
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
        )
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as error:
            raise EventLogError(f"not well-formed XML: {error.msg}", file=self.file, line=error.lineno) from error
        docinfo: Any = root.getroottree().docinfo
        if docinfo.doctype:
            raise self.error("a PNML document must not declare a DOCTYPE", root)
        if _local(root) != "pnml":
            raise self.error(f"the root element is <{_local(root)}>, not <pnml>", root)
        net_el = next((el for el in root if _local(el) == "net"), None)
        if net_el is None:
            raise self.error("the document holds no <net>", root)
        net = PetriNet(name=self.name_of(net_el) or str(net_el.get("id", "")))
        arcs: list[etree._Element] = []
        for el in net_el.iter():
            parent = el.getparent()
            if parent is None or _local(parent) not in {"page", "net"}:
                continue
            kind = _local(el)
            if kind == "place":
                self.place(net, el)
            elif kind == "transition":
                self.transition(net, el)
            elif kind == "arc":
                arcs.append(el)
        for el in arcs:
            self.arc(net, el)
        for el in net_el.iter():
            if _local(el) == "finalmarkings":
                net.final_marking = self.final_marking(net, el)
                break
        return net

    def name_of(self, element: etree._Element) -> str | None:
        for child in element:
            if _local(child) == "name":
                return self.text_of(child)
        return None

    def text_of(self, element: etree._Element) -> str | None:
        for child in element:
            if _local(child) == "text":
                return child.text or ""
        return None

    def node_id(self, net: PetriNet, element: etree._Element) -> str:
        node_id = element.get("id")
        if not node_id:
            raise self.error(f"<{_local(element)}> without an id", element)
        if node_id in net.places or node_id in net.transitions:
            raise self.error(f"duplicate id {node_id!r}", element)
        return node_id

    def count(self, element: etree._Element, what: str) -> int:
        text = self.text_of(element)
        try:
            value = int((text or "").strip())
        except ValueError:
            raise self.error(f"{what} is not a whole number: {text!r}", element) from None
        if value < 0:
            raise self.error(f"{what} is negative: {value}", element)
        return value

    def place(self, net: PetriNet, element: etree._Element) -> None:
        place_id = self.node_id(net, element)
        net.add_place(place_id, self.name_of(element) or "")
        for child in element:
            if _local(child) == "initialMarking":
                tokens = self.count(child, "an initial marking")
                if tokens:
                    net.initial_marking[place_id] = tokens

    def transition(self, net: PetriNet, element: etree._Element) -> None:
        transition_id = self.node_id(net, element)
        silent = any(_local(c) == "toolspecific" and c.get("activity") == INVISIBLE for c in element)
        name = self.name_of(element)
        net.add_transition(transition_id, None if silent else (name if name is not None else transition_id))

    def arc(self, net: PetriNet, element: etree._Element) -> None:
        source, target = element.get("source", ""), element.get("target", "")
        weight = 1
        for child in element:
            if _local(child) == "inscription":
                weight = self.count(child, "an arc inscription")
        for end in (source, target):
            if end not in net.places and end not in net.transitions:
                raise self.error(f"arc {element.get('id', '')!r} refers to a missing node {end!r}", element)
        try:
            net.add_arc(source, target, weight)
        except ValueError as error:
            raise self.error(str(error), element) from None

    def final_marking(self, net: PetriNet, element: etree._Element) -> Marking:
        result = Marking()
        # several final markings may be listed; the first one is the net's
        first = next((el for el in element if _local(el) == "marking"), None)
        for el in first if first is not None else ():
            if _local(el) != "place":
                continue
            place_id = str(el.get("idref", ""))
            if place_id not in net.places:
                raise self.error(f"final marking refers to a missing place {place_id!r}", el)
            tokens = self.count(el, "a final marking")
            if tokens:
                result[place_id] = tokens
        return result
