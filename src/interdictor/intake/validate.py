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
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

import pycountry

from interdictor.intake.limits import MAX_PIECES, MAX_VALUE, MAX_WEIGHT_KG

Checked = tuple[str | None, str | None]

_AWB = re.compile(r"^(\d{3})[-\s]?(\d{4})\s?(\d{4})$")
_S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
_S10_WEIGHTS: Final = (8, 6, 4, 2, 3, 5, 9, 7)
_HS_SEPARATORS = re.compile(r"[\s.\-]")
_NUMBER = re.compile(r"^[-+]?(?:\d{1,15}(?:[.,]\d{0,6})?|[.,]\d{1,6})$")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d{0,6})?$")
_AIRPORT = re.compile(r"^[A-Z]{3}$")

# weight unit codes seen in Cargo-IMP (K, L), Cargo-XML (UN/ECE rec. 20: KGM, LBR) and CSVs
WEIGHT_UNITS: Final = {
    "K": 1.0, "KG": 1.0, "KGS": 1.0, "KGM": 1.0,
    "L": 0.45359237, "LB": 0.45359237, "LBS": 0.45359237, "LBR": 0.45359237,
    "G": 0.001, "GRM": 0.001,
}


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
    if m.group(4) not in _countries():
        problems.append(f"'{m.group(4)}' is not an ISO 3166 country code")
    if problems:
        return value, f"postal item {value}: " + "; ".join(problems)
    return value, None


def hs_code(text: str | None) -> Checked:
    """Digits only, 4 to 10 of them, a real chapter (01-99 but not 77)."""
    if text is None or not text.strip():
        return None, None
    digits = _HS_SEPARATORS.sub("", text.strip())
    if not digits.isascii() or not digits.isdigit():
        return None, f"HS code '{_show(text)}' must be digits only"
    if not 4 <= len(digits) <= 10:
        return None, f"HS code '{_show(text)}' has {len(digits)} digits; expected 4 to 10"
    if digits[:2] in ("00", "77"):
        return None, f"HS code '{_show(text)}': chapter {digits[:2]} does not exist"
    return digits, None


@cache
def _countries() -> dict[str, str]:
    """Alpha-2, alpha-3 and English names (upper case) -> alpha-2."""
    out: dict[str, str] = {}
    for c in pycountry.countries:
        out[c.alpha_2] = c.alpha_2
        out[c.alpha_3] = c.alpha_2
        for attr in ("name", "common_name", "official_name"):
            v = getattr(c, attr, None)
            if v:
                out[v.upper()] = c.alpha_2
    # names partners write that ISO spells otherwise
    out.update({"UK": "GB", "USA": "US", "UNITED STATES OF AMERICA": "US", "CHINA": "CN",
                "HONG KONG": "HK", "SOUTH KOREA": "KR", "KOREA": "KR", "TAIWAN": "TW",
                "VIETNAM": "VN", "RUSSIA": "RU", "IRAN": "IR", "TURKEY": "TR"})
    return out


def country(text: str | None) -> Checked:
    """ISO 3166-1 alpha-2 from an alpha-2, alpha-3 or English name."""
    if text is None or not text.strip():
        return None, None
    value = _countries().get(" ".join(text.split()).upper())
    if value is None:
        return None, f"'{_show(text)}' is not an ISO 3166 country code"
    return value, None


@cache
def _currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def currency(text: str | None) -> Checked:
    if text is None or not text.strip():
        return None, None
    value = text.strip().upper()
    if value not in _currencies():
        return None, f"'{_show(text)}' is not an ISO 4217 currency code"
    return value, None


def airport(text: str | None) -> Checked:
    """A 3-letter IATA location code (shape only; airport tables are the screeners' business)."""
    if text is None or not text.strip():
        return None, None
    value = text.strip().upper()
    if not _AIRPORT.match(value):
        return None, f"'{_show(text)}' is not a 3-letter IATA airport code"
    return value, None


def number(text: str | None, what: str, limit: float = MAX_VALUE) -> tuple[float | None, str | None]:
    """A non-negative decimal: '1234.5', '1,234.50', '12,5' (decimal comma)."""
    if text is None or not text.strip():
        return None, None
    s = text.strip()
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    elif not _NUMBER.match(s):
        return None, f"{what} '{_show(text)}' is not a number"
    v = float(s.replace(",", "."))
    if v < 0:
        return None, f"{what} {_show(text)} is negative"
    if v > limit:
        return None, f"{what} {_show(text)} is beyond {limit:,.0f}"
    return v, None


def weight_kg(amount: str | float | None, unit: str | None) -> tuple[float | None, str | None]:
    """Weight in kg from an amount and a unit code (K/L in Cargo-IMP, KGM/LBR in Cargo-XML)."""
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        return None, None
    u = (unit or "K").strip().upper()
    factor = WEIGHT_UNITS.get(u)
    if factor is None:
        return None, f"weight unit '{_show(unit or '')}' is unknown; use K (kg) or L (lb)"
    if isinstance(amount, str):
        v, problem = number(amount, "weight")
        if v is None:
            return None, problem
    else:
        v = float(amount)
    kg = v * factor
    if not kg > 0:
        return None, f"weight {_show(str(amount))} {u} is not positive"
    if kg > MAX_WEIGHT_KG:
        return None, f"weight {_show(str(amount))} {u} is beyond {MAX_WEIGHT_KG:,.0f} kg"
    return round(kg, 3), None


def pieces(text: str | int | None) -> tuple[int | None, str | None]:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None, None
    s = str(text).strip()
    if not s.isascii() or not s.isdigit() or len(s) > 9:
        return None, f"piece count '{_show(s)}' is not a whole number"
    n = int(s)
    if not 0 < n <= MAX_PIECES:
        return None, f"piece count {n} is out of range (1 to {MAX_PIECES:,})"
    return n, None


def _show(text: str, limit: int = 40) -> str:
    """A value quoted back in an error message, cut so a reject cannot carry a megabyte."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


__all__ = [
    "WEIGHT_UNITS", "Checked", "airport", "awb", "awb_check_digit", "country", "currency",
    "hs_code", "number", "pieces", "s10", "s10_check_digit", "weight_kg",
]
