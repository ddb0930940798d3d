"""Vague descriptions: nothing in the words but generic nouns, quantities and packing.

"industrial chemical", "sample 25kg", "household items", "gift" — the description names no goods.
One regular expression decides it for the whole column (every word must be a vague word, a filler
word or a number); only the few vague ones are then sorted into families in Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from interdictor.model import empty
from interdictor.reference.kb import KnowledgeBase
from interdictor.screen.goods.normalise import normalise_many

VAGUE_SCHEMA = pl.Schema([("did", pl.Int32), ("families", pl.List(pl.String)), ("words", pl.String)])
_NUMBER = r"\d+[a-z]{0,3}|x\d+"


@dataclass(frozen=True)
class VagueMatcher:
    full: str  # regex over the padded token view
    families: dict[str, tuple[str, ...]]  # family → normalised phrases (padded)
    # regex: nothing but "machine", "tool", "mould", "parts" and filler — a line that names no particular machine
    generic_equipment: str = "^$"


def _only(words: set[str]) -> str:
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w)
    return rf"^ (?:(?:{alt}|{_NUMBER}) )*$"


def compile_vague(kb: KnowledgeBase) -> VagueMatcher:
    families = {fam: tuple(normalise_many(list(words))) for fam, words in kb.vague.items()}
    filler = {w.strip() for w in normalise_many(list(kb.filler))}
    vague = {w.strip() for ws in families.values() for w in ws}
    machine = {w.strip() for w in normalise_many(list(kb.generic_equipment))}
    return VagueMatcher(full=_only(vague | filler), families=families,
                        generic_equipment=_only(vague | filler | machine))


def generic_equipment(views: pl.DataFrame, matcher: VagueMatcher) -> pl.Series:
    """The ``did`` of descriptions that name no particular machine or tool ("machine", "mould parts")."""
    return views.filter(pl.col("token").str.contains(matcher.generic_equipment))["did"]


def vague_descriptions(views: pl.DataFrame, matcher: VagueMatcher) -> pl.DataFrame:
    """``did, families, words`` for descriptions that say nothing about the goods."""
    hit = views.filter(pl.col("token").str.contains(matcher.full)).select("did", "token", "description")
    rows = []
    for did, token, _desc in hit.iter_rows():
        fams = [f for f, phrases in matcher.families.items() if any(p in token for p in phrases)]
        found = [p.strip() for ps in matcher.families.values() for p in ps if p in token]
        rows.append({"did": did, "families": fams or ["empty"], "words": ", ".join(dict.fromkeys(found))})
    return pl.DataFrame(rows, schema=VAGUE_SCHEMA) if rows else empty(VAGUE_SCHEMA)
