"""FWB (air waybill data, versions 16 and 17) -> one master or direct shipment."""

from __future__ import annotations

from typing import Any

from interdictor.intake.cimp import fields as F
from interdictor.intake.cimp import rating
from interdictor.intake.cimp.common import Ctx, Unreadable
from interdictor.intake.cimp.lines import Group, group, sub_fields
from interdictor.intake.cimp.parties import apply_oci, party
from interdictor.intake.cimp.split import Block
from interdictor.intake.records import airport_country, extra_json, routing
from interdictor.model import Party, Shipment

# lines whose words may matter to a person reading the shipment later
_TEXT_LINES = {"SSR": "ssr", "OSI": "osi", "SRI": "sri", "COR": "customs_origin", "ISU": "issued"}


def parse(block: Block, ctx: Ctx) -> Shipment:
    if not block.lines:
        raise Unreadable(block.smi_line, "awb", "FWB has no air waybill line")
    first_line, first = block.lines[0]
    head = F.awb_line(first, first_line, ctx.problems)
    if head is None or head.awb is None:
        raise Unreadable(first_line, "awb", f"first line '{first[:40]}' is not an air waybill line "
                         "(e.g. 020-12345675PVGLAX/T10K250)")
    qty = F.quantity(head.rest[0], first_line, ctx.problems) if head.rest else None
    extra: dict[str, Any] = {"format": "fwb", "version": block.version, "awb_prefix": head.awb[:3]}
    if qty is not None and qty.volume:
        extra["volume"] = qty.volume
    groups = group(block.lines[1:])
    parties: list[Party] = []
    rtd: list[Group] = []
    points: list[str | None] = [head.origin]
    carriers: list[str] = []
    values = F.Values()
    notes: list[F.Oci] = []
    unknown: list[str] = []
    for g in groups:
        tag = g.tag
        if tag in ("SHP", "CNE", "NFY"):
            parties.append(party(g, ctx.problems, extra))
        elif tag == "RTD":
            rtd.append(g)
        elif tag == "RTG":
            r = F.rtg(g)
            points.extend(r.points)
            carriers.extend(r.carriers)
        elif tag == "FLT":
            fl = F.flights(g)
            extra["flights"] = fl
            carriers[:0] = [f[:2] for f in fl[:1]]
        elif tag == "CVD":
            values = F.cvd(g, ctx.problems)
        elif tag == "OCI":
            notes.extend(F.oci(g))
        elif tag == "SPH":
            extra["special_handling"] = [c.strip() for c in g.fields if c.strip()][:30]
        elif tag == "AGT":
            extra["agent"] = _agent(g)
        elif tag in _TEXT_LINES:
            extra[_TEXT_LINES[tag]] = F.text_of(g)[:2000]
        elif tag not in _KNOWN:
            unknown.append(tag or f"line {g.line}")
    points.append(head.destination)
    if notes:
        apply_oci(parties, notes)
        extra["oci"] = [n.as_dict() for n in notes[:200]]
    if unknown:
        extra["unknown_lines"] = unknown[:50]
    if values.no_customs_value:
        extra["no_customs_value"] = True
    items = rating.items(rtd, ctx.problems, extra)
    shipper = next((p for p in parties if p.role == "shipper"), None)
    ctx.problems.attach(head.awb)
    return Shipment(
        shipment_id=head.awb,
        mode=ctx.mode,
        mawb=head.awb,
        carrier=carriers[0] if carriers else None,
        origin_country=airport_country(head.origin) or (shipper.address.country if shipper else None),
        origin_port=head.origin,
        destination_port=head.destination,
        routing=routing(points),
        pieces=qty.pieces if qty else None,
        gross_weight_kg=qty.weight_kg if qty else None,
        declared_value=values.customs,
        currency=values.currency,
        parties=parties,
        items=items,
        extra=extra_json(extra),
        line=block.smi_line or first_line,
    )


def _agent(g: Group) -> dict[str, Any]:
    f = [x.strip() for x in g.fields]
    subs = [" ".join(sub_fields(t)).strip() for _, t in g.subs]
    return {k: v for k, v in {
        "account": f[0] if f else None,
        "iata_code": f[1] if len(f) > 1 else None,
        "name": subs[0] if subs else None,
        "place": subs[1] if len(subs) > 1 else None,
    }.items() if v}


# line identifiers of FWB/16-17 that carry nothing we screen on (charges, signatures, refs)
_KNOWN = frozenset({"ACC", "OTH", "PPD", "COL", "CER", "REF", "CDC", "COI", "SII", "ARD", "NOM", "OPI"})
