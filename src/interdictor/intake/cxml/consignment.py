"""A Cargo-XML consignment (master or house) -> canonical shipment.

Paths are those of the IATA data model 3 (``iata:datamodel:3``), matched by local
name.  The same element names serve ``MasterConsignment`` (XFWB) and
``IncludedHouseConsignment`` (XFZB, XFHL); only the item element differs.
Customs notes (``IncludedCustomsNote``) are the XML form of the Cargo-IMP OCI line
and go through the same handling (contacts fill party gaps; all kept in ``extra``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interdictor.intake import validate
from interdictor.intake.cimp.fields import Oci
from interdictor.intake.cimp.parties import apply_oci
from interdictor.intake.cxml.tree import Element, attr, child, children, find, first, line, local, path, text
from interdictor.intake.limits import MAX_ITEMS
from interdictor.intake.records import Problems, airport_country, clip, extra_json, routing
from interdictor.model import Address, Item, Party, Shipment

PARTY_ELEMENTS = {"ConsignorParty": "shipper", "ConsigneeParty": "consignee", "NotifyParty": "notify"}
NOTIFY_ROLE_CODES = frozenset({"NI", "NFY", "N1", "NOTIFY"})


@dataclass
class Ids:
    shipment_id: str
    mawb: str | None
    hawb: str | None
    mode: str


def shipment(el: Element, ids: Ids, problems: Problems, extra: dict[str, Any],
             item_name: str, fallback: Element | None = None) -> Shipment:
    """Map ``el``; ``fallback`` (the master of a house) supplies origin/destination when absent."""
    pieces, problem = validate.pieces(text(el, "TotalPieceQuantity"))
    if problem:
        problems.add(line(el), path(el, "TotalPieceQuantity"), problem)
    kg = _weight(first(child(el, "IncludedTareGrossWeightMeasure"), child(el, "GrossWeightMeasure")), problems)
    origin = _airport(first(find(el, "OriginLocation", "ID"), find(fallback, "OriginLocation", "ID")), problems)
    dest = _airport(first(find(el, "FinalDestinationLocation", "ID"),
                          find(fallback, "FinalDestinationLocation", "ID")), problems)
    points, carriers, flights = _movements(el)
    if flights:
        extra["flights"] = flights
    parties = _parties(el, problems)
    notes = [
        Oci(text(n, "CountryID") or "", text(n, "SubjectCode") or "", text(n, "ContentCode") or "",
            text(n, "Content") or "", line(n) or 0)
        for n in children(el, "IncludedCustomsNote")[:200]
    ]
    if notes:
        apply_oci(parties, notes)
        extra["oci"] = [n.as_dict() for n in notes]
    value, currency = _customs_value(el, problems, extra)
    sph = [t for n in children(el, "HandlingSPHInstructions") if (t := text(n, "DescriptionCode"))]
    osi = [t for n in children(el, "HandlingOSIInstructions") if (t := text(n, "Description"))]
    if sph:
        extra["special_handling"] = sph[:30]
    if osi:
        extra["osi"] = " / ".join(osi)[:2000]
    agent = child(el, "FreightForwarderParty")
    if agent is not None:
        extra["agent"] = {k: v for k, v in {"name": text(agent, "Name"), "iata_code": text(agent, "CargoAgentID"),
                                            "account": text(agent, "AccountID")}.items() if v}
    items = _items(el, item_name, problems)
    shipper = next((p for p in parties if p.role == "shipper"), None)
    problems.attach(ids.shipment_id)
    return Shipment(
        shipment_id=ids.shipment_id, mode=ids.mode, mawb=ids.mawb, hawb=ids.hawb,
        carrier=carriers[0] if carriers else None,
        origin_country=airport_country(origin) or (shipper.address.country if shipper else None),
        origin_port=origin, destination_port=dest, routing=routing([origin, *points, dest]),
        pieces=pieces, gross_weight_kg=kg, declared_value=value, currency=currency,
        parties=parties, items=items, extra=extra_json(extra), line=line(el),
    )


def _weight(el: Element | None, problems: Problems) -> float | None:
    if el is None:
        return None
    kg, problem = validate.weight_kg(text(el), attr(el, "unitCode") or "KGM")
    if problem:
        problems.add(line(el), path(el), problem)
    return kg


def _airport(el: Element | None, problems: Problems) -> str | None:
    code, problem = validate.airport(text(el))
    if problem:
        problems.add(line(el), path(el), problem)
    return code


def _movements(el: Element) -> tuple[list[str], list[str], list[str]]:
    """Transit points, carriers and flights of ``SpecifiedLogisticsTransportMovement``, in sequence."""
    moves = children(el, "SpecifiedLogisticsTransportMovement")

    def seq(m: Element) -> int:
        s = text(m, "SequenceNumeric") or ""
        return int(s) if s.isdigit() and len(s) < 6 else 0

    points: list[str] = []
    carriers: list[str] = []
    flights: list[str] = []
    for m in sorted(moves, key=seq)[:50]:
        for p in (text(m, "DepartureEvent", "OccurrenceDepartureLocation", "ID"),
                  text(m, "ArrivalEvent", "OccurrenceArrivalLocation", "ID")):
            if p and len(p) == 3 and p.isalpha():
                points.append(p.upper())
        flight = text(m, "ID")
        carrier = text(m, "UsedLogisticsTransportMeans", "Name")
        if flight:
            flights.append(flight[:20])
        c = carrier if carrier and len(carrier) == 2 else (flight[:2] if flight else None)
        if c:
            carriers.append(c.upper())
    return points, carriers, flights


def _party(p: Element, role: str, problems: Problems) -> Party:
    addr = child(p, "PostalStructuredAddress")
    country, problem = validate.country(text(addr, "CountryID"))
    if problem:
        problems.add(line(find(addr, "CountryID")), path(addr, "CountryID"), problem)
    contact = child(p, "DefinedTradeContact")
    where = path(p)
    return Party(
        role=role,
        name=clip(text(p, "Name"), problems, line(p), f"{where}/Name"),
        address=Address(
            lines=clip(text(addr, "StreetName"), problems, line(addr), f"{where}/StreetName"),
            city=clip(text(addr, "CityName"), problems, line(addr), f"{where}/CityName", 200),
            state=clip(text(addr, "CountrySubDivisionID") or text(addr, "CountrySubDivisionName"),
                       problems, line(addr), f"{where}/CountrySubDivisionID", 200),
            postal_code=clip(text(addr, "PostcodeCode"), problems, line(addr), f"{where}/PostcodeCode", 40),
            country=country,
        ),
        phone=clip(text(contact, "DirectTelephoneCommunication", "CompleteNumber"), problems, line(contact),
                   f"{where}/CompleteNumber", 60),
        email=clip(text(contact, "URIEmailCommunication", "URIID"), problems, line(contact),
                   f"{where}/URIID", 254),
    )


def _parties(el: Element, problems: Problems) -> list[Party]:
    out: list[Party] = []
    for c in el:
        name = local(c)
        role = PARTY_ELEMENTS.get(name)
        if role is None and name == "AssociatedParty" and (text(c, "RoleCode") or "").upper() in NOTIFY_ROLE_CODES:
            role = "notify"
        if role is not None and not any(p.role == role for p in out):
            out.append(_party(c, role, problems))
    return out


def _customs_value(el: Element, problems: Problems, extra: dict[str, Any]) -> tuple[float | None, str | None]:
    amount = child(el, "DeclaredValueForCustomsAmount")
    nil = (text(el, "NilCustomsValueIndicator") or "").lower() == "true"
    if nil:
        extra["no_customs_value"] = True
    raw_currency = attr(amount, "currencyID") or text(el, "ApplicableOriginCurrencyExchange", "SourceCurrencyCode")
    currency, problem = validate.currency(raw_currency)
    if problem:
        problems.add(line(amount) or line(el), path(amount) if amount is not None else path(el), problem)
    if amount is None or nil:
        return None, currency
    value, problem = validate.number(text(amount), "declared value for customs")
    if problem:
        problems.add(line(amount), path(amount), problem)
    return value, currency


def _items(el: Element, item_name: str, problems: Problems) -> list[Item]:
    nodes = [n for r in children(el, "ApplicableRating") for n in children(r, item_name)] + children(el, item_name)
    summary = text(el, "SummaryDescription")
    out: list[Item] = []
    for n in nodes[:MAX_ITEMS]:
        desc = clip(text(n, "NatureIdentificationTransportCargo", "Identification") or text(n, "Description"),
                    problems, line(n), path(n, "NatureIdentificationTransportCargo"))
        hs, problem = validate.hs_code(text(n, "TypeCode"))
        if problem:
            problems.add(line(n), path(n, "TypeCode"), problem)
        origin, problem = validate.country(text(n, "OriginCountry", "ID") or text(n, "OriginCountryID"))
        if problem:
            problems.add(line(n), path(n, "OriginCountry"), problem)
        qty, problem = validate.pieces(text(n, "PieceQuantity"))
        if problem:
            problems.add(line(n), path(n, "PieceQuantity"), problem)
        out.append(Item(description=desc or summary, hs_code=hs, quantity=float(qty) if qty else None,
                        weight_kg=_weight(child(n, "GrossWeightMeasure"), problems),
                        origin_country=origin, line=line(n)))
    if not out and summary:
        out.append(Item(description=clip(summary, problems, line(el), path(el, "SummaryDescription")),
                        line=line(child(el, "SummaryDescription"))))
    return out
