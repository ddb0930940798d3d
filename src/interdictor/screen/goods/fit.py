"""Does a declared HS code fit the goods the description names?

For each family of ordinary goods (the knowledge base's classes: computer peripherals, apparel, ...) the
chapters its goods are classified in are the knowledge base's own list joined with every chapter whose
headings or subheadings name those goods in the HS nomenclature's texts ("keyboard" is in chapter 92's
musical instruments as well as in 84's input units, so a keyboard under 92 is no misfit).  A code outside
them all is a misfit.  Chapter-wide on purpose: a finer fit would flag every near-miss classification.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from interdictor.model import empty
from interdictor.reference.hs import nomenclature, sections
from interdictor.reference.kb import KnowledgeBase

MIN_WORD = 4  # shorter words ("cap", "pen", "mug") name too many things inside other texts
MISFIT_SCHEMA = pl.Schema([("row", pl.Int64), ("family", pl.String), ("chapters", pl.List(pl.String))])


@dataclass(frozen=True)
class ChapterFit:
    chapters: dict[str, tuple[str, ...]]  # family → the chapters its goods are classified in
    by_material: tuple[str, ...] = ()  # chapters of articles classified by their material: any good fits

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame({"family": list(self.chapters), "chapters": [list(c) for c in self.chapters.values()]},
                            schema={"family": pl.String, "chapters": pl.List(pl.String)})


_BUILT: dict[str, ChapterFit] = {}


def chapter_fit(kb: KnowledgeBase) -> ChapterFit:
    """The fit of this knowledge base's families (worked out once per knowledge-base version)."""
    found = _BUILT.get(kb.version)
    if found is None:
        found = _BUILT[kb.version] = build_fit(kb)
    return found


def build_fit(kb: KnowledgeBase) -> ChapterFit:
    texts = nomenclature().filter(pl.col("code").str.len_chars() >= 4).select(
        pl.col("code").str.slice(0, 2).alias("chapter"), pl.col("text").str.to_lowercase().alias("text"))
    section = sections()
    out: dict[str, tuple[str, ...]] = {}
    for c in kb.classes:
        words = sorted({w.lower() for w in c.words if len(w) >= MIN_WORD and w.isascii()}, key=len, reverse=True)
        found: set[str] = set(c.chapters)
        if words:
            pattern = r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b"
            found |= set(texts.filter(pl.col("text").str.contains(pattern))["chapter"].to_list())
        # goods are classified by their nature section by section (XI textiles, XVI machines and electrical
        # equipment, XVIII instruments): a chapter of a section the knowledge base puts the family in still fits
        found_sections = {section[ch] for ch in c.chapters if ch in section}
        found |= {c for c, sec in section.items() if sec in found_sections}
        out[c.id] = tuple(sorted(found))
    return ChapterFit(out, tuple(kb.articles_by_material))


def speaks_for(lines: pl.DataFrame, fit: ChapterFit, usual: dict[str, frozenset[str]] | None = None) -> pl.Series:
    """For lines ``family, chapter``: does the declared chapter speak for the family's goods (one they are
    classified in, or commonly declared under)?  Chapters by material do not: a keyboard under plastics
    is weighed against keyboards."""
    frame = _with_usual(fit.frame(), usual)
    joined = lines.select("family", "chapter").with_row_index("_i").join(frame, on="family", how="left")
    return joined.sort("_i").select(pl.col("chapters").list.contains(pl.col("chapter")).fill_null(False))["chapters"]


def _with_usual(frame: pl.DataFrame, usual: dict[str, frozenset[str]] | None) -> pl.DataFrame:
    if not usual:
        return frame
    extra = pl.DataFrame({"family": list(usual), "_u": [sorted(c) for c in usual.values()]},
                         schema={"family": pl.String, "_u": pl.List(pl.String)})
    return frame.join(extra, on="family", how="left").select(
        "family", pl.concat_list("chapters", pl.col("_u").fill_null(pl.lit([], pl.List(pl.String)))).alias("chapters"))


def misfits(lines: pl.DataFrame, fit: ChapterFit, usual: dict[str, frozenset[str]] | None = None) -> pl.DataFrame:
    """``row, family, chapters`` of lines (``row, family, chapter``) whose declared chapter is none of the
    chapters their family's goods are classified in, nor one that classifies articles by their material,
    nor one the store's traffic commonly declares the family under (``usual``: learned).  Lines of a
    family without a known fit never are."""
    if lines.is_empty():
        return empty(MISFIT_SCHEMA)
    frame = _with_usual(fit.frame(), usual)
    joined = lines.drop_nulls(["family", "chapter"]).filter(~pl.col("chapter").is_in(list(fit.by_material)))
    joined = joined.join(frame, on="family", how="inner")
    return joined.filter(~pl.col("chapters").list.contains(pl.col("chapter"))).select(list(MISFIT_SCHEMA))


_WORD = re.compile(r"[a-z]{4,}")


def named_in_code(description: str, texts: list[str]) -> bool:
    """Does a word of the description (plural or not) appear in the declared code's own texts (its chapter,
    heading and subheading)?  "LED lights" under 9405 "luminaires and lighting fittings" does: the code
    names the goods in its own words, whatever family the words were read as."""
    body = " ".join(texts).lower()
    return any(w.rstrip("s") in body for w in _WORD.findall(description.lower()) if len(w.rstrip("s")) >= 4)
