"""One verdict per value whatever the path: the columnar check (CSV, JSON Lines) and the
per-message checks (Cargo-IMP, Cargo-XML, postal, JSON) apply the same field rules.

Each case feeds the same values through ``fields.validate_rows`` (the reader path of a
manifest CSV, fast parse and full check) and through ``validate`` (the message path), and
requires the same value after normalisation, or a reject of that field with the same reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interdictor.intake import rules, validate
from interdictor.intake.fields import validate_rows
from interdictor.reference import countries

# kind -> (a manifest column of that kind, the message path's check of one value)
PATHS: dict[str, tuple[str, Callable[[str], tuple[Any, str | None]]]] = {
    "weight": ("gross_weight_kg", lambda t: validate.value("weight", t)),
    "money": ("declared_value", lambda t: validate.value("money", t)),
    "count": ("pieces", lambda t: validate.value("count", t)),
    "quantity": ("item_quantity", lambda t: validate.value("quantity", t)),
    "country": ("shipper_country", validate.country),
    "currency": ("currency", validate.currency),
    "mode": ("mode", validate.mode),
    "hs": ("hs_code", validate.hs_code),
    "cas": ("cas_number", validate.cas_number),
    "point": ("origin_port", validate.point),
    "routing": ("routing", validate.routing),
    "datetime": ("filed_at", validate.timestamp),
}


def columnar(kind: str, values: list[str]) -> list[tuple[Any, str | None]]:
    """(value, reason) of each value as the CSV reader's check sees it in ``kind``'s column."""
    col = PATHS[kind][0]
    rows = pl.DataFrame({"line": list(range(2, len(values) + 2)),
                         "shipment_id": [f"S{i}" for i in range(len(values))],
                         "item_description": ["x"] * len(values), col: values},
                        schema_overrides={"line": pl.Int64})
    clean, rejects = validate_rows(rows, "t.csv", 4_096)
    assert all(r.field == col for r in rejects), rejects
    reason = {r.line: r.reason for r in rejects}
    got = clean.sort("line").select("line", col).rows()
    return [(v, reason.get(line)) for line, v in got]


def message(kind: str, values: list[str]) -> list[tuple[Any, str | None]]:
    check = PATHS[kind][1]
    return [check(v) for v in values]


def same(kind: str, values: list[str]) -> None:
    for text, a, b in zip(values, columnar(kind, values), message(kind, values), strict=True):
        if isinstance(a[0], float) and isinstance(b[0], float):
            assert a[0] == pytest.approx(b[0], rel=1e-12), (kind, text)
            assert a[1] == b[1], (kind, text)
        else:
            assert a == b, (kind, text)


# the cases an analyst would write first: each kind's accepted and refused values, one verdict
TABLE: list[tuple[str, str, Any]] = [
    ("weight", "12.5", 12.5), ("weight", "1,250.5 kg", 1250.5), ("weight", "12,5", 12.5),
    ("weight", "22 lb", 9.97903214), ("weight", "500 g", 0.5), ("weight", "0", None), ("weight", "-4", None),
    ("weight", "1000001", None), ("weight", "5 stone", None), ("weight", "heavy", None), ("weight", "1e999", None),
    ("money", "$40", 40.0), ("money", "40 USD", 40.0), ("money", "0", 0.0), ("money", "40 zorkmids", None),
    ("money", "-1", None), ("money", "1e11", None),
    ("count", "3", 3), ("count", "1,000", 1000), ("count", "0", None), ("count", "1.5", None),
    ("count", "2000000", None), ("count", "3 boxes", None),
    ("quantity", "0", 0.0), ("quantity", "2.5", 2.5), ("quantity", "-1", None),
    ("country", "TURKEY", "TR"), ("country", "Türkiye", "TR"), ("country", "turkiye", "TR"),
    ("country", "KOREA", "KR"), ("country", "Hong  Kong", "HK"), ("country", "UK", "GB"), ("country", "USA", "US"),
    ("country", "PRC", "CN"), ("country", "VIET NAM", "VN"), ("country", "chn", "CN"), ("country", "XX", None),
    ("currency", "usd", "USD"), ("currency", "US$", None),
    ("mode", "Courier", "express"), ("mode", "air  cargo", "air"), ("mode", "balloon", None),
    ("hs", "2933.39.9100", "2933399100"), ("hs", "8479 89", "847989"), ("hs", "001234", None),
    ("hs", "771234", None), ("hs", "12AB", None), ("hs", "847", None),
    ("cas", "50-00-0", "50-00-0"), ("cas", "5000-0", None),
    ("point", "lax", "LAX"), ("point", "US LAX", "USLAX"), ("point", "PVG-LAX", None),
    ("routing", "pvg / anc > lax", "PVG-ANC-LAX"), ("routing", "PVG--LAX", "PVG-LAX"), ("routing", "PVG-!!", None),
    ("routing", "-".join(["LAX"] * 21), None),
    ("datetime", "2026-11-27T14:05:00Z", datetime(2026, 11, 27, 14, 5, tzinfo=UTC)),
    ("datetime", "2026-11-27", datetime(2026, 11, 27, tzinfo=UTC)),
    ("datetime", "+99999-01-01T00:00:00Z", None), ("datetime", "9999-12-31T23:59:60Z", None),
    ("datetime", "2016-12-31T23:59:60Z", None), ("datetime", "0000-01-01T00:00:00Z", None),
    ("datetime", "9999-12-31T23:00:00-05:00", None), ("datetime", "27 Nov 2026", None),
]


@pytest.mark.parametrize(("kind", "text", "want"), TABLE, ids=[f"{k}:{t[:24]}" for k, t, _ in TABLE])
def test_one_verdict_per_value(kind: str, text: str, want: Any) -> None:
    (col_value, col_reason), (msg_value, msg_reason) = columnar(kind, [text])[0], message(kind, [text])[0]
    for value, reason in ((col_value, col_reason), (msg_value, msg_reason)):
        if want is None:
            assert value is None and reason, (kind, text)
        else:
            assert reason is None, (kind, text, reason)
            assert value == (pytest.approx(want) if isinstance(want, float) else want)
    assert col_reason == msg_reason


def test_the_rules_table_knows_every_checked_kind() -> None:
    kinds = set(rules.SHIPMENT_FIELDS.values()) | set(rules.ITEM_FIELDS.values())
    assert kinds - {"text", "id"} <= set(rules.RULES)
    assert set(PATHS) == kinds - {"text", "id"}


# values the property test draws: shapes partners send, and near misses
_SPACE = st.sampled_from(["", " ", "  ", "\t", "\u00a0"])
_NUMBERS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12).map(repr),
    st.integers(-10, 10**12).map(str),
    st.from_regex(r"\A[-+]?[0-9]{1,7}(,[0-9]{3})?([.,][0-9]{0,4})?([eE][-+]?[0-9]{1,3})?\Z", fullmatch=True),
    st.text(alphabet="0123456789.,-+eE $€£¥kglbKGLBoztTusdUSD", max_size=12),
)
_UNITS = st.sampled_from(["", "kg", " kg", " KGS", " lb", "lbs", " g", " oz", " t", " stone", "$", " usd", " EUR",
                          " zz", " boxes"])
_NUMBER_TEXT = st.one_of(_NUMBERS, st.tuples(_NUMBERS, _UNITS).map("".join),
                         st.tuples(st.sampled_from(["$", "US$", "€", "£", "HK$"]), _SPACE, _NUMBERS).map("".join))
_NAMES = sorted(countries.table())
_COUNTRY = st.one_of(
    st.sampled_from(_NAMES).flatmap(lambda n: st.sampled_from([n, n.lower(), n.title(), f" {n}  "])),
    st.sampled_from(["Türkiye", "TÜRKIYE", "Côte d'Ivoire", "hong   kong", "p.r. china"]),
    st.text(max_size=8),
)
_CURRENCY = st.one_of(st.sampled_from(sorted(rules.currency_codes())).map(str.lower), st.text(max_size=4))
_MODE = st.one_of(st.sampled_from(sorted(rules.MODE_ALIASES)).map(str.upper), st.text(max_size=8))
_HS = st.text(alphabet="0123456789. -A", max_size=14)
_CAS = st.one_of(st.from_regex(r"\A[0-9]{1,8}-[0-9]{1,3}-[0-9]{1,2}\Z", fullmatch=True),
                 st.text(alphabet="0123456789- ", max_size=14))
_POINT = st.text(alphabet="ABCLXZ0129 -", max_size=8)
_ROUTING = st.text(alphabet="ABCLXP019 -/,;>", max_size=30)
_DATE = st.tuples(
    st.sampled_from(["0000", "0001", "1999", "2026", "9999", "+99999", "-0001", "10000"]),
    st.integers(0, 13), st.integers(0, 32), st.sampled_from(["", "T", " "]), st.integers(0, 24), st.integers(0, 60),
    st.integers(0, 61), st.sampled_from(["", "Z", "+00:00", "-05:00", "+14:00", ".5Z", "+0800"]),
).map(lambda p: f"{p[0]}-{p[1]:02d}-{p[2]:02d}" + (f"{p[3]}{p[4]:02d}:{p[5]:02d}:{p[6]:02d}{p[7]}" if p[3] else ""))

STRATEGIES: dict[str, st.SearchStrategy[str]] = {
    "weight": _NUMBER_TEXT, "money": _NUMBER_TEXT, "count": _NUMBER_TEXT, "quantity": _NUMBER_TEXT,
    "country": _COUNTRY, "currency": _CURRENCY, "mode": _MODE, "hs": _HS, "cas": _CAS, "point": _POINT,
    "routing": _ROUTING, "datetime": st.one_of(_DATE, st.text(alphabet="0123456789-:TZ+ .", max_size=25)),
}


@pytest.mark.parametrize("kind", sorted(STRATEGIES))
def test_both_paths_give_the_same_verdict(kind: str) -> None:
    @settings(max_examples=30, deadline=None)
    @given(st.lists(STRATEGIES[kind], min_size=1, max_size=20))
    def check(values: list[str]) -> None:
        same(kind, values)

    check()
