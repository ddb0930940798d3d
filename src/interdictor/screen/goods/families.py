"""The family of goods a description's words name: the kind of goods a line should weigh and cost like.

One family per description, from what the text layer found: the single class of ordinary goods the words
name (``computer_peripherals`` for "wireless keyboard and mouse"), else the vague family of words that
name no goods ("household items" → ``personal``, "industrial chemical" → ``generic_chemical``).  A line
whose words name two kinds of goods, a tool, a machine's use or a tablet has no family: its weight says
nothing certain about any one of them.  Learning (``describe``) and detection read the family the same way.
"""

from __future__ import annotations

import re

import polars as pl

from interdictor.model import empty
from interdictor.reference.kb import KnowledgeBase
from interdictor.screen.goods.normalise import normalise_many

FAMILY_SCHEMA = pl.Schema({"did": pl.Int32, "family": pl.String, "heading": pl.String})
# vague words that say nothing about the goods' kind, not even a vague one
_NO_FAMILY = ("packing", "empty")


def word_families(flags: pl.DataFrame, vague: pl.DataFrame, kb: KnowledgeBase) -> pl.DataFrame:
    """``did, family, heading`` (the heading whose prior stands in when the family has no profile yet)."""
    headings = pl.DataFrame({"family": [c.id for c in kb.classes], "heading": [c.heading for c in kb.classes]},
                            schema={"family": pl.String, "heading": pl.String})
    # "injection mould for plastic caps" is a mould, not caps: words about a tool, a machine or a use
    # leave the line without a family
    plain = ((pl.col("classes").list.len() == 1) & ~pl.col("tool_words") & ~pl.col("tablet_words")
             & ~pl.col("ordinary_use") & ~pl.col("eq_context"))
    named = flags.filter(plain).select("did", pl.col("classes").list.first().alias("family"))
    frames = [named]
    if vague.height:
        said = vague.select("did", pl.col("families").list.set_difference(pl.lit(list(_NO_FAMILY)))
                            .list.first().alias("family")).drop_nulls("family")
        frames.append(said.join(named.select("did"), on="did", how="anti"))
    out = pl.concat([f.cast({"did": pl.Int32}) for f in frames])
    if out.is_empty():
        return empty(FAMILY_SCHEMA)
    chem = pl.DataFrame({"family": ["generic_chemical"], "heading": ["29"]})
    return out.join(pl.concat([headings, chem]), on="family", how="left").select(list(FAMILY_SCHEMA))


_PATTERNS: dict[str, tuple[str, str]] = {}


def _patterns(kb: KnowledgeBase) -> tuple[str, str]:
    found = _PATTERNS.get(kb.version)
    if found is None:
        def alt(words: tuple[str, ...]) -> str:
            phrases = sorted({w.strip() for w in normalise_many(list(words)) if w.strip()}, key=len, reverse=True)
            return "|".join(re.escape(w) for w in phrases) or "$^"
        found = _PATTERNS[kb.version] = (rf"^( \S.*?)(?: (?:{alt(kb.colours)}))+ ?$", rf" (?:{alt(kb.apparatus)}) ")
    return found


def without_colours(frame: pl.DataFrame, kb: KnowledgeBase) -> pl.DataFrame:
    """The views as the kind of goods is read from them: a trailing colour read out ("tee coffee" → "tee";
    "coffee" alone is coffee), and an apparatus left with no kind at all (the goods it names are what it is
    for)."""
    colours, apparatus = _patterns(kb)
    return frame.with_columns(
        pl.when(pl.col("token").str.contains(apparatus)).then(pl.lit(" "))
        .otherwise(pl.col("token").str.replace(colours, "$1 ")).alias("token"))
