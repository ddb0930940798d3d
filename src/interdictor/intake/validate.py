"""Field checks shared by the message readers: identifiers, codes, numbers and units.

Each check takes the text a partner sent and returns ``(value, problem)``: the clean
value (or None) and, when something is wrong, a sentence a partner can act on.  The
caller turns a problem into a ``Reject`` naming the line or element and the field.

Two severities, on purpose:

* a code or number that cannot be read (``HS 12AB``, country ``XX``, ``K-5``) comes
  back as ``(None, problem)`` — the field is emptied and the record goes on;
* an identifier whose *shape* is right but whose check digit is wrong comes back as
  ``(value, problem)`` — the record keeps its identifier and is still screened, and
  the problem makes the filer get a request for information.  Dropping the record
  would leave a parcel unscreened because of a typo.

Numbers, codes, countries and dates follow ``rules`` — the table the columnar CSV path
(``fields.check``) applies too — value by value here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Final

import polars as pl

from interdictor.intake import rules
from interdictor.intake.rules import MONEY_UNITS, WEIGHT_UNITS
from interdictor.reference import countries
from interdictor.reference.countries import WHITESPACE

Checked = tuple[str | None, str | None]
Number = tuple[float | None, str | None]

_AWB = re.compile(r"^(\d{3})[-\s]?(\d{4})\s?(\d{4})$")
_S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
_S10_WEIGHTS: Final = (8, 6, 4, 2, 3, 5, 9, 7)
_NUMBER_THEN_UNIT = re.compile(rules.NUMBER_THEN_UNIT)
_UNIT_THEN_NUMBER = re.compile(rules.UNIT_THEN_NUMBER)
_THOUSANDS = re.compile(rules.THOUSANDS)
_RUN = re.compile(rules.SPACE + "+")


def awb_check_digit(serial7: str) -> int:
    """IATA air waybill check digit: the first seven serial digits modulo 7."""
    return int(serial7) % 7


def awb(text: str | None) -> Checked:
    """``020-12345675`` from '020-12345675', '02012345675' or '020 1234 5675'."""
    if text is None or not text.strip():
        return None, "air waybill number is missing"
    m = _AWB.match(text.strip())
    if m is None:
        return None, f"'{_show(text)}' is not an air waybill number (3-digit airline prefix + 8 digits)"
    prefix, serial = m.group(1), m.group(2) + m.group(3)
    value = f"{prefix}-{serial}"
    expected = awb_check_digit(serial[:7])
    if int(serial[7]) != expected:
        return value, (f"air waybill {value}: check digit {serial[7]} is wrong "
                       f"(serial {serial[:7]} mod 7 = {expected})")
    return value, None


def s10_check_digit(digits8: str) -> int:
    """UPU S10 check digit: weights 8-6-4-2-3-5-9-7, 11 - (sum mod 11); 10 -> 0, 11 -> 5."""
    c = 11 - sum(int(d) * w for d, w in zip(digits8, _S10_WEIGHTS, strict=True)) % 11
    return 0 if c == 10 else 5 if c == 11 else c


def s10(text: str | None) -> Checked:
    """A UPU S10 postal item identifier (``CP123456785CN``), upper-cased, spaces removed."""
    if text is None or not text.strip():
        return None, "postal item identifier is missing"
    value = re.sub(r"\s", "", text).upper()
    m = _S10.match(value)
    if m is None:
        return None, (f"'{_show(text)}' is not a UPU S10 item identifier "
                      "(2 letters, 8 digits, check digit, 2-letter country)")
    expected = s10_check_digit(m.group(2))
    problems = []
    if int(m.group(3)) != expected:
        problems.append(f"check digit {m.group(3)} is wrong (expected {expected})")
    if m.group(4) not in countries.codes():
        problems.append(f"'{m.group(4)}' is not an ISO 3166 country code")
    if problems:
        return value, f"postal item {value}: " + "; ".join(problems)
    return value, None


def _blank(text: str | None) -> bool:
    return text is None or not text.strip(WHITESPACE)


def _say(key: str, raw: str, **values: object) -> str:
    return rules.SAY[key].format(raw=show(raw), **values)


def code(kind: str, text: str | None) -> Checked:
    """A code by its rule (``rules.RULES[kind]``, a ``CodeRule``): the clean code, or a problem."""
    rule = rules.RULES[kind]
    assert isinstance(rule, rules.CodeRule)
    if text is None or _blank(text):
        return None, None
    if rule.table:
        value = rules.code_table(rule.table).get(countries.fold(text))
        return (value, None) if value is not None else (None, _say(rule.table, text))
    up = text.strip(WHITESPACE).upper()
    if rule.remove:
        up = re.sub(rule.remove, "", up)
    if rule.join:
        up = re.sub(rule.join, "-", up).strip("-")
    fits = re.search(rule.pattern, up) is not None
    if fits and not any(up.startswith(p) for p in rule.not_prefixes):
        return up, None
    if rule.shape:
        return None, rule.shape.format(raw=show(text))
    if re.search("^[0-9]+$", up) is None:
        return None, _say("hs_digits", text)
    if not fits:
        return None, _say("hs_length", text, n=len(up))
    return None, _say("hs_chapter", text, chapter=up[:2])


def hs_code(text: str | None) -> Checked:
    """Digits only, 4 to 10 of them, a real chapter (not 00 nor 77)."""
    return code("hs", text)


def country(text: str | None) -> Checked:
    """ISO 3166-1 alpha-2 from an alpha-2, alpha-3, English name or a name partners write."""
    return code("country", text)


def currency(text: str | None) -> Checked:
    return code("currency", text)


def mode(text: str | None) -> Checked:
    """``air``, ``express``, ``postal``, ``ocean`` or ``truck`` from what partners write (``courier``)."""
    return code("mode", text)


def airport(text: str | None) -> Checked:
    """A 3-letter IATA location code (shape only; airport tables are the screeners' business)."""
    return code("airport", text)


def point(text: str | None) -> Checked:
    """An IATA (3), UN/LOCODE (5) or CBP port (4 digits) code."""
    return code("point", text)


def routing(text: str | None) -> Checked:
    """Points joined by '-' from 'PVG-ANC-LAX', 'pvg / anc / lax', 'PVG>LAX' (at most 20)."""
    return code("routing", text)


def cas_number(text: str | None) -> Checked:
    return code("cas", text)


def number_parts(text: str) -> tuple[float | None, str]:
    """(number, unit) from text like '1,234.5 kg', '$12', '12,5' (``fields.number_parts``)."""
    s = text.strip(WHITESPACE)
    m = _NUMBER_THEN_UNIT.search(s)
    if m is not None:
        num, unit = m.group(1), m.group(2).strip(WHITESPACE)
    elif (m := _UNIT_THEN_NUMBER.search(s)) is not None:
        unit, num = m.group(1), m.group(2)
    else:
        return None, ""
    num = num.replace(",", "") if _THOUSANDS.search(num) else num.replace(",", ".", 1)
    try:
        return float(num), unit.lower()
    except ValueError:
        return None, unit.lower()


def _bounds(rule: rules.NumberRule, raw: str, num: float, value: float) -> str | None:
    """The problem of a read number under ``rule`` (None: accepted)."""
    static = {"what": rule.what, "low": rules.bound_text(rule.low), "high": rules.bound_text(rule.high)}
    if math.isnan(value):
        return _say("number", raw, **static)
    if num < 0:
        return _say("negative", raw, **static)
    if rule.integral and math.isfinite(value) and round(value) != value:
        return _say("whole", raw, **static)
    if value < rule.low or (rule.low_open and value == rule.low):
        return _say("not_positive" if rule.low == 0 else "below", raw, **static)
    if value > rule.high:
        return _say("beyond", raw, **static)
    return None


def value(kind: str, text: str | float | None) -> Number:
    """A number by its rule (``rules.RULES[kind]``, a ``NumberRule``): in kg for a weight."""
    rule = rules.RULES[kind]
    assert isinstance(rule, rules.NumberRule)
    if text is None or (isinstance(text, str) and _blank(text)):
        return None, None
    if not isinstance(text, str):  # a JSON number
        v = float(text)
        problem = _bounds(rule, str(text), v, v)
        return (None, problem) if problem else (v, None)
    static = {"what": rule.what, "low": rules.bound_text(rule.low), "high": rules.bound_text(rule.high)}
    num, unit = number_parts(text)
    if num is None:
        return None, _say("number", text, **static)
    factor = 1.0
    if rule.units == "weight":
        if unit not in WEIGHT_UNITS:
            return None, _say("weight_unit", text, unit=unit, **static)
        factor = WEIGHT_UNITS[unit]
    elif rule.units == "money":
        if unit not in MONEY_UNITS and unit.upper() not in rules.currency_codes():
            return None, _say("money_unit", text, unit=unit, **static)
    elif unit:
        return None, _say("whole" if rule.integral else "plain", text, **static)
    v = num * factor
    problem = _bounds(rule, text, num, v)
    return (None, problem) if problem else (v, None)


def number(text: str | None, what: str = "", kind: str = "money") -> Number:
    """An amount ('1,234.50', '12,5', '$40'); ``what`` is kept for callers that name the field."""
    return value(kind, text)


def weight_kg(amount: str | float | None, unit: str | None) -> Number:
    """Weight in kg from an amount and a unit code (K/L in Cargo-IMP, KGM/LBR in Cargo-XML); a unit
    written on the amount itself ('12 lb') wins."""
    if amount is None or (isinstance(amount, str) and _blank(amount)):
        return None, None
    u = (unit or "").strip(WHITESPACE).lower()
    if isinstance(amount, str):
        _num, own = number_parts(amount)
        if own or not u:
            return value("weight", amount)
        return value("weight", f"{amount.strip(WHITESPACE)} {u}")
    if u not in WEIGHT_UNITS:
        return value("weight", f"{amount} {u}")
    return value("weight", float(amount) * WEIGHT_UNITS[u])


def pieces(text: str | int | None) -> tuple[int | None, str | None]:
    v, problem = value("count", text if text is None or isinstance(text, str) else str(text))
    return (None, problem) if v is None else (int(v), None)


def timestamps(texts: Sequence[str | None]) -> list[tuple[datetime | None, str | None]]:
    """Dates and times (UTC) by the date rule, for many values at once: the rule is a polars parse
    (the same ``fields.check`` runs on a CSV column), costly per call and cheap per value."""
    from interdictor.intake.fields import check  # the columnar check: one parse for both paths

    if not texts:
        return []
    col = pl.Series("v", [None if t is None or _blank(t) else t.strip(WHITESPACE) for t in texts], pl.String)
    checked = check("v", "datetime", 1 << 30)
    out = col.to_frame().select(checked.value.alias("value"), checked.problem.alias("problem"))
    return list(zip(out["value"].to_list(), out["problem"].to_list(), strict=True))


def timestamp(text: str | None) -> tuple[datetime | None, str | None]:
    """One date and time by the date rule (``timestamps``; for many values, call that)."""
    return timestamps([text])[0]


def show(text: str, limit: int = rules.SHOW_CHARS) -> str:
    """A value quoted back in an error message, cut so a reject cannot carry a megabyte."""
    flat = _RUN.sub(" ", str(text).strip(WHITESPACE))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_show = show


__all__ = [
    "WEIGHT_UNITS", "Checked", "airport", "awb", "awb_check_digit", "cas_number", "code", "country", "currency",
    "hs_code", "mode", "number", "number_parts", "pieces", "point", "routing", "s10", "s10_check_digit", "show",
    "timestamp", "timestamps", "value", "weight_kg",
]
