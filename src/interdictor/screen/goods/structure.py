"""Resolve descriptions to structures: SMILES written in the text, systematic names through OPSIN.

Only candidates reach this layer: descriptions that carry a SMILES-shaped token or a systematic-
looking chemical name that the knowledge base did not already recognise.  OPSIN runs when Java and an
OPSIN jar are present (``opsin.py``: one JVM per run, answers kept between runs); otherwise names
are skipped with a log line, never an error.  A CAS number or the word "CAS" ends a name: "Ethyl
isonipecotate (CAS 1126-09-6)" is read as "Ethyl isonipecotate".
"""

from __future__ import annotations

import logging
import re

import polars as pl

from interdictor.model import empty
from interdictor.screen.goods.opsin import NameResolver, OpsinResolver, find_opsin

__all__ = ["NameResolver", "OpsinResolver", "find_opsin", "looks_systematic", "name_candidates", "smiles_candidates"]
log = logging.getLogger(__name__)

# a whitespace-free token built from SMILES characters, with a ring closure, branch or bond in it
_SMILES_TOKEN = r"[A-Za-z0-9@+\-\[\]\(\)=#$/\\%.]{5,}"
_SMILES_HINT = re.compile(r"(?:[cCnNoO][1-9]|=|\(|#|\[)")
_SMILES_ATOMS = re.compile(r"[cCnNoOsSPFIlBr]")
# pieces of systematic names: locants, brackets, and the morphemes organic names are made of
_CHEM_PIECE = re.compile(
    r"(?i)(?:\d+[,'\d]*-|-\d|\(|\[|yl\b|yl[-)]|oxo|oxy|amino|anilino|amido|carbox|oxiran|piperid|pyrid|"
    r"azaspiro|dioxa|oxa|aza|benzo|phenyl|benzyl|ethyl|methyl|propyl|butyl|propan|butan|pentan|"
    r"ylidene|oate\b|ate\b|one\b|ol\b|amine\b|amide\b|nitrile\b|ane\b|ene\b|ide\b)"
)
_STRONG_PIECE = re.compile(r"(?i)(?:\d-[a-z(]|[a-z]-\d|yl\b|yl[-)]|oxo|oxiran|carbox|azaspiro|piperid|anilino)")
_CONNECTOR = {"acid", "ester", "salt", "hydrochloride", "hcl", "sodium", "potassium", "tert", "n", "and"}
# a CAS reference ("(CAS 1126-09-6)", "CAS: 79-03-8", "CAS#", a bare 1126-09-6) is no part of a name
_CAS_REF = re.compile(r"(?i)\(?\s*\bcas\b(?:\s*(?:no|number|rn)\b)?[\s.:#-]*(?:\d{2,7}-\d{2}-\d)?\s*\)?|\(?\b\d{2,7}-\d{2}-\d\b\)?")
NAME_SCHEMA = pl.Schema({"did": pl.Int32, "source": pl.String, "text": pl.String})


def smiles_candidates(frame: pl.DataFrame) -> pl.DataFrame:
    """``did, source='smiles', text`` for SMILES-shaped tokens in the descriptions."""
    found = (
        frame.select("did", pl.col("description").fill_null("").str.extract_all(_SMILES_TOKEN).alias("text"))
        .explode("text")
        .drop_nulls("text")
    )
    keep = [
        t for t in found["text"].unique().to_list()
        if _SMILES_HINT.search(t) and len(_SMILES_ATOMS.findall(t)) >= 3 and not t.isalpha()
    ]
    return (
        found.filter(pl.col("text").is_in(keep))
        .with_columns(pl.lit("smiles").alias("source"))
        .select(list(NAME_SCHEMA))
    )


def name_spans(description: str) -> list[str]:
    """Candidate systematic names in one description, longest first (at most three tries)."""
    chunks = re.split(r"[\s,;]+", _CAS_REF.sub(" ; ", description.strip()))
    runs: list[list[str]] = []
    cur: list[str] = []
    for ch in chunks:
        c = ch.strip("%:")
        if c and (_CHEM_PIECE.search(c) or (cur and c.lower() in _CONNECTOR)) and not re.fullmatch(r"[\d.]+%?", c):
            cur.append(c)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    out: list[str] = []
    for run in sorted(runs, key=len, reverse=True)[:2]:
        text = " ".join(run)
        if not _STRONG_PIECE.search(text) or len(text) < 8:
            continue
        out.append(text)
        if len(run) > 1:
            out.append(" ".join(run[:-1]))
            out.append(" ".join(run[1:]))
    return list(dict.fromkeys(out))[:3]


def name_candidates(frame: pl.DataFrame) -> pl.DataFrame:
    """``did, source='name', text`` for systematic-looking names (frame: did, description)."""
    rows = [
        {"did": did, "source": "name", "text": span}
        for did, desc in frame.select("did", "description").iter_rows()
        for span in name_spans(desc or "")
    ]
    return pl.DataFrame(rows, schema=NAME_SCHEMA) if rows else empty(NAME_SCHEMA)


def looks_systematic(frame: pl.DataFrame) -> pl.Series:
    """A cheap column-wide pre-filter: does the description hold a locant or a name morpheme?"""
    return frame.select(
        pl.col("description").fill_null("").str.contains(
            r"(?i)(?:\d-[a-z(\[]|[a-z)\]]-\d|yl[-)\s]|oxo|oxiran|carboxyl|azaspiro|piperid|anilino|glycid|acetoacet)"
        )
    )["description"]
