"""IATA ONE Record (JSON-LD, data model 3.x) waybills -> shipments (``onerecord``).

Read as plain JSON with a small mapping — no RDF machinery: a property is matched
by its local name whatever the prefix (``cargo:waybillNumber``, a full IRI, or a
bare name under ``@vocab``), and code-list values by the part after ``#``.  A file
holds one ``Waybill`` object, or an ``@graph`` of them.

Waybill -> ``waybillPrefix``+``waybillNumber`` (AWB), departure/arrival location
codes; ``shipment`` -> parties (``partyRole`` SHP/CNE/NFY), total gross weight,
pieces (count of ``pieces``), items (a piece's ``goodsDescription`` and its
products' ``hsCode``), customs information (the OCI equivalent), movements.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from interdictor.intake import validate
from interdictor.intake.base import IntakeChunk, RawPayload, ReadOptions
from interdictor.intake.cimp.fields import Oci
from interdictor.intake.cimp.parties import apply_oci
from interdictor.intake.jsondoc import line_count, readable
from interdictor.intake.limits import MAX_ITEMS
from interdictor.intake.records import (
    Parsed,
    Problems,
    airport_country,
    chunked,
    clip,
    extra_json,
    mode_override,
    raw_id,
    read_json_document,
    routing,
)
from interdictor.model import Address, Item, Party, Shipment

ROLE_CODES = {"SHP": "shipper", "CNE": "consignee", "NFY": "notify"}


def _local(key: str) -> str:
    return key.rpartition("#")[2].rpartition("/")[2].rpartition(":")[2]


def get(obj: Any, name: str) -> list[Any]:
    """All values of property ``name`` (by local name), lists flattened, ``@value`` unwrapped."""
    if not isinstance(obj, dict):
        return []
    out: list[Any] = []
    for k, v in obj.items():
        if isinstance(k, str) and _local(k) == name:
            for x in v if isinstance(v, list) else [v]:
                out.append(x["@value"] if isinstance(x, dict) and "@value" in x else x)
    return out


def one(obj: Any, *path: str) -> Any:
    for name in path:
        found = get(obj, name)
        obj = found[0] if found else None
    return obj


def text(obj: Any, *path: str) -> str | None:
    v = one(obj, *path)
    if isinstance(v, (str, int, float)) and not isinstance(v, bool):
        flat = " ".join(str(v).split())
        return flat or None
    return None


def code(obj: Any) -> str | None:
    """A code-list value: ``{"code": "PVG"}``, ``{"@id": "...#KGM"}`` or a plain string."""
    if isinstance(obj, dict):
        c = text(obj, "code") or text(obj, "locationCode", "code")
        if c:
            return c
        ident = obj.get("@id")
        if isinstance(ident, str) and "#" in ident:
            return ident.rpartition("#")[2] or None
    if isinstance(obj, str):
        return obj.rpartition("#")[2] or None
    return None


def _party(p: Any, problems: Problems, where: str) -> Party | None:
    role = ROLE_CODES.get((code(one(p, "partyRole")) or "").upper())
    details = one(p, "partyDetails")
    if role is None or not isinstance(details, dict):
        return None
    addr = one(details, "basedAtLocation", "address")
    streets = [str(s) for s in get(addr, "streetAddressLines") if isinstance(s, (str, int))]
    country, problem = validate.country(code(one(addr, "country")))
    if problem:
        problems.add(None, f"{where}.country", problem)
    phone = email = None
    for person in get(details, "contactPersons"):
        for c in get(person, "contactDetails"):
            kind = (code(one(c, "contactDetailType")) or "").upper()
            value = text(c, "textualValue")
            if "PHONE" in kind and phone is None:
                phone = value
            elif "MAIL" in kind and email is None:
                email = value
    city = one(addr, "cityCode")
    return Party(
        role=role,
        name=clip(text(details, "name"), problems, None, f"{where}.name"),
        address=Address(
            lines=clip(" ".join(streets), problems, None, f"{where}.streetAddressLines"),
            city=clip(text(city, "codeDescription") or text(addr, "cityName") or code(city), problems, None,
                      f"{where}.city", 200),
            state=clip(text(addr, "regionName") or code(one(addr, "regionCode")), problems, None,
                       f"{where}.region", 200),
            postal_code=clip(text(addr, "textualPostalCode") or text(addr, "postalCode"), problems, None,
                             f"{where}.postalCode", 40),
            country=country,
        ),
        phone=clip(phone, problems, None, f"{where}.phone", 60),
        email=clip(email, problems, None, f"{where}.email", 254),
    )


def waybill(w: dict[str, Any], where: str, problems: Problems, mode: str) -> Shipment | None:
    mark = len(problems.items)
    number, prefix = text(w, "waybillNumber"), text(w, "waybillPrefix")
    kind = (code(one(w, "waybillType")) or "").upper()
    if kind == "HOUSE":
        master = one(w, "masterWaybill")
        mawb, _ = validate.awb(f"{text(master, 'waybillPrefix')}-{text(master, 'waybillNumber')}") \
            if isinstance(master, dict) else (None, None)
        hawb = (number or "").upper()
        if not hawb:
            problems.add(None, f"{where}.waybillNumber", "house waybill has no number", kind="row")
            return None
        sid = f"{mawb or ''}/{hawb}"
    else:
        mawb, problem = validate.awb(f"{prefix or ''}-{number or ''}")
        if mawb is None:
            problems.add(None, f"{where}.waybillNumber", problem or "no waybill number", kind="row")
            return None
        if problem:
            problems.add(None, f"{where}.waybillNumber", problem)
        hawb, sid = None, mawb
    ship = one(w, "shipment")
    origin = (code(one(w, "departureLocation", "locationCode")) or "").upper() or None
    dest = (code(one(w, "arrivalLocation", "locationCode")) or "").upper() or None
    parties = [p for i, raw in enumerate(get(ship, "involvedParties"))
               if (p := _party(raw, problems, f"{where}.shipment.involvedParties[{i}]")) is not None]
    notes = [Oci(code(one(c, "country")) or "", code(one(c, "subjectCode")) or "", code(one(c, "contentCode")) or "",
                 text(c, "note") or "", 0) for c in get(ship, "customsInformation")[:200]]
    apply_oci(parties, notes)
    weight = one(ship, "totalGrossWeight")
    kg, problem = validate.weight_kg(text(weight, "numericalValue"), code(one(weight, "unit")) or "KGM")
    if problem:
        problems.add(None, f"{where}.shipment.totalGrossWeight", problem)
    pieces = get(ship, "pieces")
    items, points = _pieces(pieces, problems, f"{where}.shipment.pieces")
    extra: dict[str, Any] = {"format": "onerecord", "waybill_type": kind or None,
                             "oci": [n.as_dict() for n in notes] or None,
                             "handling": text(ship, "textualHandlingInstructions")}
    problems.attach(sid, mark)
    shipper = next((p for p in parties if p.role == "shipper"), None)
    return Shipment(
        shipment_id=sid, mode=mode, mawb=mawb, hawb=hawb,
        origin_country=airport_country(origin) or (shipper.address.country if shipper else None),
        origin_port=origin, destination_port=dest, routing=routing([origin, *points, dest]),
        pieces=len(pieces) or None, gross_weight_kg=kg, parties=parties, items=items,
        extra=extra_json(extra),
    )


def _pieces(pieces: list[Any], problems: Problems, where: str) -> tuple[list[Item], list[str]]:
    """Items (one per distinct description + HS code, quantity = pieces) and transit points."""
    counts: dict[tuple[str | None, str | None], int] = {}
    points: list[str] = []
    for i, p in enumerate(pieces[:MAX_ITEMS]):
        desc = clip(text(p, "goodsDescription"), problems, None, f"{where}[{i}].goodsDescription")
        hs_raw = code(one(p, "containedProducts", "hsCode"))
        hs, problem = validate.hs_code(hs_raw)
        if problem:
            problems.add(None, f"{where}[{i}].containedProducts.hsCode", problem)
        counts[(desc, hs)] = counts.get((desc, hs), 0) + 1
        if i == 0:
            for action in get(p, "involvedInActions")[:20]:
                move = one(action, "servedActivity")
                for loc in ("departureLocation", "arrivalLocation"):
                    c = code(one(move, loc, "locationCode"))
                    if c and len(c) == 3:
                        points.append(c.upper())
    items = [Item(description=d, hs_code=h, quantity=float(n)) for (d, h), n in counts.items() if d or h]
    return items, points


def parse(stream: BinaryIO, options: ReadOptions) -> Iterator[Parsed]:
    src = options.source_name
    problems = Problems(src)
    shipments: list[Shipment] = []
    data, values_ = read_json_document(stream, src, problems)
    found = values_ or []
    mode = mode_override(options, "air")
    for value, _line, why in found:
        if why is not None:
            problems.add(_line, None, why, kind="message")
            continue
        nodes = get(value, "@graph") if isinstance(value, dict) and "@graph" in value else \
            (value if isinstance(value, list) else [value])
        for i, node in enumerate(nodes):
            types = [_local(str(t)) for t in (node.get("@type") if isinstance(node, dict) else None) or []] \
                if isinstance(node, dict) and isinstance(node.get("@type"), list) else \
                [_local(str(node.get("@type")))] if isinstance(node, dict) else []
            if "Waybill" not in types:
                continue
            where = f"$[{i}]" if len(nodes) > 1 else "$"
            mark = len(problems.items)
            for path, reason in readable(node, where):  # NaN, 1e999, too deep: that field only
                problems.add(_line, path, reason)
            s = waybill(node, where, problems, mode)
            if s is not None:
                problems.attach(s.shipment_id, mark)
            if s is not None and all(s.shipment_id != x.shipment_id for x in shipments):
                shipments.append(s)
    if not shipments and not any(r.kind in ("message", "row") for r in problems.items):
        problems.add(None, "@type", "no ONE Record Waybill found", kind="message")
    doc = shipments[0].shipment_id if len(shipments) == 1 else None
    raw = RawPayload(raw_id(src, 0, data), src, 1, line_count(data), data, doc)
    yield (Parsed(raw, shipments, problems.items, rows=max(1, len(shipments))))


def read(stream: BinaryIO, options: ReadOptions) -> Iterator[IntakeChunk]:
    return chunked(parse(stream, options), options)
