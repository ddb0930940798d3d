"""Map JSON objects (and CSV rows made into objects) onto parties, items and fields.

Partners name the same thing many ways: ``hs_code``, ``hsCode``, ``HS Code``,
``tariff_code``.  Keys are compared after folding (lower case, letters and digits
only), and each canonical field has a list of folded synonyms.  Values may be
strings or numbers; anything else (a list where a name belongs) is a field reject
naming the JSON path, never an exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from interdictor.intake import validate
from interdictor.intake.limits import MAX_ITEMS, MAX_TEXT
from interdictor.intake.records import Problems, clip
from interdictor.model import Address, Item, Party

_FOLD = re.compile(r"[^a-z0-9]")

PARTY_KEYS: Final = {
    "name": ("name", "fullname", "companyname", "company", "contactname", "partyname"),
    "business": ("business", "businessname", "organisation", "organization"),
    "address": ("address", "street", "streetaddress", "address1", "addressline1", "line1", "addressline",
                "streetname", "details", "addressdetails"),
    "address2": ("address2", "addressline2", "line2", "street2"),
    "city": ("city", "town", "cityname", "locality", "county"),
    "state": ("state", "province", "region", "stateprovince", "statecode", "subdivision"),
    "postal_code": ("postalcode", "postcode", "zip", "zipcode", "postcodecode"),
    "country": ("country", "countrycode", "countryid", "countryiso"),
    "phone": ("phone", "telephone", "tel", "phonenumber", "mobile"),
    "email": ("email", "emailaddress", "mail"),
}
ITEM_KEYS: Final = {
    "description": ("description", "itemdescription", "productname", "goodsdescription", "goods", "content",
                    "detaileddescription", "title", "commodity"),
    "hs_code": ("hscode", "hs", "hts", "htscode", "htsus", "tariffcode", "tariffnumber", "importhscode",
                "hstariffnumber", "commoditycode"),
    "quantity": ("quantity", "qty", "itemquantity", "units", "count"),
    "weight_kg": ("weightkg", "netweightkg", "itemweightkg", "weight", "netweight", "itemweight"),
    "value": ("value", "itemvalue", "declaredvalue", "totalvalue", "customsvalue"),
    "unit_value": ("unitvalue", "unitprice", "price"),
    "origin_country": ("origincountry", "countryoforigin", "origin", "coo", "madein"),
    "cas_number": ("casnumber", "cas", "casno", "casrn"),
    "weight_unit": ("weightunit", "unitofweight", "wtunit"),
}


def fold(key: object) -> str:
    return _FOLD.sub("", str(key).lower())[:64]


class Obj:
    """A JSON object with folded keys, remembering its path for rejects."""

    def __init__(self, raw: Mapping[str, Any], where: str) -> None:
        self.raw = raw
        self.where = where
        self.keys: dict[str, str] = {}
        for k in list(raw)[:2_000]:  # a hostile object with a million keys is cut, not walked
            if not str(k).startswith(("_", "@")):  # "_comment", JSON-LD keywords: not data
                self.keys.setdefault(fold(k), str(k))

    def key(self, *names: str) -> str | None:
        for n in names:
            k = self.keys.get(n)
            if k is not None and self.raw.get(k) not in (None, ""):
                return k
        return None

    def get(self, *names: str) -> Any:
        k = self.key(*names)
        return self.raw[k] if k is not None else None

    def path(self, *names: str) -> str:
        k = self.key(*names)
        return f"{self.where}.{k if k is not None else names[0]}"

    def sub(self, *names: str) -> Obj | None:
        value = self.get(*names)
        return Obj(value, self.path(*names)) if isinstance(value, dict) else None

    def subs(self, *names: str) -> list[Obj]:
        value = self.get(*names)
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            return []
        base = self.path(*names)
        return [Obj(v, f"{base}[{i}]") for i, v in enumerate(value[:MAX_ITEMS]) if isinstance(v, dict)]

    def text(self, problems: Problems, line: int | None, *names: str, limit: int = MAX_TEXT) -> str | None:
        value = self.get(*names)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.add(line, self.path(*names), f"expected text, got {type(value).__name__}")
            return None
        return clip(str(value), problems, line, self.path(*names), limit)

    def number(self, problems: Problems, line: int | None, *names: str, kind: str = "money") -> float | None:
        """A number by the rule of ``kind`` (``rules.RULES``): text as partners write it, or a JSON number."""
        value = self.get(*names)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.add(line, self.path(*names), f"expected a number, got {type(value).__name__}")
            return None
        out, problem = validate.value(kind, value)
        if problem:
            problems.add(line, self.path(*names), problem)
        return out

    def checked(self, problems: Problems, line: int | None, check: Any, *names: str) -> str | None:
        """A code through one of ``validate``'s checks; a problem is a field reject."""
        text = self.text(problems, line, *names, limit=200)
        value, problem = check(text)
        if problem:
            problems.add(line, self.path(*names), problem)
        return value  # type: ignore[no-any-return]


