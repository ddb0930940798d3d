"""The field rules: what each kind of field accepts, in one table for every format.

A manifest CSV or JSON Lines file is checked column by column (``fields.check``, polars
expressions); a Cargo-IMP, Cargo-XML, postal or JSON message value by value
(``validate``).  Both read the kinds, bounds, patterns, unit tables and reasons below, so
``0 kg``, ``HS 0012`` or ``TURKEY`` mean the same whatever format they arrived in
(``tests/intake/test_rules.py`` feeds the same values through both and requires the same
verdict).

Every value is first stripped of space (``WHITESPACE``: the characters polars and Python
both call space); an empty value is missing, not wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Final

import pycountry

from interdictor.model import MODES
from interdictor.reference import countries
from interdictor.reference.countries import WHITESPACE

SPACE: Final = f"[{WHITESPACE}]"

MODE_ALIASES: Final[Mapping[str, str]] = {
    **{m: m for m in MODES},
    "courier": "express", "exp": "express",
    "post": "postal", "mail": "postal", "epacket": "postal",
    "sea": "ocean", "vessel": "ocean",
    "road": "truck", "land": "truck",
    "cargo": "air", "air cargo": "air", "aircargo": "air",
}

# units (lower case) -> kg.  K/L are Cargo-IMP's, KGM/LBR/GRM UN/ECE rec. 20 (Cargo-XML).
WEIGHT_UNITS: Final[Mapping[str, float]] = {
    "": 1.0, "kg": 1.0, "kgs": 1.0, "k": 1.0, "kgm": 1.0,
    "g": 0.001, "gr": 0.001, "grm": 0.001,
    "lb": 0.45359237, "lbs": 0.45359237, "l": 0.45359237, "lbr": 0.45359237,
    "oz": 0.028349523125, "t": 1000.0, "mt": 1000.0,
}
# units written on an amount (lower case) -> the currency they imply (None: none); an ISO 4217
# code is a unit too
MONEY_UNITS: Final[Mapping[str, str | None]] = {
    "": None, "$": "USD", "usd": "USD", "us$": "USD", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP",
    "¥": "CNY", "rmb": "CNY", "cny": "CNY", "hk$": "HKD", "hkd": "HKD",
}

# A number as partners write it: '1,234.5', '12,5' (decimal comma), '.5', '1e3' (a spreadsheet's
# 1000).  ASCII digits only: Python would read other scripts' digits, polars would not.
NUMBER: Final = r"[-+]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
NUMBER_THEN_UNIT: Final = rf"(?s)^({NUMBER}){SPACE}*(.*)$"  # '12.5 kg'
UNIT_THEN_NUMBER: Final = rf"(?s)^([^0-9{WHITESPACE}.+-]{{1,4}}){SPACE}*({NUMBER})$"  # '$12', 'US$ 5'
THOUSANDS: Final = r",[0-9]{3}(?:[.,]|$)"  # '1,234' is a thousand and more; '12,5' is twelve and a half


@dataclass(frozen=True)
class NumberRule:
    """A number, maybe with a unit, within bounds."""

    what: str  # how a reason names the value
    low: float  # smallest value accepted
    high: float  # largest value accepted
    low_open: bool = False  # ``low`` itself is refused (a weight of 0)
    integral: bool = False
    units: str = ""  # "weight" (converted to kg), "money" (kept; currency implied), "" (no unit)


@dataclass(frozen=True)
class CodeRule:
    """A code: cleaned (separators removed, upper case), then matched or looked up."""

    what: str
    remove: str = ""  # regex of characters removed before matching ('.' in HS codes)
    join: str = ""  # regex of separators made one '-' (routing)
    pattern: str = ""  # the cleaned value must match this (full match)
    not_prefixes: tuple[str, ...] = ()  # cleaned values starting so are refused (HS chapter 00)
    table: str = ""  # "country", "currency", "mode": looked up instead of matched
    shape: str = ""  # the reason when the pattern does not match ({raw})


@dataclass(frozen=True)
class DateRule:
    what: str
    formats: tuple[str, ...] = field(default=())
    earliest: datetime = datetime(1, 1, 1, tzinfo=UTC)  # what Python, SQLite and PostgreSQL all hold
    latest: datetime = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    leap_second: str = r"[0-9]:[0-5][0-9]:60(?:[^0-9]|$)"  # 23:59:60: real, but no datetime type holds it


Rule = NumberRule | CodeRule | DateRule

MAX_WEIGHT_KG: Final = 1_000_000.0  # a thousand tonnes: an ocean consolidation; more is a typo or an attack
MAX_MONEY: Final = 1e10
MAX_PIECES: Final = 1_000_000
MAX_QUANTITY: Final = 1e9

POINT: Final = r"^[A-Z0-9]{3,5}$"
ROUTE: Final = r"^[A-Z0-9]{3,5}(?:-[A-Z0-9]{3,5}){0,19}$"  # at most 20 points

DATE_FORMATS: Final = (
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y%m%d",
    "%d%b%Y",
)

RULES: Final[Mapping[str, Rule]] = {
    "weight": NumberRule("weight", 0.0, MAX_WEIGHT_KG, low_open=True, units="weight"),
    "money": NumberRule("amount", 0.0, MAX_MONEY, units="money"),
    "count": NumberRule("piece count", 1, MAX_PIECES, integral=True),
    "quantity": NumberRule("quantity", 0.0, MAX_QUANTITY),
    "mode": CodeRule("mode", table="mode"),
    "country": CodeRule("country", table="country"),
    "currency": CodeRule("currency", table="currency"),
    "point": CodeRule("port", remove=SPACE, pattern=POINT,
                      shape="'{raw}' is not an IATA, UN/LOCODE or CBP port code"),
    "airport": CodeRule("airport", remove=SPACE, pattern=r"^[A-Z]{3}$",
                        shape="'{raw}' is not a 3-letter IATA airport code"),
    "routing": CodeRule("routing", join=rf"[{WHITESPACE}/,;>-]+", pattern=ROUTE,
                        shape="routing '{raw}' is not a dash-separated list of IATA or UN/LOCODE points"),
    "hs": CodeRule("HS code", remove=rf"[{WHITESPACE}.-]", pattern=r"^[0-9]{4,10}$", not_prefixes=("00", "77")),
    "cas": CodeRule("CAS number", remove=SPACE, pattern=r"^[0-9]{2,7}-[0-9]{2}-[0-9]$",
                    shape="'{raw}' is not shaped like a CAS number (NNNNNNN-NN-N)"),
    "datetime": DateRule("date", DATE_FORMATS),
}

# the reasons, one wording whatever the format ({raw}: the value as sent, cut to 40 characters)
SAY: Final[Mapping[str, str]] = {
    "number": "{what} '{raw}' is not a number",
    "weight_unit": "unknown weight unit '{unit}' in '{raw}'; use kg (or lb, g)",
    "money_unit": "unknown currency or unit '{unit}' in '{raw}'",
    "plain": "{what} '{raw}' is not a plain number",
    "negative": "negative {what} '{raw}'",
    "not_positive": "{what} '{raw}' is not positive",
    "whole": "{what} '{raw}' is not a whole number",
    "below": "{what} '{raw}' is below {low}",
    "beyond": "{what} '{raw}' is beyond {high}",
    "mode": "unknown mode '{raw}'; expected one of " + ", ".join(MODES),
    "country": "'{raw}' is not an ISO 3166 country code or name",
    "currency": "'{raw}' is not an ISO 4217 currency code",
    "hs_digits": "HS code '{raw}' must be digits only",
    "hs_length": "HS code '{raw}' has {n} digits; expected 4 to 10",
    "hs_chapter": "HS code '{raw}': chapter {chapter} does not exist",
    "date": "cannot read date '{raw}'; use ISO 8601 (2026-11-27T14:05:00Z)",
    "date_range": "date '{raw}' is out of range (years 1 to 9999 UTC)",
    "leap_second": "date '{raw}' has a leap second (:60), which no database holds; use :59",
}
SHOW_CHARS: Final = 40  # of a value quoted back in a reason


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 alphabetic codes."""
    return frozenset(str(c.alpha_3) for c in pycountry.currencies)


