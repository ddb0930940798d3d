"""JSON manifests (``json-manifest``): a list of shipments, or an object holding one.

Accepted shapes — whatever a courier's or marketplace's API returns, within reason::

    [ {shipment}, ... ]                      {"shipments": [ {shipment}, ... ], ...header}
    {"data": {"shipments": [...]}}           {shipment}   (a single shipment)

A shipment uses the manifest column names (``shipment_id``, ``mawb``, ``hawb``,
``routing``, ``pieces``, ``gross_weight_kg``, ``declared_value``, ``currency`` ...) or
common synonyms (``tracking_number``, ``sender``/``recipient``, ``hsCode`` ...), with
parties nested (``"shipper": {"name", "address", "city", "state", "postal_code",
"country", "phone", "email"}``, or ``"parties": [{"role": "shipper", ...}]``, or flat
``shipper_name`` keys) and items nested (``items``, ``contents``, ``customs.contents``,
``line_items``).  A flat object with item fields is one item; consecutive objects
with the same ``shipment_id`` are one shipment's items.  Unknown keys are kept in
``extra``.  Rejects name the JSON path (``shipments[3].items[0].hs_code``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from interdictor.intake import objmap, validate
from interdictor.intake.base import IntakeChunk, RawPayload, ReadOptions
from interdictor.intake.jsondoc import line_count, readable
from interdictor.intake.limits import MAX_MESSAGES
from interdictor.intake.objmap import ITEM_KEYS, PARTY_KEYS, Obj
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
from interdictor.model import Party, Shipment

S: dict[str, tuple[str, ...]] = {
    "shipment_id": ("shipmentid", "id", "trackingnumber", "trackingno", "hawbortracking", "consignmentid",
                    "shipmentreference", "reference", "parcelid", "orderid"),
    "mode": ("mode", "transportmode", "modeoftransport"),
    "filer": ("filer", "partner", "submitter"),
    "mawb": ("mawb", "masterawb", "masterairwaybill", "mawbno", "masterbill", "masterwaybill"),
    "hawb": ("hawb", "houseawb", "housebill", "hawbno", "housewaybill"),
    "postal_item_id": ("postalitemid", "s10", "upuitemid", "mailitemid"),
    "filed_at": ("filedat", "createdat", "timestamp", "submittedat"),
    "carrier": ("carrier", "airline", "carriercode"),
    "origin_country": ("origincountry", "shipfromcountry", "exportcountry"),
    "origin_port": ("originport", "departureairport", "portofloading", "origin", "departureport"),
    "destination_port": ("destinationport", "arrivalairport", "portofentry", "portofdischarge", "destination",
                         "arrivalport"),
    "routing": ("routing", "route"),
    "pieces": ("pieces", "numberofpieces", "packages", "totalpieces", "parcels"),
    "gross_weight_kg": ("grossweightkg", "grossweight", "totalweightkg", "parcelweightkg", "weightkg", "weight",
                        "totalweight"),
    "weight_unit": ("weightunit", "unitofweight"),
    "declared_value": ("declaredvalue", "totalvalue", "customsvalue", "totaldeclaredvalue", "value"),
    "currency": ("currency", "currencycode", "valuecurrency"),
}
ROLES: dict[str, tuple[str, ...]] = {
    "shipper": ("shipper", "sender", "consignor", "seller", "shipfrom", "from", "exporter"),
    "consignee": ("consignee", "recipient", "receiver", "addressee", "buyer", "shipto", "deliverto", "to",
                  "importer"),
    "notify": ("notify", "notifyparty", "alsonotify"),
}
ITEM_LISTS = ("items", "contents", "goods", "lineitems", "products", "commodities", "packages")
LIST_KEYS = ("shipments", "consignments", "parcels", "manifest", "records", "data", "results")
PARTY_WORDS = {w for names in PARTY_KEYS.values() for w in names}
USED = objmap.used_keys(S, ROLES, ITEM_LISTS, ("parties", "customs"))


def _flat_party(o: Obj, role: str) -> dict[str, Any]:
    """``shipper_name``, ``shipperCity`` ... gathered into a party object."""
    out: dict[str, Any] = {}
    for folded, key in o.keys.items():
        for pfx in ROLES[role]:
            rest = folded[len(pfx):]
            if folded.startswith(pfx) and rest in PARTY_WORDS:
                out[rest] = o.raw[key]
                break
    return out


def _parties(o: Obj, problems: Problems, line: int | None) -> tuple[list[Party], set[str]]:
    found: dict[str, Party] = {}
    used: set[str] = set()
    for p in o.subs("parties", "involvedparties"):
        role_raw = str(p.get("role", "type", "partyrole", "partytype") or "").lower()
        role = next((r for r, names in ROLES.items() if objmap.fold(role_raw) in names or role_raw == r), None)
        if role and role not in found and (party := objmap.party(p, role, problems, line)):
            found[role] = party
    for role, names in ROLES.items():
        nested = o.sub(*names)
        if nested is None:
            flat = _flat_party(o, role)
            if flat:
                used.update(k for k in o.keys if any(k.startswith(p) and k[len(p):] in PARTY_WORDS for p in names))
                nested = Obj(flat, f"{o.where}.{role}_*")
        if role not in found and (party := objmap.party(nested, role, problems, line)):
            found[role] = party
    return list(found.values()), used


Dates = list[tuple[Shipment, str, int | None, str]]


def shipment(o: Obj, line: int | None, problems: Problems, default_mode: str | None,
             dates: Dates | None = None) -> Shipment | None:
    """One shipment object.  Its ``filed_at`` is read at once, or — given ``dates`` — left for
    ``read_dates`` to read with the document's others (a date is a polars parse: see ``rules``)."""
    mark = len(problems.items)
    sid = o.text(problems, line, *S["shipment_id"], limit=120)
    mawb = _id(o, problems, line, validate.awb, "mawb")
    hawb = o.text(problems, line, *S["hawb"], limit=40)
    postal = _id(o, problems, line, validate.s10, "postal_item_id")
    sid = sid or (f"{mawb or ''}/{hawb}" if hawb else None) or postal or mawb
    if not sid:
        problems.add(line, o.where, "shipment has no shipment_id (nor tracking number, HAWB, AWB or S10 id)",
                     kind="row")
        return None
    mode = o.checked(problems, line, validate.mode, *S["mode"]) if o.key(*S["mode"]) else default_mode
    parties, flat_used = _parties(o, problems, line)
    customs = o.sub("customs")
    items_src = o.subs(*ITEM_LISTS) or (customs.subs(*ITEM_LISTS) if customs is not None else [])
    if not items_src and o.key(*ITEM_KEYS["description"]) is not None:
        items_src = [o]  # a flat row: the object is its own item
    origin = o.checked(problems, line, validate.country, *S["origin_country"])
    items = [objmap.item(i, problems, line) for i in items_src]
    origin_port = _point(o, problems, line, "origin_port")
    dest_port = _point(o, problems, line, "destination_port")
    unit = o.text(problems, line, *S["weight_unit"], limit=8) or "KG"
    extra = {"format": "json-manifest", "attributes": objmap.leftovers(o, USED | flat_used | _item_keys(items_src, o))}
    s = Shipment(
        shipment_id=sid, mode=mode, filer=o.text(problems, line, *S["filer"], limit=120), mawb=mawb, hawb=hawb,
        postal_item_id=postal, filed_at=None,  # read for the whole document at once: see parse()
        carrier=o.text(problems, line, *S["carrier"], limit=40),
        origin_country=origin or next((p.address.country for p in parties if p.role == "shipper"), None),
        origin_port=origin_port, destination_port=dest_port,
        routing=_routing(o, problems, line, origin_port, dest_port),
        pieces=_pieces(o, problems, line), gross_weight_kg=_weight(o, problems, line, unit),
        declared_value=o.number(problems, line, *S["declared_value"]),
        currency=o.checked(problems, line, validate.currency, *S["currency"]),
        parties=parties, items=items, extra=extra_json(extra), line=line,
    )
    problems.attach(sid, mark)
    when = o.text(problems, line, *S["filed_at"], limit=40)
    if when is not None:
        pending: Dates = [(s, when, line, o.path(*S["filed_at"]))]
        if dates is None:
            read_dates(pending, problems)
        else:
            dates.extend(pending)
    return s