def party(o: Obj | None, role: str, problems: Problems, line: int | None) -> Party | None:
    if o is None:
        return None
    name = o.text(problems, line, *PARTY_KEYS["name"])
    business = o.text(problems, line, *PARTY_KEYS["business"])
    if business and name and business.upper() != name.upper():
        name = f"{name} / {business}"  # a shop or person and its legal entity: both are screened
    street = " ".join(x for x in (o.text(problems, line, *PARTY_KEYS["address"]),
                                  o.text(problems, line, *PARTY_KEYS["address2"])) if x) or None
    p = Party(
        role=role,
        name=name or business,
        address=Address(
            lines=street,
            city=o.text(problems, line, *PARTY_KEYS["city"], limit=200),
            state=o.text(problems, line, *PARTY_KEYS["state"], limit=200),
            postal_code=o.text(problems, line, *PARTY_KEYS["postal_code"], limit=40),
            country=o.checked(problems, line, validate.country, *PARTY_KEYS["country"]),
        ),
        phone=o.text(problems, line, *PARTY_KEYS["phone"], limit=60),
        email=o.text(problems, line, *PARTY_KEYS["email"], limit=254),
    )
    if not (p.name or p.address.lines or p.address.country):
        return None
    return p


def item(o: Obj, problems: Problems, line: int | None, defaults: Mapping[str, Any] | None = None) -> Item:
    own = o.raw.get("__line")  # a CSV content row knows its own line
    line = own if isinstance(own, int) else line
    qty = o.number(problems, line, *ITEM_KEYS["quantity"], kind="quantity")
    unit = o.text(problems, line, *ITEM_KEYS["weight_unit"], limit=10) or "KG"
    raw_weight = o.get(*ITEM_KEYS["weight_kg"])
    weight = None
    if raw_weight is not None:
        if isinstance(raw_weight, (int, float, str)) and not isinstance(raw_weight, bool):
            weight, problem = validate.weight_kg(raw_weight if isinstance(raw_weight, str) else float(raw_weight),
                                                 unit)
            if problem:
                problems.add(line, o.path(*ITEM_KEYS["weight_kg"]), problem)
        else:
            problems.add(line, o.path(*ITEM_KEYS["weight_kg"]), "weight: expected a number")
    value = o.number(problems, line, *ITEM_KEYS["value"])
    if value is None:
        unit_value = o.number(problems, line, *ITEM_KEYS["unit_value"])
        if unit_value is not None:
            value = round(unit_value * (qty or 1.0), 2)
    origin = o.checked(problems, line, validate.country, *ITEM_KEYS["origin_country"])
    if origin is None and defaults:
        origin = defaults.get("origin_country")
    return Item(
        description=o.text(problems, line, *ITEM_KEYS["description"]),
        hs_code=o.checked(problems, line, validate.hs_code, *ITEM_KEYS["hs_code"]),
        quantity=qty, weight_kg=weight, value=value, origin_country=origin,
        cas_number=o.checked(problems, line, validate.cas_number, *ITEM_KEYS["cas_number"]), line=line,
    )


def leftovers(o: Obj, used: set[str]) -> dict[str, Any]:
    """Keys no mapping used, kept as extra attributes (small scalars only)."""
    out: dict[str, Any] = {}
    for folded, key in o.keys.items():
        if folded in used or len(out) >= 50:
            continue
        v = o.raw[key]
        if isinstance(v, (str, int, float, bool)) and v != "":
            out[key[:64]] = v if not isinstance(v, str) else v[:500]
        elif isinstance(v, (dict, list)):
            text = json.dumps(v, ensure_ascii=False, default=str)
            if len(text) <= 500:
                out[key[:64]] = v
    return out


def used_keys(*groups: Mapping[str, tuple[str, ...]] | tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for g in groups:
        if isinstance(g, tuple):
            out.update(g)
        else:
            for names in g.values():
                out.update(names)
    return out