@cache
def code_table(name: str) -> Mapping[str, str]:
    """A code rule's table: folded value (``countries.fold``: upper case, single spaces) -> code."""
    if name == "country":
        return countries.table()
    if name == "currency":
        return {c: c for c in currency_codes()}
    if name == "mode":
        return {countries.fold(k): v for k, v in MODE_ALIASES.items()}
    raise ValueError(f"no code table {name!r}")


def bound_text(v: float) -> str:
    """A bound as a reason writes it: '1,000,000'."""
    return f"{v:,.0f}" if v == int(v) else f"{v:,}"


# column -> kind, for the manifest columns; the level says which rows must agree (shipment)
# or may differ (item)
SHIPMENT_FIELDS: Final = {
    "mode": "mode",
    "filer": "text",
    "mawb": "id",
    "hawb": "id",
    "postal_item_id": "id",
    "filed_at": "datetime",
    "carrier": "text",
    "origin_country": "country",
    "origin_port": "point",
    "destination_port": "point",
    "routing": "routing",
    "shipper_name": "text",
    "shipper_address": "text",
    "shipper_city": "text",
    "shipper_postal_code": "text",
    "shipper_country": "country",
    "shipper_phone": "text",
    "shipper_email": "text",
    "consignee_name": "text",
    "consignee_address": "text",
    "consignee_city": "text",
    "consignee_state": "text",
    "consignee_postal_code": "text",
    "consignee_country": "country",
    "consignee_phone": "text",
    "consignee_email": "text",
    "pieces": "count",
    "gross_weight_kg": "weight",
    "declared_value": "money",
    "currency": "currency",
}
ITEM_FIELDS: Final = {
    "item_description": "text",
    "hs_code": "hs",
    "item_quantity": "quantity",
    "item_weight_kg": "weight",
    "item_value": "money",
    "cas_number": "cas",
}
