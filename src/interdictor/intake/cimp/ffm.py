"""FFM (airline flight manifest, version 8) -> one shipment per air waybill on the flight.

::

    1/SU1145/01JAN0400/AAQ/...        message sequence / flight / date / point of loading
    JFK                               point of unloading (repeats for multi-stop flights)
    ULD/PMC01473R7                    unit load device (the consignments under it follow)
    057-76215436CDGJFK/T2K30MC0.33/SHOES   AWB, origin+destination, quantity, goods
    /BUP/CAR                          special handling codes of that consignment
    OCI/..., OSI/..., DIM/..., COR/X  details of the consignment before them
    LAST | CONT                       end of the manifest (or of one part of it)

A consignment split over several ULDs appears once per part (``S``, ``P``, ``D``
codes); the parts are merged into one shipment.  The FFM says little about
parties and goods, so the FWB of the same AWB remains the richer record.
"""

from __future__ import annotations

import re
from typing import Any

from interdictor.intake.cimp import fields as F
from interdictor.intake.cimp.common import Ctx, Unreadable
from interdictor.intake.cimp.lines import tag_of
from interdictor.intake.cimp.split import Block
from interdictor.intake.records import airport_country, clip, extra_json, routing
from interdictor.model import Item, Shipment

CONSIGNMENT = re.compile(r"^\d{3}-?\d{8}[A-Z]{6}(?:/|$)")
FFM_TAGS = frozenset({"ULD", "OSI", "COR", "OCI", "DIM", "SCI", "SSR", "MOV", "SHC"})


def parse(block: Block, ctx: Ctx) -> tuple[list[Shipment], str | None]:
    """Shipments and the manifest's document id (flight/date/point of loading)."""
    if not block.lines:
        raise Unreadable(block.smi_line, "flight", "FFM has no flight line")
    first_line, first = block.lines[0]
    head = first.split("/")
    if len(head) < 3 or not head[0].strip().isdigit():
        raise Unreadable(first_line, "flight", f"first line '{first[:40]}' is not a flight line "
                         "(e.g. 1/XX1234/01JAN/PVG)")
    flight, date = head[1].strip(), head[2].strip()
    loading = head[3].strip() if len(head) > 3 and len(head[3].strip()) == 3 else None
    doc_id = f"FFM/{flight}/{date}/{loading or ''}"
    by_awb: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    unloading: str | None = None
    current: dict[str, Any] | None = None
    for line, text in block.lines[1:]:
        if CONSIGNMENT.match(text):
            current = _consignment(line, text, ctx, by_awb, order)
            if current is not None:
                current["unloading"] = current.get("unloading") or unloading
            continue
        tag = tag_of(text)
        if text.startswith("/"):
            if current is not None:
                current["notes"].append(text[1:][:200])
        elif text in ("LAST", "CONT"):
            current = None
        elif tag in FFM_TAGS:
            if current is not None and tag != "ULD":
                current["notes"].append(text[:200])
            if tag == "ULD":
                current = None
        elif len(text) >= 3 and text[:3].isalpha() and (len(text) == 3 or text[3] == "/"):
            unloading, current = text[:3], None
    out = []
    for awb in order:
        c = by_awb[awb]
        out.append(Shipment(
            shipment_id=awb, mode=ctx.mode, mawb=awb, carrier=flight[:2] or None,
            origin_country=airport_country(c["origin"]), origin_port=c["origin"],
            destination_port=c["destination"],
            routing=routing([c["origin"], loading, c["unloading"], c["destination"]]),
            pieces=c["total"] or (c["pieces"] or None), gross_weight_kg=round(c["kg"], 3) or None,
            items=[Item(description=c["goods"], quantity=None, line=c["line"])] if c["goods"] else [],
            extra=extra_json({"format": "ffm", "version": block.version, "flight": flight, "date": date,
                              "parts": c["parts"] if c["parts"] > 1 else None,
                              "notes": c["notes"][:50]}),
            line=c["line"],
        ))
    return out, doc_id


def _consignment(line: int, text: str, ctx: Ctx, by_awb: dict[str, dict[str, Any]],
                 order: list[str]) -> dict[str, Any] | None:
    mark = len(ctx.problems.items)
    head = F.awb_line(text, line, ctx.problems)
    if head is None or head.awb is None:
        ctx.problems.add(line, "awb", f"consignment line '{text[:40]}' has no readable AWB", kind="row")
        return None
    qty = F.quantity(head.rest[0], line, ctx.problems) if head.rest else None
    goods = clip("/".join(head.rest[1:]), ctx.problems, line, "goods") if len(head.rest) > 1 else None
    c = by_awb.get(head.awb)
    if c is None:
        c = by_awb[head.awb] = {"origin": head.origin, "destination": head.destination, "line": line,
                                "pieces": 0, "kg": 0.0, "total": None, "goods": goods, "notes": [],
                                "parts": 0, "unloading": None}
        order.append(head.awb)
    c["parts"] += 1
    if qty is not None:
        c["pieces"] += qty.pieces or 0
        c["kg"] += qty.weight_kg or 0.0
        c["total"] = qty.total_pieces or c["total"]
    c["goods"] = c["goods"] or goods
    ctx.problems.attach(head.awb, mark)
    return c

