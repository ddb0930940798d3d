"""CAS numbers written anywhere in a description (or the item's CAS field), checksum-validated.

A valid number of a listed substance identifies it; a valid number of anything else still says the
item is a chemical; a number whose check digit fails but that is one slip (a digit changed or two
swapped) away from a listed number is a tell-tale of its own.
"""

from __future__ import annotations

import polars as pl

from interdictor.model import empty
from interdictor.reference.kb import KnowledgeBase
from interdictor.reference.kb.cas import format_cas, is_valid_cas

DASHES = ["‐", "‑", "‒", "–", "—", "−", "－"]
# hyphenated anywhere; or after the word CAS with spaces, dots or nothing between the parts
_HYPHENATED = r"\b\d{2,7}-\d{2}-\d\b"
_AFTER_CAS = r"(?i)\bcas\b[^0-9]{0,12}\d{2,7}[ .]?\d{2}[ .]?\d(?:$|[^\d-])"

CAS_SCHEMA = pl.Schema(
    {"did": pl.Int32, "written": pl.String, "cas": pl.String, "valid": pl.Boolean, "substance": pl.String,
     "near_miss": pl.String}
)


def near_misses(kb: KnowledgeBase) -> dict[str, str]:
    """Every one-slip variant (a digit changed, two neighbours swapped) of each listed CAS → its id."""
    out: dict[str, str] = {}
    for cas, sub in kb.by_cas.items():
        d = cas.replace("-", "")
        variants = set()
        for i in range(len(d)):
            for ch in "0123456789":
                if ch != d[i]:
                    variants.add(d[:i] + ch + d[i + 1 :])
            if i + 1 < len(d) and d[i] != d[i + 1]:
                variants.add(d[:i] + d[i + 1] + d[i] + d[i + 2 :])
        for v in variants:
            f = format_cas(v)
            if f and not is_valid_cas(f):
                out.setdefault(f, sub.id)
    return out


def cas_numbers(descriptions: pl.DataFrame, kb: KnowledgeBase, near: dict[str, str]) -> pl.DataFrame:
    """``did, written, cas, valid, substance, near_miss`` for CAS-shaped numbers in ``description``."""
    if descriptions.is_empty():
        return empty(CAS_SCHEMA)
    text = pl.col("description").fill_null("").str.replace_many(DASHES, ["-"] * len(DASHES))
    # most descriptions hold neither a hyphenated number nor the word CAS: look only at the others
    descriptions = descriptions.filter(
        pl.col("description").fill_null("").str.contains(r"\d[-‐‑‒–—−－]\d|\b(?:CAS|[Cc]as)\b")
    )
    if descriptions.is_empty():
        return empty(CAS_SCHEMA)
    found = (
        descriptions.select(
            "did",
            pl.concat_list(text.str.extract_all(_HYPHENATED), text.str.extract_all(_AFTER_CAS)).alias("written"),
        )
        .explode("written")
        .drop_nulls("written")
        .unique(["did", "written"])
    )
    return check_cas(found, kb, near)


def check_cas(found: pl.DataFrame, kb: KnowledgeBase, near: dict[str, str]) -> pl.DataFrame:
    """Validate a ``did, written`` frame — each distinct number once (a CAS field repeats on every line
    of the same product)."""
    if found.is_empty():
        return empty(CAS_SCHEMA)
    checked = _check(found["written"].unique().to_list(), kb, near)
    if checked.is_empty():
        return empty(CAS_SCHEMA)
    return (
        found.select("did", pl.col("written").alias("_raw"))
        .join(checked, on="_raw")
        .select(list(CAS_SCHEMA))
        .unique(["did", "cas"], keep="first", maintain_order=True)
    )


def _check(written: list[str], kb: KnowledgeBase, near: dict[str, str]) -> pl.DataFrame:
    """``_raw`` (as written) → ``written, cas, valid, substance, near_miss``; numbers that are no CAS left out."""
    rows = []
    for raw in written:
        cas = format_cas(raw.lower().split("cas")[-1])
        if cas is None:
            continue
        valid = is_valid_cas(cas)
        sub = kb.by_cas.get(cas) if valid else None
        rows.append(
            {"_raw": raw, "written": raw.strip(), "cas": cas, "valid": valid,
             "substance": sub.id if sub else None, "near_miss": None if valid else near.get(cas)}
        )
    schema = pl.Schema({"_raw": pl.String(), **{k: v for k, v in CAS_SCHEMA.items() if k != "did"}})
    return pl.DataFrame(rows, schema=schema) if rows else empty(schema)
