"""Find Cargo-XML elements by local name, whatever prefix or namespace a partner used."""

from __future__ import annotations

from typing import TypeAlias

from lxml import etree

Element: TypeAlias = etree._Element


def local(el: Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # entity references and other non-elements
        return ""
    return tag.rpartition("}")[2]


def child(el: Element | None, name: str) -> Element | None:
    if el is None:
        return None
    for c in el:
        if local(c) == name:
            return c
    return None


def first(*els: Element | None) -> Element | None:
    """The first element that exists (``a or b`` is wrong: a leaf element is falsy)."""
    for el in els:
        if el is not None:
            return el
    return None


def children(el: Element | None, name: str) -> list[Element]:
    if el is None:
        return []
    return [c for c in el if local(c) == name]


def find(el: Element | None, *path: str) -> Element | None:
    """The first element down ``path`` (``find(party, "PostalStructuredAddress", "CityName")``)."""
    for name in path:
        el = child(el, name)
    return el


def text(el: Element | None, *path: str) -> str | None:
    node = find(el, *path)
    if node is None:
        return None
    value = "".join(node.itertext()) if len(node) else (node.text or "")
    value = " ".join(value.split())
    return value or None


def attr(el: Element | None, name: str) -> str | None:
    if el is None:
        return None
    value = el.get(name)
    return value.strip() if value and value.strip() else None


def line(el: Element | None) -> int | None:
    if el is None:
        return None
    n = el.sourceline
    return n if isinstance(n, int) else None


def path(el: Element | None, *below: str) -> str:
    """``Waybill/MasterConsignment/IncludedHouseConsignment[2]/ConsignorParty/CountryID`` for rejects."""
    parts: list[str] = []
    node = el
    while node is not None:
        name = local(node)
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if local(c) == name]
            if len(same) > 1:
                name = f"{name}[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/".join([*reversed(parts), *below])