def read_dates(dates: Dates, problems: Problems) -> None:
    """``filed_at`` of each shipment from its text, by the date rule; a bad date is a field reject."""
    for (s, _raw, line, where), (value, problem) in zip(dates, validate.timestamps([d[1] for d in dates]),
                                                         strict=True):
        s.filed_at = value
        if problem:
            problems.add(line, where, problem, s.shipment_id)


def _point(o: Obj, problems: Problems, line: int | None, field: str) -> str | None:
    """An IATA (3), UN/LOCODE (5) or CBP port (4 digits) code."""
    return o.checked(problems, line, validate.point, *S[field])


def _item_keys(items_src: list[Obj], o: Obj) -> set[str]:
    return objmap.used_keys(ITEM_KEYS) if any(i is o for i in items_src) else set()


def _id(o: Obj, problems: Problems, line: int | None, check: Any, field: str) -> str | None:
    raw = o.text(problems, line, *S[field], limit=40)
    if raw is None:
        return None
    value, problem = check(raw)
    if problem:
        problems.add(line, o.path(*S[field]), problem)
    return value  # type: ignore[no-any-return]


def _routing(o: Obj, problems: Problems, line: int | None, a: str | None, b: str | None) -> str | None:
    raw = o.get(*S["routing"])
    if isinstance(raw, list):
        raw = "-".join(str(x) for x in raw[:21])
    if isinstance(raw, str) and raw.strip():
        r, problem = validate.routing(raw[:200])
        if r is not None:
            return r
        problems.add(line, o.path(*S["routing"]), problem or "unreadable routing")
    return "-".join(p.upper() for p in (a, b) if p) or None


