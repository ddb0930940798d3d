"""What substance each item is, by every route: name, CAS (text or field), HS subheading, structure.

Result: one row per (item row, substance, source) with a short evidence piece — the input of the
reason emitter.  Ambiguous abbreviations ("4-AP", "MAPA", "P2P") count only on a chemical line: a
chemical word or purity in the text, a CAS number, a chapter 28/29/38 code, or another named chemical.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import polars as pl

from interdictor.model import empty
from interdictor.screen.goods.context import GoodsContext
from interdictor.screen.goods.evidence import matched
from interdictor.screen.goods.resolve import Resolved
from interdictor.screen.goods.structure import looks_systematic, name_candidates, smiles_candidates

if TYPE_CHECKING:
    from interdictor.screen.goods.structure_index import StructureResult

log = logging.getLogger(__name__)
ID_SCHEMA = pl.Schema({"row": pl.Int64, "substance": pl.String, "source": pl.String, "piece": pl.String,
                       "ambiguous": pl.Boolean})
Structs = dict[int, list[tuple[str, str, "StructureResult"]]]


def structure_findings(frame: pl.DataFrame, res: Resolved, g: GoodsContext) -> Structs:
    """did → [(source, text, result)] for SMILES in the text and systematic names OPSIN resolves."""
    if g.structures is None:
        return {}
    cands = [smiles_candidates(frame)]
    sys_like = frame.filter(looks_systematic(frame))
    if not sys_like.is_empty() and not res.substances.is_empty():
        named = res.substances.filter(pl.col("strong")).select("did").unique()
        sys_like = sys_like.join(named, on="did", how="anti")
    if not sys_like.is_empty():
        names = name_candidates(sys_like.select("did", "description"))
        if g.names is None:
            if not names.is_empty():
                log.info("%d systematic-looking names skipped: OPSIN is not available", names["did"].n_unique())
        else:
            cands.append(names)
    cand = pl.concat(cands)
    if cand.is_empty():
        return {}
    smiles_of: dict[str, str | None] = {}
    names_to_resolve = cand.filter(pl.col("source") == "name")["text"].unique().to_list()
    if names_to_resolve and g.names is not None:
        try:
            smiles_of.update(g.names(names_to_resolve))
        except Exception:
            log.exception("name resolver failed; %d names left unresolved", len(names_to_resolve))
    out: Structs = {}
    done: set[int] = set()
    for did, source, text in cand.select("did", "source", "text").iter_rows():
        if source == "name" and did in done:
            continue  # the longest resolvable span of a description is enough
        smi = text if source == "smiles" else smiles_of.get(text)
        result = g.structures.analyse_smiles(smi) if smi else None
        if result is None:
            if smi:
                log.debug("structure %r (from %r) does not parse or cannot be standardised; skipped", smi, text)
            continue
        out.setdefault(did, []).append((source, text, result))
        if source == "name":
            done.add(did)
    return out


def identities(
    it: pl.DataFrame, res: Resolved, desc_cas: pl.DataFrame, field_cas: pl.DataFrame, structs: Structs,
    g: GoodsContext,
) -> pl.DataFrame:
    parts: list[pl.DataFrame] = []
    base = it.select("row", "did", "chapter", "hs6")
    chem_ch = list(g.kb.chemical_chapters)
    # --- names
    names = base.join(res.substances, on="did") if res.substances.height else base.clear()
    if not names.is_empty():
        ctx_dids = pl.concat([
            res.flags.filter(pl.col("chem_context")).select("did"),
            desc_cas.select("did"),
            res.substances.filter(pl.col("how") != "ambiguous").select("did"),
        ]).unique()
        ctx_rows = field_cas.select("row").unique()
        names = names.with_columns(
            (pl.col("did").is_in(ctx_dids["did"].implode()) | pl.col("row").is_in(ctx_rows["row"].implode())
             | pl.col("chapter").is_in(chem_ch)).alias("_ctx")
        ).filter((pl.col("how") != "ambiguous") | pl.col("_ctx"))
        pieces = [
            matched(h, d, v, t) for h, d, v, t in names.select("how", "display", "view", "typo").iter_rows()
        ]
        parts.append(names.select(
            "row", "substance", pl.lit("name").alias("source"), pl.Series("piece", pieces, dtype=pl.String),
            (pl.col("how") == "ambiguous").alias("ambiguous"),
        ))
    # --- CAS numbers in the text and in the CAS field
    dc = base.join(desc_cas.filter(pl.col("valid") & pl.col("substance").is_not_null()), on="did") if desc_cas.height else base.clear()
    if not dc.is_empty():
        parts.append(dc.select(
            "row", "substance", pl.lit("cas").alias("source"),
            pl.format("CAS {} written in the description (check digit valid)", "cas").alias("piece"),
            pl.lit(False).alias("ambiguous"),
        ))
    fc = field_cas.filter(pl.col("valid") & pl.col("substance").is_not_null()) if field_cas.height else field_cas
    if not fc.is_empty():
        parts.append(fc.select(
            "row", "substance", pl.lit("cas").alias("source"),
            pl.format("CAS field {} (check digit valid)", "cas").alias("piece"), pl.lit(False).alias("ambiguous"),
        ))
    # --- HS subheadings that name one substance
    spec = [(code, h.substance) for code, h in g.kb.headings.items() if h.role in ("specific", "drug") and h.substance]
    if spec:
        hs = base.join(pl.DataFrame(spec, schema={"hs6": pl.String, "substance": pl.String}, orient="row"), on="hs6")
        if not hs.is_empty():
            parts.append(hs.select(
                "row", "substance", pl.lit("hs").alias("source"),
                pl.format("declared HS {}, the subheading of this substance", "hs6").alias("piece"),
                pl.lit(False).alias("ambiguous"),
            ))
    # --- structures that are a knowledge-base substance (or its stereoisomer)
    srows = []
    for did, found in structs.items():
        for source, text, r in found:
            sid = r.exact or r.stereo_of
            if sid is None:
                continue
            via = "SMILES" if source == "smiles" else "systematic name (OPSIN)"
            rel = "is" if r.exact else "is a stereoisomer or racemate of"
            srows.append({"did": did, "substance": sid, "source": "structure",
                          "piece": f"structure from {via} '{text}' {rel} it (InChIKey {r.key})", "ambiguous": False})
    if srows:
        sf = pl.DataFrame(srows, schema={"did": pl.Int32, **{k: v for k, v in ID_SCHEMA.items() if k != "row"}})
        parts.append(base.select("row", "did").join(sf, on="did").select(list(ID_SCHEMA)))
    if not parts:
        return empty(ID_SCHEMA)
    return pl.concat([p.select(list(ID_SCHEMA)) for p in parts]).unique(["row", "substance", "source"], keep="first")
