"""The Harmonized System nomenclature (HS 2022): chapters, headings and subheadings with their texts.

Shipped as derived package data (``reference/data/hs_nomenclature.csv.gz``; source and licence in the
README beside it).  Pure data: read once and kept.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

import polars as pl

NOMENCLATURE_SCHEMA = pl.Schema({"code": pl.String, "section": pl.String, "text": pl.String})


@cache
def nomenclature() -> pl.DataFrame:
    """``code, section, text``: every chapter (2 digits), heading (4) and subheading (6) of HS 2022, with
    the section (I–XXI) it belongs to."""
    raw = resources.files("interdictor.reference").joinpath("data/hs_nomenclature.csv.gz").read_bytes()
    return pl.read_csv(gzip.decompress(raw), schema=NOMENCLATURE_SCHEMA)


def text_of(code: str | None) -> tuple[str, str] | None:
    """(the most specific code of the nomenclature that ``code`` starts with, its text); None when the
    code's chapter is not in the nomenclature."""
    digits = "".join(ch for ch in (code or "") if ch.isdigit())
    texts = _texts()
    for width in (6, 4, 2):
        if len(digits) >= width and digits[:width] in texts:
            return digits[:width], texts[digits[:width]]
    return None


def texts_along(code: str | None) -> list[str]:
    """The texts of the chapter, heading and subheading ``code`` falls in (those the nomenclature has)."""
    digits = "".join(ch for ch in (code or "") if ch.isdigit())
    texts = _texts()
    return [texts[digits[:w]] for w in (2, 4, 6) if len(digits) >= w and digits[:w] in texts]


@cache
def _texts() -> dict[str, str]:
    return dict(nomenclature().select("code", "text").iter_rows())


@cache
def sections() -> dict[str, str]:
    """Chapter (2 digits) → its section (I–XXI)."""
    return dict(nomenclature().filter(pl.col("code").str.len_chars() == 2).select("code", "section").iter_rows())
