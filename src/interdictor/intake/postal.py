"""Postal CN 22 / CN 23 (ITMATT-style) item data, as JSON (``cn23-json``) or CSV (``cn23-csv``).

One postal item = one shipment, ``shipment_id`` = its UPU S10 identifier
(``CP123456785CN``), ``mode`` = ``postal``.  The JSON shape (field names are ours;
the UPU M33 tags are members-only)::

    {"item_id": "CP123456785CN", "mail_class": "E", "category_of_item": "SALE_OF_GOODS",
     "posting": {"office_of_origin": "CNSHAA", "date": "2026-01-14", "origin_country": "CN"},
     "destination_country": "US",
     "sender":    {"name", "business", "street", "postcode", "city", "state", "country", "phone", "email"},
     "addressee": {... same ...},
     "contents": [{"description", "quantity", "net_weight_kg", "value", "currency", "hs_code",
                   "origin_country"}],
     "total_gross_weight_kg", "total_declared_value", "total_declared_currency"}

A file may hold one item, a list of items, ``{"items": [...]}``, or JSON Lines.  The
CSV has one row per content line, the item fields repeated (see ``postal_csv``).
An item id that is not S10-shaped rejects the item; a wrong check digit keeps it,
flagged, so the parcel is still screened and the filer is asked to correct it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from interdictor.intake import objmap, validate
from interdictor.intake.base import IntakeChunk, RawPayload, ReadOptions
from interdictor.intake.jsondoc import line_count
from interdictor.intake.objmap import Obj
from interdictor.intake.records import (
    Parsed,
    Problems,
    chunked,
    extra_json,
    mode_override,
    not_json,
    raw_id,
    read_json_document,
)
from interdictor.model import Shipment

ID_KEYS = ("itemid", "s10", "itemidentifier", "postalitemid", "mailitemid", "barcode", "trackingnumber",
           "trackingno", "functionalreferenceid", "id")
SENDER_KEYS = ("sender", "consignor", "shipper", "from")
ADDRESSEE_KEYS = ("addressee", "recipient", "receiver", "consignee", "to")
CONTENT_KEYS = ("contents", "content", "items", "goods", "lines", "contentpieces")
LIST_KEYS = ("items", "postalitems", "itmatt", "records", "data")
EXTRA_KEYS = {
    "mail_class": ("mailclass", "service", "serviceindicator"),
    "category": ("categoryofitem", "category", "itemcategory", "natureoftransaction"),
    "category_explanation": ("categoryexplanation", "explanation"),
    "declaration_form": ("declarationform", "form"),
    "comments": ("comments", "comment", "remarks"),
    "dangerous_goods": ("dangerousgoodsdeclared", "dangerousgoods"),
}
TOTAL_WEIGHT = ("totalgrossweightkg", "grossweightkg", "totalweightkg", "grossweight", "totalweight", "weightkg")
TOTAL_VALUE = ("totaldeclaredvalue", "totalvalue", "declaredvalue", "value")
TOTAL_CURRENCY = ("totaldeclaredcurrency", "currency", "declaredcurrency", "totalcurrency")
USED = objmap.used_keys(ID_KEYS, SENDER_KEYS, ADDRESSEE_KEYS, CONTENT_KEYS, EXTRA_KEYS, TOTAL_WEIGHT, TOTAL_VALUE,
                        TOTAL_CURRENCY, ("posting", "postingdetails", "origincountry", "postingcountry",
                                         "destinationcountry", "destination", "itemidscheme"))


def item_shipment(o: Obj, line: int | None, problems: Problems, mode: str) -> Shipment | None:
    """One postal item; None (with a row reject) when it has no usable S10 identifier."""
    mark = len(problems.items)
    raw = o.text(problems, line, *ID_KEYS, limit=40)
    sid, problem = validate.s10(raw)
    if sid is None:
        problems.add(line, o.path(*ID_KEYS), problem or "no postal item identifier", kind="row")
        return None
    if problem:
        problems.add(line, o.path(*ID_KEYS), problem)
    posting = o.sub("posting", "postingdetails")
    origin = posting.checked(problems, line, validate.country, "origincountry", "country") if posting else None
    origin = origin or o.checked(problems, line, validate.country, "origincountry", "postingcountry")
    dest = o.checked(problems, line, validate.country, "destinationcountry", "destination")
    shipper = objmap.party(o.sub(*SENDER_KEYS), "shipper", problems, line)
    consignee = objmap.party(o.sub(*ADDRESSEE_KEYS), "consignee", problems, line)
    if consignee is not None and consignee.address.country is None:
        consignee.address.country = dest
    if origin is None and shipper is not None:
        origin = shipper.address.country
    currency = o.checked(problems, line, validate.currency, *TOTAL_CURRENCY)
    contents = o.subs(*CONTENT_KEYS)
    items = [objmap.item(c, problems, line, {"origin_country": None}) for c in contents]
    for c in contents:
        cur = c.checked(problems, line, validate.currency, "currency")
        currency = currency or cur
    extra: dict[str, Any] = {"format": "cn23"}
    for key, names in EXTRA_KEYS.items():
        v = o.get(*names)
        if isinstance(v, (str, int, float, bool)):
            extra[key] = v if not isinstance(v, str) else v.strip().upper()[:200]
    if posting is not None:
        extra["office_of_origin"] = posting.text(problems, line, "officeoforigin", "office", limit=20)
        extra["posted_on"] = posting.text(problems, line, "date", "postingdate", limit=40)
    if dest:
        extra["destination_country"] = dest
    attributes = objmap.leftovers(o, USED)
    if attributes:
        extra["attributes"] = attributes
    kg = _weight(o, problems, line)
    value = o.number(problems, line, *TOTAL_VALUE)
    problems.attach(sid, mark)
    return Shipment(
        shipment_id=sid, mode=mode, postal_item_id=sid, origin_country=origin, pieces=1,
        gross_weight_kg=kg, declared_value=value, currency=currency,
        parties=[p for p in (shipper, consignee) if p is not None],
        items=items, extra=extra_json(extra), line=line,
    )


def _weight(o: Obj, problems: Problems, line: int | None) -> float | None:
    v = o.get(*TOTAL_WEIGHT)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        problems.add(line, o.path(*TOTAL_WEIGHT), "weight: expected a number")
        return None
    kg, problem = validate.weight_kg(v if isinstance(v, str) else float(v), "KG")
    if problem:
        problems.add(line, o.path(*TOTAL_WEIGHT), problem)
    return kg


def _records(value: Any, where: str) -> list[tuple[Any, str]]:
    if isinstance(value, list):
        return [(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        o = Obj(value, where)
        inner = o.get(*LIST_KEYS)
        if isinstance(inner, list) and o.key(*ID_KEYS) is None:
            return [(v, f"{o.path(*LIST_KEYS)}[{i}]") for i, v in enumerate(inner)]
    return [(value, where)]


def parse_json(stream: BinaryIO, options: ReadOptions) -> Iterator[Parsed]:
    """CN 23 items from a JSON document or JSON Lines."""
    src = options.source_name
    mode = mode_override(options, "postal")
    problems = Problems(src)
    data, found = read_json_document(stream, src, problems)
    if found is None:
        yield not_json(src, data, problems)
        return
    lines = data.split(b"\n") if len(found) > 1 or found[0][1] is not None else [data]
    for value, line, why in found:
        content = lines[line - 1] + b"\n" if line is not None and line < len(lines) else (
            lines[line - 1] if line is not None else data)
        p = Problems(src)
        shipments: list[Shipment] = []
        if why is not None:
            p.add(line, None, why, kind="message")
        for record, where in _records(value, "$" if line is None else f"line {line}") if why is None else ():
            if not isinstance(record, dict):
                p.add(line, where, f"expected an object for a postal item, got {type(record).__name__}", kind="row")
                continue
            s = item_shipment(Obj(record, where), line, p, mode)
            if s is not None:
                shipments.append(s)
        shipments = _unique(shipments, p, line)
        doc = shipments[0].shipment_id if len(shipments) == 1 else None
        first = line or 1
        last = line or line_count(data)
        raw = RawPayload(raw_id(src, first, content), src, first, last, content, doc)
        if not shipments and not any(r.kind in ("message", "row") for r in p.items):
            p.add(line, None, "no postal item found", kind="message")
        yield (Parsed(raw, shipments, p.items, rows=max(1, len(shipments))))




def read_json(stream: BinaryIO, options: ReadOptions) -> Iterator[IntakeChunk]:
    return chunked(parse_json(stream, options), options)


def _unique(shipments: list[Shipment], problems: Problems, line: int | None) -> list[Shipment]:
    seen: set[str] = set()
    out = []
    for s in shipments:
        if s.shipment_id in seen:
            problems.add(s.line or line, "item_id", f"postal item {s.shipment_id} appears twice; the second was "
                         "rejected (send a change as a new message)", s.shipment_id, kind="row")
            continue
        seen.add(s.shipment_id)
        out.append(s)
    return out


def read_csv(stream: BinaryIO, options: ReadOptions) -> Iterator[IntakeChunk]:
    from interdictor.intake.postal_csv import read_csv as _read

    return _read(stream, options)
