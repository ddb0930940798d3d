"""Goods weighed by who receives them and how they travel.

* EQUIP_TOOLING_TO_PRIVATE — dies, punches, moulds, tooling or a press, known by its words (a tool word
  of the knowledge base on a line that names no ordinary goods, a named machine or tooling, a word such
  goods are declared as instead) or by its code (the press, die and mould headings of ``hs.yaml``, not
  their parts', on a
  line whose words name no particular machine), going to a private person or a dwelling.  Tablet tooling
  is sold under plain trade names; a workshop that needs a die set is a business.  A line that names an
  ordinary use (a soap mould, a sheet-metal die) or an ordinary phrase ("hole punch") is not.
* GOODS_GLYCIDATE_BULK — a name of the glycidate family (the part of the name that carries the
  structure: glycidate, glycidic, oxirane-2-carboxylate), in bulk, entered here for a consignee in another
  country whose name names no flavour or food trade — a flavour name is how the BMK glycidate travels
  through a US gateway to the laboratories beyond the border.

The party side's own reading of a name and an address (``screen.parties``) says who is a private person.
Everything is column work; only the few lines found reach Python for their evidence.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import polars as pl

from interdictor.screen.goods.evidence import quote
from interdictor.screen.goods.normalise import normalise_many
from interdictor.screen.goods.patterns import TOOL_WORDS
from interdictor.screen.goods.vague import VagueMatcher, generic_equipment
from interdictor.screen.parties.address_reasons import has_legal_form, is_person
from interdictor.screen.parties.addresses import annotate

if TYPE_CHECKING:
    from interdictor.screen.goods.itemreasons import Emitter
    from interdictor.screen.goods.resolve import Resolved

Row = dict[str, Any]
BULK_KG = 20.0  # a glycidate flavour for tasting or a small kitchen comes by the kilogram, not in drums
ENTRY_COUNTRY = "US"  # the country whose entries Interdictor screens


def private_consignees(parties: pl.DataFrame) -> pl.DataFrame:
    """``shipment_id, consignee, address, who`` for consignees that are a private person or a dwelling."""
    cons = parties.filter(pl.col("party") == "consignee").unique("shipment_id", keep="first")
    if cons.is_empty():
        return pl.DataFrame(schema={"shipment_id": pl.String, "consignee": pl.String, "address": pl.String,
                                    "who": pl.String})
    cons = annotate(cons.select("shipment_id", "name", "address", "postal_code", "country"))
    person = is_person(pl.col("name"))
    dwelling = pl.col("residential_mark").fill_null(False) | (
        pl.col("residential_weak").fill_null(False) & ~has_legal_form(pl.col("name")))
    return cons.with_columns(person.alias("_p"), dwelling.alias("_d")).filter(pl.col("_p") | pl.col("_d")).select(
        "shipment_id", pl.col("name").alias("consignee"), "address",
        pl.when(pl.col("_p") & pl.col("_d")).then(pl.lit("a private person at a dwelling"))
        .when(pl.col("_p")).then(pl.lit("a private person")).otherwise(pl.lit("a dwelling")).alias("who"),
    )


def tooling_to_private(emit: Emitter, hits: pl.DataFrame, res: Resolved, views: pl.DataFrame,
                       matcher: VagueMatcher) -> list[Row]:
    kb = emit.kb
    token = hits.filter(pl.col("view") == "token")
    blocked = token.filter(pl.col("kind") == "blocker_e").select("did")
    # a tool word counts on a line that names no ordinary goods ("chocolate mould") and no ordinary use
    words = token.filter((pl.col("kind") == "eq_context") & pl.col("target").is_in(list(TOOL_WORDS))).select("did")
    goods = res.flags.filter((pl.col("classes").list.len() > 0) & ~pl.col("tablet_words")).select("did")
    ordinary = res.flags.filter(pl.col("ordinary_use") & ~pl.col("tablet_words")).select("did")
    named = pl.concat([res.equipment.select("did"),
                       pl.concat([res.declared_as.select("did"), words]).join(goods, on="did", how="anti")]).unique()
    by_words = named.join(blocked, on="did", how="anti").join(ordinary, on="did", how="anti")
    # under a press, die or mould code, a line whose words name no particular machine or tool
    codes = [c for c, h in kb.headings.items() if h.role in ("equipment", "disguise")]
    lines = emit.it.select("row", "did", "shipment_id", "hs6")
    under = lines.filter(pl.col("hs6").is_in(codes))["did"].drop_nulls().unique()
    plain = generic_equipment(views.filter(pl.col("did").is_in(under.implode())), matcher)
    found = lines.filter(
        pl.col("did").is_in(by_words["did"].implode())
        | (pl.col("hs6").is_in(codes) & pl.col("did").is_in(plain.implode()))
    )
    if found.is_empty():
        return []
    private = private_consignees(emit.batch.parties.filter(pl.col("shipment_id").is_in(found["shipment_id"].implode())))
    found = found.join(private, on="shipment_id").unique("shipment_id", keep="first")
    if found.is_empty():
        return []
    emit.prepare(set(found["row"].to_list()))
    out = []
    for row, hs6, consignee, address, who in found.select("row", "hs6", "consignee", "address", "who").iter_rows():
        r = emit.item(row)
        heading = kb.headings.get(hs6 or "")
        what = (f"declared under HS {hs6} ({heading.title})" if heading is not None and hs6 in codes
                else "named as tooling or a press by its words")
        out.append(emit.reason(row, "EQUIP_TOOLING_TO_PRIVATE", (
            f"{quote(r['description'])}, {what}, goes to consignee '{consignee}' at '{address or '?'}': {who} — "
            "tablet tooling and presses are sold under such plain trade names")))
    return out


def _alternation(words: tuple[str, ...], inside: bool = False) -> str:
    """Whole words of the token view; ``inside``: anywhere in a word too (the structural part of a chemical
    name is written into it: "methylphenylglycidate")."""
    phrases = sorted({w.strip() for w in normalise_many(list(words)) if w.strip()}, key=len, reverse=True)
    if not phrases:
        return "$^"
    alt = "|".join(re.escape(p) for p in phrases)
    return f"(?:{alt})" if inside else rf"(?:^| )(?:{alt})(?: |$)"


def glycidates_in_bulk(emit: Emitter, views: pl.DataFrame) -> list[Row]:
    kb = emit.kb
    stems = kb.name_families.get("glycidate", ())
    if not stems:
        return []
    named = views.filter(pl.col("token").str.contains(_alternation(stems, inside=True)))
    if named.is_empty():
        return []
    rows = emit.it.filter(pl.col("did").is_in(named["did"].implode())).select("row", "shipment_id")
    # forwarded: the consignee is in another country than the one the goods are entered in
    abroad = emit.batch.parties.filter(
        (pl.col("party") == "consignee") & pl.col("shipment_id").is_in(rows["shipment_id"].implode())
        & pl.col("country").is_not_null() & (pl.col("country").str.to_uppercase().str.strip_chars() != ENTRY_COUNTRY)
    ).unique("shipment_id").select("shipment_id", "country", "city")
    rows = rows.join(abroad, on="shipment_id")
    if rows.is_empty():
        return []
    emit.prepare(set(rows["row"].to_list()))
    trades = _alternation(kb.flavour_trades)
    out = []
    for row, _sid, country, city in rows.iter_rows():
        r = emit.item(row)
        w = r["w"]
        consignee = r["consignee"] or ""
        if w is None or w < BULK_KG or re.search(trades, " " + " ".join(normalise_many([consignee])) + " "):
            continue
        out.append(emit.reason(row, "GOODS_GLYCIDATE_BULK", (
            f"{quote(r['description'])} names a glycidate (the name family of the BMK and PMK glycidates, "
            f"which flavour names do not tell apart), {w:g} kg in bulk, entered here for '{consignee or '?'}' in "
            f"{city + ', ' if city else ''}{country} — a consignee abroad whose name names no flavour, fragrance or "
            "food trade")))
    return out
