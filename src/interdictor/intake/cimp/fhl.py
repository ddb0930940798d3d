"""FHL (house manifest / house waybill, versions 4 and 5) -> one shipment per house bill.

::

    MBI/618-12345675SINJFK/T7K1000              master AWB, origin/destination, totals
    HBS/AEI12345678/SINJFK/1/K400/4/COMPUTER PARTS   house: id, route, pieces, weight, SLAC, goods
    /VAL                                        special handling codes of the house
    TXT/MODEL 3 MEMORY BOARDS ...               free-text description (continued by '/')
    HTS/3002120005                              HS codes (one per line)
    OCI/RU/SHP/CT/74956443414                   customs / security information
    SHP, CNE, CVD                               the house's parties and declared values

Everything after an HBS line belongs to that house until the next HBS.  A house
that cannot be read is rejected on its own; the other houses go on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from interdictor.intake import validate
from interdictor.intake.cimp import fields as F
from interdictor.intake.cimp.common import Ctx, Unreadable
from interdictor.intake.cimp.lines import Group, group, sub_fields
from interdictor.intake.cimp.parties import apply_oci, party
from interdictor.intake.cimp.split import Block
from interdictor.intake.limits import MAX_ITEMS
from interdictor.intake.records import Problems, airport_country, clip, extra_json, routing
from interdictor.model import Item, Party, Reject, Shipment

HAWB = re.compile(r"^[A-Z0-9]{1,12}$")
# "HS CODE 3002120005", "H.S. 8479.89" inside free text, when no HTS line was sent
HS_IN_TEXT = re.compile(r"\bH\.?S\.?(?: ?CODE)?[ :.#]{0,4}(\d{4}(?:[. ]?\d{2}){0,3})\b")


@dataclass
class _House:
    group: Group
    groups: list[Group] = field(default_factory=list)


def parse(block: Block, ctx: Ctx) -> list[Shipment]:
    groups = group(block.lines)
    mbi = next((g for g in groups if g.tag == "MBI"), None)
    if mbi is None:
        raise Unreadable(block.smi_line, "mbi", "FHL has no MBI (master air waybill) line")
    head = F.awb_line("/".join(mbi.fields), mbi.line, ctx.problems, "mbi.awb")
    if head is None or head.awb is None:
        raise Unreadable(mbi.line, "mbi.awb", f"MBI '{'/'.join(mbi.fields)[:40]}' does not start with "
                         "an air waybill number and origin/destination (e.g. 020-12345675PVGLAX)")
    # problems of the MBI line (a doubtful master AWB) concern every house under it
    master_problems, ctx.problems.items = ctx.problems.items, []
    houses: list[_House] = []
    for g in groups:
        if g.tag == "HBS":
            houses.append(_House(g))
        elif g.tag == "MBI":
            continue
        elif houses:
            houses[-1].groups.append(g)
        else:
            ctx.problems.add(g.line, g.tag or "line", f"line {g.tag or g.subs[0][1][:20]!r} comes before "
                             "any HBS (house) line and belongs to no house; it was ignored")
    if not houses:
        ctx.problems.items.extend(master_problems)
        raise Unreadable(mbi.line, "hbs", "FHL has no HBS (house bill) line")
    out: list[Shipment] = []
    seen: set[str] = set()
    for h in houses:
        s = _house(h, head, ctx, master_problems, block.version)
        if s is None:
            continue
        if s.shipment_id in seen:
            ctx.problems.add(h.group.line, "hbs.hawb", f"house bill {s.hawb} appears twice in this message; "
                             "the second was rejected", s.shipment_id, kind="row")
            continue
        seen.add(s.shipment_id)
        out.append(s)
    if not out:
        ctx.problems.items.extend(master_problems)
    return out


def _house(h: _House, head: F.AwbLine, ctx: Ctx, master_problems: list[Reject],
           version: str | None) -> Shipment | None:
    g = h.group
    f = [x.strip() for x in g.fields]
    hawb = f[0] if f else ""
    if not HAWB.match(hawb):
        ctx.problems.add(g.line, "hbs.hawb", f"house bill number '{hawb[:20]}' must be 1 to 12 letters "
                         "or digits", kind="row")
        return None
    assert head.awb is not None
    sid = f"{head.awb}/{hawb}"
    local = Problems(ctx.problems.source)
    od = f[1] if len(f) > 1 else ""
    origin, destination = (od[:3], od[3:6]) if len(od) == 6 and od.isalpha() else (head.origin, head.destination)
    n_pieces, problem = validate.pieces(f[2] if len(f) > 2 else None)
    if problem:
        local.add(g.line, "hbs.pieces", problem)
    kg = None
    if len(f) > 3 and f[3]:
        kg, problem = validate.weight_kg(f[3][1:], f[3][0])
        if problem:
            local.add(g.line, "hbs.weight", problem)
    extra: dict[str, Any] = {"format": "fhl", "version": version, "slac": f[4] if len(f) > 4 and f[4] else None}
    summary = "/".join(f[5:]).strip() if len(f) > 5 else ""
    shc = [c.strip() for _, t in g.subs for c in sub_fields(t) if c.strip()]
    if shc:
        extra["special_handling"] = shc[:30]
    parties: list[Party] = []
    texts: list[str] = []
    hs_raw: list[tuple[int, str]] = []
    notes: list[F.Oci] = []
    values = F.Values()
    for sub in h.groups:
        if sub.tag in ("SHP", "CNE", "NFY"):
            parties.append(party(sub, local, extra))
        elif sub.tag == "TXT":
            texts.append(F.text_of(sub))
        elif sub.tag == "HTS":
            hs_raw.extend((sub.line, c) for c in sub.fields if c.strip())
            hs_raw.extend((ln, c) for ln, t in sub.subs for c in sub_fields(t) if c.strip())
        elif sub.tag == "OCI":
            notes.extend(F.oci(sub))
        elif sub.tag == "CVD":
            values = F.cvd(sub, local)
        else:
            extra.setdefault("unknown_lines", []).append(sub.tag or f"line {sub.line}")
    if notes:
        apply_oci(parties, notes)
        extra["oci"] = [n.as_dict() for n in notes[:200]]
    text = " ".join(texts)
    if not hs_raw:
        hs_raw = [(g.line, m.group(1)) for m in HS_IN_TEXT.finditer(text[:4000])]
    desc = clip("; ".join(d for d in dict.fromkeys([summary, text]) if d), local, g.line, "hbs.description")
    items = _items(desc, hs_raw, n_pieces, kg, g.line, local)
    shipper = next((p for p in parties if p.role == "shipper"), None)
    for r in master_problems:
        local.add(r.line, r.field, r.reason)
    local.attach(sid)
    ctx.problems.items.extend(local.items)
    return Shipment(
        shipment_id=sid, mode=ctx.mode, mawb=head.awb, hawb=hawb,
        origin_country=airport_country(origin) or (shipper.address.country if shipper else None),
        origin_port=origin, destination_port=destination, routing=routing([origin, destination]),
        pieces=n_pieces, gross_weight_kg=kg,
        declared_value=values.customs, currency=values.currency,
        parties=parties, items=items, extra=extra_json(extra), line=g.line,
    )


def _items(desc: str | None, hs_raw: list[tuple[int, str]], n_pieces: int | None, kg: float | None,
           line: int, problems: Problems) -> list[Item]:
    codes: list[str] = []
    for ln, raw in hs_raw[:MAX_ITEMS]:
        code, problem = validate.hs_code(raw)
        if problem:
            problems.add(ln, "hts", problem)
        if code and code not in codes:
            codes.append(code)
    if desc is None and not codes:
        return []
    return [
        Item(description=desc, hs_code=code, line=line,
             quantity=float(n_pieces) if i == 0 and n_pieces is not None else None,
             weight_kg=kg if i == 0 else None)
        for i, code in enumerate(codes or [None])
    ]
