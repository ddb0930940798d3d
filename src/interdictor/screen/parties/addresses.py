"""Addresses: one comparable key per address, and the marks an address carries.

The bulk path is polars expressions over whole columns (upper case, standard
abbreviations, punctuation out): an address key for every party in a batch
costs a few column passes.  US addresses are parsed with ``usaddress`` (a
trained tagger) where a person reads the result — in evidence and on the
command line — because at ~0.1 ms an address it is too slow for every row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import polars as pl
import yaml
from anyascii import anyascii
from pydantic import Field

from interdictor.typed_config import Strict, Texts, parse_as


class AddressesDoc(Strict):
    """``data/addresses.yaml``: abbreviations (short form: long forms) and the patterns of each mark."""

    abbreviations: dict[str, Texts] = Field(default_factory=dict)
    po_box: Texts = ()
    virtual_office: Texts = ()
    residential: Texts = ()
    residential_weak: Texts = ()  # a dwelling only for a consignee without a legal form
    postal_formats: dict[str, str] = Field(default_factory=dict)  # country: the shape of its postal code (a regex)


@dataclass(frozen=True)
class AddressRules:
    abbreviations: tuple[tuple[str, str], ...]  # (regex of long forms, short form)
    words: tuple[tuple[str, str], ...]  # (long form, short form): the same, word by word; () when a long form is
    # not one plain word or a short form is itself a long form (then the patterns run one by one)
    po_box: str
    virtual_office: str
    residential: str
    residential_weak: str  # a dwelling only for a consignee without a legal form
    postal_formats: dict[str, str]

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> AddressRules:
        abbrevs, words = [], []
        for short, longs in (raw.get("abbreviations") or {}).items():
            if longs:
                abbrevs.append((r"\b(?:" + "|".join(map(re.escape, longs)) + r")\b", str(short)))
                words += [(str(w), str(short)) for w in longs]
        plain = all(re.fullmatch(r"[A-Z0-9]+", w) for w, _ in words)
        if not plain or {s for _, s in words} & {w for w, _ in words}:
            words = []

        def union(key: str) -> str:
            pats = raw.get(key) or []
            return (
                r"(?:^|[^A-Z0-9])(?:" + "|".join(f"(?:{p})" for p in pats) + r")(?:$|[^A-Z0-9])"
                if pats
                else "$^"
            )

        return cls(
            abbreviations=tuple(abbrevs),
            words=tuple(words),
            po_box=union("po_box"),
            virtual_office=union("virtual_office"),
            residential=union("residential"),
            residential_weak=union("residential_weak"),
            postal_formats={str(k): str(v) for k, v in (raw.get("postal_formats") or {}).items()},
        )


@cache
def default_rules() -> AddressRules:
    """The shipped rules, checked once against ``AddressesDoc`` (a misspelt key is an error naming it)."""
    text = resources.files("interdictor.screen.parties").joinpath("data", "addresses.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    parse_as(AddressesDoc, raw, "addresses.yaml", ValueError)
    return AddressRules.from_raw(raw)


def upper_line(col: pl.Expr) -> pl.Expr:
    """Upper case, punctuation to spaces, single-spaced (ASCII; see ``ascii_column``)."""
    return (
        col.str.to_uppercase()
        .str.replace_all(r"[.,;:'’`\"()\[\]/\\-]+", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def street_key(col: pl.Expr, rules: AddressRules) -> pl.Expr:
    return street_of_line(upper_line(col), rules)


def street_of_line(line: pl.Expr, rules: AddressRules) -> pl.Expr:
    """``street_key`` of a column that is ``upper_line`` already."""
    s = line.str.replace_all(r"#\s*", "NO ")
    if rules.words:
        # every long form is a plain word: one pass over the line's runs of word and other characters
        # replaces each whole word (what the patterns below do one after another, at a 25th of the cost)
        s = s.str.extract_all(r"[A-Z0-9_]+|[^A-Z0-9_]+").list.eval(
            pl.element().replace(dict(rules.words))).list.join("")
    else:
        for pattern, short in rules.abbreviations:
            s = s.str.replace_all(pattern, short)
    return s.str.replace_all(r"\s+", " ").str.strip_chars()


def postal_key(col: pl.Expr, country: pl.Expr) -> pl.Expr:
    p = col.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    return pl.when(country == "US").then(p.str.slice(0, 5)).otherwise(p)


def ascii_column(df: pl.DataFrame, name: str, out: str) -> pl.DataFrame:
    """``out``: the string column ``name`` romanised (per distinct non-ASCII value only)."""
    col = df[name]
    mask = col.is_not_null() & ~col.str.contains(r"^[\x00-\x7F]*$")
    if not mask.any():
        return df.with_columns(pl.col(name).alias(out))
    odd = col.filter(mask).unique()
    mapping = pl.DataFrame({name: odd, "_ascii": [anyascii(v) for v in odd]})
    return (
        df.join(mapping, on=name, how="left")
        .with_columns(pl.coalesce("_ascii", name).alias(out))
        .drop("_ascii")
    )


ADDRESS_COLUMNS = ("address", "postal_code", "country")


def annotate(parties: pl.DataFrame, rules: AddressRules | None = None) -> pl.DataFrame:
    """Add address columns: ``addr_key``, ``street_key``, ``po_box``, ``virtual_office``,
    ``residential_mark``, ``residential_weak``, ``postal_ok`` (None when the country has no known format).

    Computed once per distinct (address, postal code, country) and joined back."""
    parties = parties.with_columns(pl.col(c).cast(pl.String) for c in ADDRESS_COLUMNS)
    distinct = parties.select(ADDRESS_COLUMNS).unique()
    marks = _annotate(distinct, rules or default_rules())
    return parties.join(marks, on=list(ADDRESS_COLUMNS), how="left", nulls_equal=True)


def _annotate(parties: pl.DataFrame, rules: AddressRules) -> pl.DataFrame:
    df = ascii_column(parties, "address", "_addr")
    country = pl.col("country").str.to_uppercase().str.strip_chars()
    line = pl.col("_line")
    fmts = pl.DataFrame(
        {"_cc": list(rules.postal_formats), "_fmt": [f"^(?:{v})$" for v in rules.postal_formats.values()]}
    )
    df = df.with_columns(upper_line(pl.col("_addr")).alias("_line"), country.alias("_cc"))
    df = df.with_columns(street_of_line(line, rules).alias("street_key"))
    df = df.join(fmts, on="_cc", how="left")
    postal = pl.col("postal_code").str.to_uppercase().str.strip_chars()
    return df.with_columns(
        pl.when(pl.col("street_key").str.len_chars() > 0)
        .then(
            pl.concat_str(
                [
                    pl.col("street_key"),
                    postal_key(pl.col("postal_code"), pl.col("_cc")).fill_null(""),
                    pl.col("_cc").fill_null(""),
                ],
                separator="|",
            )
        )
        .alias("addr_key"),
        line.str.contains(rules.po_box).fill_null(False).alias("po_box"),
        line.str.contains(rules.virtual_office).fill_null(False).alias("virtual_office"),
        line.str.contains(rules.residential).fill_null(False).alias("residential_mark"),
        line.str.contains(rules.residential_weak).fill_null(False).alias("residential_weak"),
        pl.when(postal.is_null() | (postal == "") | pl.col("_fmt").is_null())
        .then(None)
        .otherwise(postal.str.contains(pl.col("_fmt")))
        .alias("postal_ok"),
    ).drop("_fmt", "_cc", "_addr", "_line")


def address_key(address: str | None, postal_code: str | None, country: str | None) -> str | None:
    """The key of one address (same rules as ``annotate``)."""
    df = pl.DataFrame(
        {"address": [address], "postal_code": [postal_code], "country": [country]},
        schema={"address": pl.String, "postal_code": pl.String, "country": pl.String},
    )
    key = annotate(df)["addr_key"][0]
    return str(key) if key is not None else None


@lru_cache(maxsize=65_536)
def parse_us(text: str) -> dict[str, str]:
    """Components of a US address by ``usaddress`` (empty when it cannot be tagged)."""
    import usaddress

    try:
        tagged, _kind = usaddress.tag(text)
    except Exception:
        return {}
    return {str(k): str(v) for k, v in tagged.items()}


def describe_us(text: str) -> str:
    """A short reading of a US address for evidence: "PO Box 12", "Apt 5B at 1234 W Main St"."""
    p = parse_us(text)
    if not p:
        return text
    if "USPSBoxID" in p:
        return f"{p.get('USPSBoxType', 'PO Box')} {p['USPSBoxID']}"
    street = " ".join(
        p[k]
        for k in ("AddressNumber", "StreetNamePreDirectional", "StreetName", "StreetNamePostType")
        if k in p
    )
    unit = " ".join(p[k] for k in ("OccupancyType", "OccupancyIdentifier") if k in p)
    return f"{unit} at {street}" if unit and street else (street or text)
