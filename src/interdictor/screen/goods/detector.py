"""The goods detector: ``detect(batch, ctx) -> reasons``.

Works on the DISTINCT descriptions of the batch (text, CAS, vague, structure layers), joins the
findings back to the items, then applies the per-item layers (HS code, declared versus physical,
licences).  Every reason carries the item index and evidence that says what the item is, why it is
controlled or suspect, and which evidence matched.

Cost: what a description holds is remembered by the context (``memo.py``: bounded, pure answers), so
a batch scans only descriptions not met before; only lines some layer flagged reach Python.  Weak
equipment and code signals count only when the line corroborates them (``corroborate.py``).
"""

from __future__ import annotations

import logging
from typing import Any

import polars as pl

from interdictor.model import REASON_SCHEMA, Batch, empty, reasons_frame
from interdictor.screen.context import Context
from interdictor.screen.goods.cas import cas_numbers, check_cas
from interdictor.screen.goods.context import GoodsContext
from interdictor.screen.goods.families import without_colours, word_families
from interdictor.screen.goods.identify import identities, structure_findings
from interdictor.screen.goods.itemreasons import Emitter
from interdictor.screen.goods.lines import item_lines
from interdictor.screen.goods.receivers import glycidates_in_bulk, tooling_to_private
from interdictor.screen.goods.resolve import resolve
from interdictor.screen.goods.text import Views, make_views, scan_classes, scan_text, scan_uses
from interdictor.screen.goods.vague import generic_equipment, vague_descriptions

log = logging.getLogger(__name__)


def detect(batch: Batch, ctx: Context) -> pl.DataFrame:
    part = ctx.part("goods")
    if not isinstance(part, GoodsContext) or batch.items.is_empty():
        return empty(REASON_SCHEMA)
    return detect_goods(batch, part)


def detect_goods(batch: Batch, g: GoodsContext) -> pl.DataFrame:
    it = item_lines(batch)
    # distinct descriptions, keyed by a 64-bit hash so items join back without a string join
    distinct = it.filter(pl.col("description").is_not_null()).unique("_h", maintain_order=True).select("description", "_h")
    key = distinct.select("_h").with_row_index("did").with_columns(pl.col("did").cast(pl.Int32))
    it = it.join(key, on="_h", how="left", maintain_order="left").drop("_h")
    views = make_views(distinct["description"])
    hits = scan_text(views, g.compiled)
    # ordinary-goods words matter only where the code is missing or is a precursor/press heading
    odd = [c for c, h in g.kb.headings.items() if h.role in ("equipment", "parts")]
    need = it.filter(
        (pl.col("hs_digits") == "") | pl.col("chapter").is_in(["28", "29", "38"]) | pl.col("hs6").is_in(odd)
    )["did"].drop_nulls().unique()
    # what an ordinary mould or machine is for matters only beside equipment words, or under a known heading
    beside = hits.filter(pl.col("kind").is_in(["equipment", "model", "declared_as", "eq_context"]))["did"]
    coded = it.filter(pl.col("hs6").is_in(list(g.kb.headings)))["did"].drop_nulls()
    uses = scan_uses(views, g.compiled, pl.concat([beside, coded, need]).unique())
    # the kind of goods the words name, for every description: a line is weighed against its words' family
    listed = Views(without_colours(views.frame, g.kb))  # a listing's trailing colour names no goods
    res = resolve(hits, g.compiled, views.frame, scan_classes(listed, g.compiled, views.frame["did"]), uses)
    desc_cas = cas_numbers(views.frame.select("did", "description"), g.kb, g.near_cas)
    vague = vague_descriptions(views.frame, g.vague)
    structs = structure_findings(views.frame, res, g) if "structure" in g.layers else {}

    field_cas = _field_cas(it, g)
    ids = identities(it, res, desc_cas, field_cas, structs, g)
    # under a press or die heading, a description that names no particular machine leaves the code unexplained
    press_codes = [c for c, h in g.kb.headings.items() if h.role == "equipment"]
    under = it.filter(pl.col("hs6").is_in(press_codes))["did"].drop_nulls().unique().implode()
    generic = set(generic_equipment(views.frame.filter(pl.col("did").is_in(under)), g.vague).to_list())
    emit = Emitter(g, it, batch, generic)
    emit.prepare(_flagged_rows(it, ids, res, desc_cas, field_cas, vague, structs, g, generic))
    rows: list[dict[str, Any]] = []
    rows += emit.substances(ids)
    rows += emit.structure_only(structs, ids)
    rows += emit.substituted(res, structs, ids)
    rows += emit.cas_slips(desc_cas, field_cas)
    rows += emit.equipment(res)
    rows += emit.vague(vague)
    rows += tooling_to_private(emit, hits, res, views.frame, g.vague)
    rows += glycidates_in_bulk(emit, views.frame)
    families = word_families(res.flags, vague, g.kb)
    rows += emit.codes(ids, res, desc_cas, field_cas, families)
    if "profiles" in g.layers:
        rows += emit.profiles(ids, families)
    if "licences" in g.layers:
        rows = emit.licences(rows, ids, res)
    for r in rows:
        r.pop("_row", None)
    return reasons_frame(rows)