def _pieces(o: Obj, problems: Problems, line: int | None) -> int | None:
    v = o.number(problems, line, *S["pieces"], kind="count")
    return int(v) if v is not None else None


def _weight(o: Obj, problems: Problems, line: int | None, unit: str) -> float | None:
    v = o.get(*S["gross_weight_kg"])
    if v is None or isinstance(v, bool) or not isinstance(v, (str, int, float)):
        return None
    kg, problem = validate.weight_kg(v if isinstance(v, str) else float(v), unit)
    if problem:
        problems.add(line, o.path(*S["gross_weight_kg"]), problem)
    return kg


def _mode(options: ReadOptions) -> str | None:
    """The mode a profile sets (``{mode: express}``); otherwise each shipment says, or nothing."""
    m = mode_override(options, "")
    return m or None


def _records(value: Any, where: str) -> list[tuple[Any, str]]:
    for _ in range(3):  # {"data": {"shipments": [...]}}: unwrap a few levels, no more
        if isinstance(value, dict):
            o = Obj(value, where)
            inner_key = o.key(*LIST_KEYS)
            if inner_key is None or o.key(*S["shipment_id"]) is not None:
                break
            value, where = value[inner_key], f"{where}.{inner_key}"
    if isinstance(value, list):
        return [(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return [(value, where)]


def parse(stream: BinaryIO, options: ReadOptions) -> Iterator[Parsed]:
    src = options.source_name
    problems = Problems(src)
    mode = _mode(options)
    data, found = read_json_document(stream, src, problems)
    if found is None:
        yield not_json(src, data, problems)
        return
    shipments: list[Shipment] = []
    by_id: dict[str, Shipment] = {}
    dates: Dates = []
    last: str | None = None
    count = 0
    for value, line, why in found:
        if why is not None:
            problems.add(line, None, why, kind="row")
            continue
        records = _records(value, "$" if line is None else f"line {line}")
        room = MAX_MESSAGES - count
        count += len(records)
        if count > MAX_MESSAGES:
            problems.add(line, records[room][1], f"more than {MAX_MESSAGES:,} shipment records in one document: "
                         "this one and those after it are not read; split the file", kind="message")
            records = records[:room]
        for record, where in records:
            if not isinstance(record, dict):
                problems.add(line, where, f"expected a shipment object, got {type(record).__name__}", kind="row")
                continue
            mark = len(problems.items)
            for path, reason in readable(record, where):  # NaN, 1e999, 5,000 digits, too deep: that field only
                problems.add(line, path, reason)
            s = shipment(Obj(record, where), line, problems, mode, dates)
            if s is None:
                continue
            problems.attach(s.shipment_id, mark)
            if s.shipment_id in by_id:
                if s.shipment_id == last and len(by_id[last].items) < 10_000:
                    by_id[last].items.extend(s.items)  # one row per item: same shipment, next item
                    continue
                problems.add(line, where, f"shipment {s.shipment_id} appears again after other shipments; keep "
                             "its rows together (or send a change as an amendment)", s.shipment_id, kind="row")
                continue
            by_id[s.shipment_id] = s
            shipments.append(s)
            last = s.shipment_id
        if count > MAX_MESSAGES:
            break
    read_dates(dates, problems)
    if not shipments and not problems.items:
        problems.add(None, "$", "no shipment found", kind="message")
    doc = shipments[0].shipment_id if len(shipments) == 1 else None
    raw = RawPayload(raw_id(src, 0, data), src, 1, line_count(data), data, doc)
    yield (Parsed(raw, shipments, problems.items, rows=max(1, len(found))))


def read(stream: BinaryIO, options: ReadOptions) -> Iterator[IntakeChunk]:
    return chunked(parse(stream, options), options)
