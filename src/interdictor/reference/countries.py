"""Countries as partners and lists write them -> ISO 3166-1 alpha-2: the one country table.

ISO (via pycountry) gives alpha-2, alpha-3 and the English names; partners also write
``TURKEY``, ``KOREA``, ``UK``, ``PRC``, ``VIET NAM``, names without their accents
(``COTE D'IVOIRE``) and the older names of renamed states.  Every reader, detector and
list loader reads countries here, so ``Türkiye`` means the same in a CSV, a Cargo-IMP
message, an OFAC address and a watchlist entry.

A value is looked up after ``fold``: outer space removed, runs of space made one, upper
case.  ``column`` does the same to a polars column, with the same characters counted as
space, so the vectorised readers and the per-message readers agree on every value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Final

import polars as pl
import pycountry

# Unicode White_Space: what Rust (polars) and Python both call space.  Python's str.split()
# and str.strip() also count \x1c-\x1f; naming the set keeps both sides equal.
WHITESPACE: Final = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008" \
                    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_RUN: Final = f"[{WHITESPACE}]+"
_RUN_RE: Final = re.compile(_RUN)

# names partners write that ISO spells otherwise (folded: upper case, single spaces)
ALIASES: Final[Mapping[str, str]] = {
    "UK": "GB", "U.K.": "GB", "GREAT BRITAIN": "GB", "BRITAIN": "GB", "ENGLAND": "GB", "SCOTLAND": "GB",
    "WALES": "GB", "NORTHERN IRELAND": "GB",
    "USA": "US", "U.S.A.": "US", "U.S.": "US", "UNITED STATES OF AMERICA": "US", "AMERICA": "US",
    "CHINA": "CN", "PRC": "CN", "P.R.C.": "CN", "P.R. CHINA": "CN", "PR CHINA": "CN", "MAINLAND CHINA": "CN",
    "PEOPLE'S REPUBLIC OF CHINA": "CN", "PEOPLES REPUBLIC OF CHINA": "CN", "CHINA, PEOPLE'S REPUBLIC OF": "CN",
    "HONG KONG": "HK", "HONGKONG": "HK", "HONG KONG SAR": "HK", "HONG KONG, CHINA": "HK",
    "MACAU": "MO", "MACAO": "MO", "MACAU SAR": "MO",
    "TAIWAN": "TW", "TAIWAN, CHINA": "TW", "REPUBLIC OF CHINA": "TW", "CHINESE TAIPEI": "TW",
    "KOREA": "KR", "SOUTH KOREA": "KR", "KOREA, SOUTH": "KR", "REPUBLIC OF KOREA": "KR", "KOREA REPUBLIC": "KR",
    "NORTH KOREA": "KP", "KOREA, NORTH": "KP", "DPRK": "KP", "D.P.R.K.": "KP",
    "VIETNAM": "VN", "VIET NAM": "VN",
    "TURKEY": "TR", "TURKIYE": "TR", "REPUBLIC OF TURKEY": "TR",
    "RUSSIA": "RU", "RUSSIAN FEDERATION": "RU",
    "IRAN": "IR", "LAOS": "LA", "SYRIA": "SY", "MOLDOVA": "MD", "BOLIVIA": "BO", "VENEZUELA": "VE",
    "TANZANIA": "TZ", "CZECH REPUBLIC": "CZ", "HOLLAND": "NL", "THE NETHERLANDS": "NL", "UAE": "AE",
    "U.A.E.": "AE", "IVORY COAST": "CI", "BURMA": "MM", "SWAZILAND": "SZ", "MACEDONIA": "MK",
    "CAPE VERDE": "CV", "PALESTINE": "PS", "VATICAN": "VA", "BRUNEI": "BN", "MICRONESIA": "FM",
    "CONGO, DEMOCRATIC REPUBLIC": "CD", "DR CONGO": "CD", "DRC": "CD", "CONGO-KINSHASA": "CD",
    "CONGO-BRAZZAVILLE": "CG", "EAST TIMOR": "TL", "SAINT MARTIN": "MF", "ST. LUCIA": "LC",
    "SAINT KITTS AND NEVIS": "KN", "ST. KITTS AND NEVIS": "KN", "ST. VINCENT AND THE GRENADINES": "VC",
}


def fold(text: str) -> str:
    """The lookup key of a value: outer space removed, inner runs made one space, upper case."""
    return _RUN_RE.sub(" ", text.strip(WHITESPACE)).upper()


def fold_column(col: pl.Expr) -> pl.Expr:
    """``fold`` for a column of text."""
    return col.str.strip_chars(WHITESPACE).str.replace_all(_RUN, " ").str.to_uppercase()


def _plain(text: str) -> str:
    """Accents removed: ``TÜRKIYE`` -> ``TURKIYE``, ``CÔTE D'IVOIRE`` -> ``COTE D'IVOIRE``."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


@cache
def table() -> dict[str, str]:
    """Folded alpha-2, alpha-3, English names (with and without accents) and aliases -> alpha-2."""
    out: dict[str, str] = {}
    for c in pycountry.countries:
        a2 = str(c.alpha_2)
        names = [a2, str(c.alpha_3)]
        names += [str(v) for attr in ("name", "common_name", "official_name") if (v := getattr(c, attr, None))]
        for n in names:
            key = fold(n)
            out.setdefault(key, a2)
            out.setdefault(fold(_plain(key)), a2)
    for name, a2 in ALIASES.items():
        out[fold(name)] = a2
    return out


def code(text: str | None) -> str | None:
    """ISO alpha-2 of a country code or name, or None when it is not one."""
    if text is None:
        return None
    return table().get(fold(text))


def column(col: pl.Expr, known: Mapping[str, str] | None = None) -> pl.Expr:
    """``code`` for a column: alpha-2, or null.  ``known``: a part of ``table()`` (the part
    the column's values can hit), when the caller has narrowed it; a lookup hashes its table."""
    return fold_column(col).replace_strict(dict(known if known is not None else table()), default=None,
                                           return_dtype=pl.String)


@cache
def codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code."""
    return frozenset(str(c.alpha_2) for c in pycountry.countries)


@cache
def english_names() -> tuple[str, ...]:
    """ISO English names and common names, as ISO writes them ("Hong Kong", "Korea, Republic of")."""
    return tuple(str(v) for c in pycountry.countries for attr in ("name", "common_name")
                 if (v := getattr(c, attr, None)))


def guess(text: str | None) -> str | None:
    """``code``, then pycountry's fuzzy search (a name inside a longer text, a subdivision such as
    "Guangdong"): for lists, whose country fields are free text; intake uses ``code``."""
    if not text or not text.strip():
        return None
    found = code(text)
    if found is not None:
        return found
    try:
        return str(pycountry.countries.search_fuzzy(text.strip())[0].alpha_2)
    except LookupError:
        return None


__all__ = ["ALIASES", "WHITESPACE", "code", "codes", "column", "english_names", "fold", "fold_column", "guess",
           "table"]