def _flagged_rows(
    it: pl.DataFrame, ids: pl.DataFrame, res: Any, desc_cas: pl.DataFrame, field_cas: pl.DataFrame,
    vague: pl.DataFrame, structs: dict[int, Any], g: GoodsContext, generic: set[int],
) -> set[int]:
    """Rows any layer found something on — the only ones whose fields reach Python."""
    dids = pl.concat([
        res.substances.select("did"), res.substituted.select("did"), res.equipment.select("did"),
        desc_cas.select("did"), vague.select("did"),
        pl.DataFrame({"did": list(structs)}, schema={"did": pl.Int32}),
    ]).unique()
    # every line under a precursor heading; under a press, die or disguise heading only the lines whose
    # words might count there (the reasons fetch any other line they need themselves)
    chem_codes = [c for c, h in g.kb.headings.items() if h.role not in ("equipment", "parts", "disguise")]
    press_codes = [c for c, h in g.kb.headings.items() if h.role in ("equipment", "parts", "disguise")]
    maybe = pl.concat([
        res.declared_as.select("did"), res.flags.filter(pl.col("tablet_words")).select("did"),
        pl.DataFrame({"did": list(generic)}, schema={"did": pl.Int32}),
    ]).unique()
    rows = it.filter(
        pl.col("did").is_in(dids["did"].implode()) | pl.col("hs6").is_in(chem_codes)
        | (pl.col("hs6").is_in(press_codes) & pl.col("did").is_in(maybe["did"].implode()))
    )["row"].to_list()
    # a valid CAS field of an unlisted chemical says something only under a code for manufactured goods
    quiet = list(g.kb.chemical_chapters) + list(g.kb.material_chapters)
    odd_cas = field_cas.join(it.select("row", "chapter"), on="row", how="left").filter(
        pl.col("substance").is_not_null() | ~pl.col("valid") | ~pl.col("chapter").fill_null("").is_in(quiet)
    )
    return set(rows) | set(ids["row"].to_list()) | set(odd_cas["row"].to_list())


def _field_cas(it: pl.DataFrame, g: GoodsContext) -> pl.DataFrame:
    """The item's own CAS field, validated like a number found in the text (keyed by row)."""
    field = it.filter(pl.col("cas_number").is_not_null() & (pl.col("cas_number").str.strip_chars() != ""))
    if field.is_empty():
        return empty({"row": pl.Int64, "written": pl.String, "cas": pl.String, "valid": pl.Boolean,
                      "substance": pl.String, "near_miss": pl.String})
    found = field.select(pl.col("row").cast(pl.Int32).alias("did"), pl.col("cas_number").alias("written"))
    return check_cas(found, g.kb, g.near_cas).rename({"did": "row"}).with_columns(pl.col("row").cast(pl.Int64))


def describe(descriptions: pl.Series, g: GoodsContext) -> pl.DataFrame:
    """``description, family`` for distinct descriptions, read as detection reads them (for learning the
    families' profiles from stored lines)."""
    distinct = descriptions.drop_nulls().unique()
    if distinct.is_empty():
        return pl.DataFrame(schema={"description": pl.String, "family": pl.String})
    views = make_views(distinct)
    hits = scan_text(views, g.compiled)
    classes = scan_classes(Views(without_colours(views.frame, g.kb)), g.compiled, views.frame["did"])
    beside = hits.filter(pl.col("kind").is_in(["equipment", "model", "declared_as", "eq_context"]))["did"].unique()
    res = resolve(hits, g.compiled, views.frame, classes, scan_uses(views, g.compiled, beside))
    fam = word_families(res.flags, vague_descriptions(views.frame, g.vague), g.kb)
    return views.frame.select("did", "description").join(fam, on="did").select("description", "family")
