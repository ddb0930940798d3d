"""IATA Cargo-XML reader: XFWB (``Waybill``), XFZB (``HouseWaybill``), XFHL (``HouseManifest``).

One XML document is one message.  Its root element names the message type (the
namespace prefix is never relied on):

* XFWB — the air waybill: one master (TypeCode 741, a consolidation) or direct
  (740) shipment, ``shipment_id`` = the AWB (``BusinessHeaderDocument/ID``);
* XFZB — one house waybill: ``shipment_id`` = ``<mawb>/<hawb>`` with the HAWB from
  ``BusinessHeaderDocument/ID`` and the MAWB from ``TransportContractDocument/ID``
  (``/<hawb>`` while the master is not known yet — ACAS allows that);
* XFHL — a house manifest: one shipment per ``IncludedHouseConsignment``; a house
  that cannot be read is rejected on its own and the others go on.

Rejects name the element path (``HouseManifest/MasterConsignment/IncludedHouseConsignment[2]/ID``)
and its source line.  Parsing is done by ``cxml.safe`` (no DTDs, bounded).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from interdictor.intake import validate
from interdictor.intake.base import IntakeChunk, IntakeError, RawPayload, ReadOptions
from interdictor.intake.cxml import consignment, safe
from interdictor.intake.cxml.tree import Element, child, children, find, first, line, local, path, text
from interdictor.intake.limits import XML_MAX_DOCUMENT
from interdictor.intake.records import Chunker, Parsed, Problems, mode_override, raw_id
from interdictor.model import Reject, Shipment

ROOTS = {"Waybill": "xfwb", "HouseWaybill": "xfzb", "HouseManifest": "xfhl"}
HAWB = re.compile(r"^[A-Z0-9]{1,12}$")


def read(stream: BinaryIO, options: ReadOptions) -> Iterator[IntakeChunk]:
    """The shipments of one Cargo-XML document (any of the three message types)."""
    data = stream.read(XML_MAX_DOCUMENT + 1)
    progress = getattr(options, "progress", None)
    if progress is not None:
        progress(len(data))
    if not data.strip():
        raise IntakeError(f"{options.source_name}: the document is empty")
    chunker = Chunker(options)
    yield from chunker.add(parse_document(data, options))
    yield from chunker.flush()


def parse_document(data: bytes, options: ReadOptions) -> Parsed:
    src = options.source_name
    problems = Problems(src)
    shipments: list[Shipment] = []
    doc_id: str | None = None
    try:
        root = safe.parse(data)
    except safe.Refused as exc:
        last_line = max(1, data.count(b"\n") + (0 if data.endswith(b"\n") else 1))
        problems.add(min(exc.line, last_line) if exc.line else None, None, exc.reason, kind="message")
        root = None
    if root is not None:
        kind = ROOTS.get(local(root))
        if kind is None:
            problems.add(line(root), local(root) or "root", f"root element <{local(root)[:40]}> is not a "
                         "Cargo-XML Waybill, HouseWaybill or HouseManifest", kind="message")
        else:
            try:
                shipments, doc_id = _MESSAGES[kind](root, problems, mode_override(options, "air"))
            except _Unreadable as exc:
                problems.add(exc.line, exc.where, exc.reason, kind="message")
            except Exception as exc:  # a reader bug must not lose the message: it is rejected, whole
                problems.add(line(root), None, f"could not read this {kind.upper()} "
                             f"({type(exc).__name__}: {str(exc)[:120]})", kind="message")
                shipments = []
            if not shipments and not any(r.kind == "message" for r in problems.items):
                problems.add(line(root), path(root), "message produced no shipment", kind="message")
    last = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    raw = RawPayload(raw_id(src, 0, data), src, 1, max(1, last), data, doc_id)
    return Parsed(raw, shipments, problems.items, rows=max(1, len(shipments)))


class _Unreadable(Exception):
    def __init__(self, el: Element | None, where: str, reason: str) -> None:
        super().__init__(reason)
        self.line, self.where, self.reason = line(el), where, reason


def _header(root: Element, extra: dict[str, Any]) -> None:
    head = child(root, "MessageHeaderDocument")
    for key, name in (("type_code", "TypeCode"), ("purpose", "PurposeCode"), ("version", "VersionID"),
                      ("message_id", "ID"), ("issued", "IssueDateTime")):
        value = text(head, name)
        if value:
            extra[key] = value[:100]
    senders = [t for p in children(head, "SenderParty") if (t := text(p, "PrimaryID"))]
    if senders:
        extra["sender"] = senders[:5]


def _mawb(el: Element | None, where: str, problems: Problems) -> str | None:
    raw = text(el)
    if raw is None:
        return None
    value, problem = validate.awb(raw)
    if value is None:
        raise _Unreadable(el, where, problem or "unreadable air waybill number")
    if problem:
        problems.add(line(el), where, problem)
    return value


def _master(tcd: Element | None, problems: Problems) -> tuple[str | None, list[Reject]]:
    """The master AWB of a house message, and its problems (to repeat on every house)."""
    mark = len(problems.items)
    mawb = _mawb(tcd, path(tcd) if tcd is not None else "", problems)
    inherited = problems.items[mark:]
    del problems.items[mark:]
    return mawb, inherited


def _xfwb(root: Element, problems: Problems, mode: str) -> tuple[list[Shipment], str | None]:
    bhd = find(root, "BusinessHeaderDocument", "ID")
    mc = child(root, "MasterConsignment")
    if mc is None:
        raise _Unreadable(root, path(root, "MasterConsignment"), "XFWB has no MasterConsignment")
    awb = _mawb(bhd, path(bhd) if bhd is not None else path(root, "BusinessHeaderDocument/ID"), problems)
    if awb is None:
        awb = _mawb(find(mc, "TransportContractDocument", "ID"), path(mc, "TransportContractDocument/ID"), problems)
    if awb is None:
        raise _Unreadable(root, path(root, "BusinessHeaderDocument/ID"), "XFWB has no air waybill number")
    extra: dict[str, Any] = {"format": "xfwb"}
    _header(root, extra)
    if extra.get("type_code") == "741" or any(
            text(n, "ContentCode") == "C" for n in children(child(root, "BusinessHeaderDocument"), "IncludedHeaderNote")):
        extra["consolidation"] = True
    s = consignment.shipment(mc, consignment.Ids(awb, awb, None, mode), problems, extra,
                             "IncludedMasterConsignmentItem")
    return [s], awb


def _house(h: Element, hawb_el: Element | None, mawb: str | None, problems: Problems, mode: str,
           master: Element, kind: str, header: dict[str, Any], inherited: list[Reject]) -> Shipment | None:
    hawb = (text(hawb_el) or "").upper().replace(" ", "")
    where = path(hawb_el) if hawb_el is not None else path(h, "ID")
    if not HAWB.match(hawb):
        problems.add(line(hawb_el) or line(h), where, f"house bill number '{hawb[:20]}' must be 1 to 12 "
                     "letters or digits", kind="row")
        return None
    sid = f"{mawb or ''}/{hawb}"
    local_problems = Problems(problems.source)
    for r in inherited:  # a doubtful master AWB concerns every house under it
        local_problems.add(r.line, r.field, r.reason)
    s = consignment.shipment(h, consignment.Ids(sid, mawb, hawb, mode), local_problems,
                             {"format": kind, **header}, "IncludedHouseConsignmentItem", fallback=master)
    problems.items.extend(local_problems.items)
    return s


def _xfzb(root: Element, problems: Problems, mode: str) -> tuple[list[Shipment], str | None]:
    mc = child(root, "MasterConsignment")
    house = child(mc, "IncludedHouseConsignment")
    if mc is None or house is None:
        raise _Unreadable(root, path(root, "MasterConsignment/IncludedHouseConsignment"),
                          "XFZB has no MasterConsignment/IncludedHouseConsignment")
    tcd = find(mc, "TransportContractDocument", "ID")
    mawb, inherited = _master(tcd, problems)
    header: dict[str, Any] = {}
    _header(root, header)
    hawb_el = first(find(root, "BusinessHeaderDocument", "ID"), child(house, "ID"))
    s = _house(house, hawb_el, mawb, problems, mode, mc, "xfzb", header, inherited)
    if s is None:
        raise _Unreadable(hawb_el, path(hawb_el) if hawb_el is not None else path(root), "XFZB house bill "
                          "number is missing or unreadable")
    return [s], s.shipment_id


def _xfhl(root: Element, problems: Problems, mode: str) -> tuple[list[Shipment], str | None]:
    mc = child(root, "MasterConsignment")
    if mc is None:
        raise _Unreadable(root, path(root, "MasterConsignment"), "XFHL has no MasterConsignment")
    tcd = first(find(mc, "TransportContractDocument", "ID"), find(root, "BusinessHeaderDocument", "ID"))
    mawb, inherited = _master(tcd, problems)
    header: dict[str, Any] = {}
    _header(root, header)
    out: list[Shipment] = []
    seen: set[str] = set()
    for h in children(mc, "IncludedHouseConsignment"):
        s = _house(h, child(h, "ID"), mawb, problems, mode, mc, "xfhl", header, inherited)
        if s is None:
            continue
        if s.shipment_id in seen:
            problems.add(line(h), path(h, "ID"), f"house bill {s.hawb} appears twice in this manifest; the "
                         "second was rejected", s.shipment_id, kind="row")
            continue
        seen.add(s.shipment_id)
        out.append(s)
    if not out:
        problems.items.extend(inherited)
    doc = out[0].shipment_id if len(out) == 1 else mawb
    return out, doc


_MESSAGES = {"xfwb": _xfwb, "xfzb": _xfzb, "xfhl": _xfhl}
