"""Reasons about the declared HS code: watched headings, and description–code disagreements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from interdictor.reference.hs import text_of, texts_along
from interdictor.screen.goods.corroborate import Signals, signals, watched_support
from interdictor.screen.goods.evidence import quote
from interdictor.screen.goods.fit import chapter_fit, misfits, named_in_code
from interdictor.screen.goods.resolve import Resolved

if TYPE_CHECKING:
    from interdictor.screen.goods.itemreasons import Emitter

Row = dict[str, Any]
# chapters where a good that is plainly something else (keyboards, shirts) disagrees with its code
PRECURSOR_CHAPTERS = ("28", "29", "38")


def chemical_rows(
    emit: Emitter, ids: pl.DataFrame, desc_cas: pl.DataFrame, field_cas: pl.DataFrame
) -> tuple[set[int], set[int]]:
    """(rows that are a knowledge-base substance, rows known as a chemical only by a valid CAS number)."""
    named = set(ids.filter(~pl.col("ambiguous") & (pl.col("source") != "hs"))["row"].to_list()) if ids.height else set()
    cas = set(emit.rows_of(desc_cas.filter(pl.col("valid")))["row"].to_list()) if desc_cas.height else set()
    if field_cas.height:
        cas |= set(field_cas.filter(pl.col("valid"))["row"].to_list())
    return named, cas - named


def code_reasons(
    emit: Emitter, ids: pl.DataFrame, res: Resolved, desc_cas: pl.DataFrame, field_cas: pl.DataFrame,
    families: pl.DataFrame | None = None,
) -> list[Row]:
    named_rows, cas_rows = chemical_rows(emit, ids, desc_cas, field_cas)
    return (
        watched_headings(emit, ids, res)
        + chemical_mismatches(emit, named_rows, cas_rows)
        + equipment_mismatches(emit, res)
        + ordinary_goods_mismatches(emit, res, named_rows | cas_rows)
        + (family_misfits(emit, families, named_rows | cas_rows) if families is not None else [])
    )


def family_misfits(emit: Emitter, families: pl.DataFrame, chem_rows: set[int]) -> list[Row]:
    """GOODS_DESC_CODE_MISFIT: the words name one kind of ordinary goods and the declared code is in none of
    the chapters those goods are classified in.  Under a precursor chapter or a press heading the stronger
    GOODS_HS_MISMATCH says so already."""
    kb = emit.kb
    equip_codes = [c for c, h in kb.headings.items() if h.role in ("equipment", "parts")]
    lines = emit.rows_of(families.select("did", "family")).join(
        emit.it.select("row", "chapter", "hs6"), on="row"
    ).filter(
        pl.col("chapter").is_not_null() & ~pl.col("chapter").is_in(list(PRECURSOR_CHAPTERS))
        & ~pl.col("hs6").fill_null("").is_in(equip_codes) & ~pl.col("row").is_in(list(chem_rows))
    )
    found = misfits(lines.select("row", "family", "chapter"), chapter_fit(kb), emit.g.profiles.usual_chapters)
    if found.is_empty():
        return []
    emit.prepare(set(found["row"].to_list()))
    out = []
    for row, family, chapters in found.iter_rows():
        r = emit.item(row)
        said = text_of(r["hs_digits"])
        if named_in_code(r["description"] or "", texts_along(r["hs_digits"])):
            continue
        quoted = f" — '{_short(said[1])}' (HS {said[0]}, HS 2022 nomenclature)" if said else " (a chapter the HS does not have)"
        out.append(emit.reason(row, "GOODS_DESC_CODE_MISFIT", (
            f"description {quote(r['description'])} names {family.replace('_', ' ')}, classified in HS chapters "
            f"{_chapters(chapters)}, but is declared under HS {r['hs_digits']}{quoted}")))
    return out


def _chapters(chapters: list[str], shown: int = 10) -> str:
    found = sorted(set(chapters))
    more = f" and {len(found) - shown} more" if len(found) > shown else ""
    return ", ".join(found[:shown]) + more


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def watched_headings(emit: Emitter, ids: pl.DataFrame, res: Resolved) -> list[Row]:
    """GOODS_HS_WATCHED: a residual precursor heading always; a press, die or parts heading only on a line
    that does not explain itself (it carries vacuum sealers and sheet-metal dies too)."""
    out: list[Row] = []
    kb = emit.kb
    watched = {c: h for c, h in kb.headings.items() if h.role in ("residual", "equipment", "parts")}
    lines = emit.it.filter(pl.col("hs6").is_in(list(watched))).select("row", "did", "hs6")
    if lines.is_empty():
        return out
    specific = set(ids.filter(pl.col("source") == "hs")["row"].to_list())
    named_equipment = set(emit.rows_of(res.equipment)["row"].to_list())
    sig = signals(res.flags, lines["did"].drop_nulls().unique().to_list(), emit.generic)
    # a press or die line that names no use and is generic, named or speaks of tablets is worth fetching
    press = {c for c, h in watched.items() if h.role != "residual"}
    keep = [row for row, did, hs6 in lines.iter_rows()
            if row not in specific and (hs6 not in press or row in named_equipment or _maybe(sig.get(did, Signals())))]
    emit.prepare(set(keep))
    kept = set(keep)
    for row, did, hs6 in lines.iter_rows():
        if row not in kept:
            continue
        heading = watched[hs6]
        text = f"declared HS {hs6} ({heading.title}) is a heading where precursors or pill-press equipment are declared"
        if heading.role == "residual" or row in named_equipment:
            out.append(emit.reason(row, "GOODS_HS_WATCHED", text))
            continue
        e = kb.equipment_by_id(heading.equipment) if heading.equipment else None
        why = watched_support(heading, e, emit.item(row), sig.get(did, Signals()))
        if why is not None:
            out.append(emit.reason(row, "GOODS_HS_WATCHED", f"{text}; {why}"))
    return out


def _maybe(s: Signals) -> bool:
    """Could a press or die heading count on a line with these signals (see ``watched_support``)?"""
    return s.tablet_words or (s.generic and not s.ordinary_use)


def chemical_mismatches(emit: Emitter, named_rows: set[int], cas_rows: set[int]) -> list[Row]:
    out = []
    kb = emit.kb
    for row in named_rows:
        r = emit.item(row)
        if r["chapter"] and r["chapter"] not in kb.chemical_chapters:
            out.append(emit.reason(row, "GOODS_HS_MISMATCH", f"description {quote(r['description'])} is a chemical "
                                   f"but is declared under HS {r['hs_digits']} (chapter {r['chapter']}, not a "
                                   "chemical chapter)"))
    # a substance known only by its CAS number may be a gum, a resin or a mineral: only a code for
    # manufactured goods disagrees with it
    quiet = [*kb.chemical_chapters, *kb.material_chapters]
    odd = emit.it.filter(pl.col("row").is_in(list(cas_rows)) & pl.col("chapter").is_not_null()
                         & ~pl.col("chapter").is_in(quiet))
    for row in odd["row"].to_list():  # few: most lines with a CAS number are declared as chemicals
        r = emit.item(row)
        ch = r["chapter"]
        if ch:
            out.append(emit.reason(row, "GOODS_HS_MISMATCH", f"description {quote(r['description'])} carries a "
                                   f"valid CAS number (a chemical) but is declared under HS {r['hs_digits']} "
                                   f"(chapter {ch}, manufactured goods)"))
    return out


def equipment_mismatches(emit: Emitter, res: Resolved) -> list[Row]:
    out: list[Row] = []
    if res.equipment.is_empty():
        return out
    kb = emit.kb
    eq = emit.rows_of(res.equipment.filter(~pl.col("model_only")))
    for row, eid in eq.select("row", "equipment").iter_rows():
        r = emit.item(row)
        h = kb.headings.get(r["hs6"] or "")
        if r["chapter"] and (r["chapter"] not in kb.equipment_chapters or (h is not None and h.role == "disguise")):
            e = kb.equipment_by_id(eid)
            where = f"HS {r['hs_digits']}" + (f" ({h.title}, a heading watched for hidden presses and dies — a heuristic)"
                                              if h is not None and h.role == "disguise" else "")
            out.append(emit.reason(row, "GOODS_HS_MISMATCH", f"description {quote(r['description'])} is a "
                                   f"{e.name.lower()} (belongs in HS {', '.join(e.hs)}) but is declared under {where}"))
    return out


def ordinary_goods_mismatches(emit: Emitter, res: Resolved, chem_rows: set[int]) -> list[Row]:
    """Ordinary goods under a precursor chapter or a press/die heading (only those lines reach Python)."""
    out: list[Row] = []
    kb = emit.kb
    equip_codes = [c for c, h in kb.headings.items() if h.role in ("equipment", "parts")]
    odd = emit.it.filter(pl.col("chapter").is_in(list(PRECURSOR_CHAPTERS)) | pl.col("hs6").is_in(equip_codes))
    if odd.is_empty():
        return out
    # a line with chemical words ("heterocyclic compounds ... ring") is not an ordinary good
    cls = odd.select("row", "did").join(
        res.flags.filter((pl.col("classes").list.len() > 0) & ~pl.col("chem_context")).select("did", "classes"),
        on="did",
    )
    classes = {c.id: c for c in kb.classes}
    cls = cls.filter(~pl.col("row").is_in(list(chem_rows)))
    emit.prepare(set(cls["row"].to_list()))
    for row, cids in cls.select("row", "classes").iter_rows():
        r = emit.item(row)
        h = kb.headings.get(r["hs6"] or "")
        fits = [classes[c] for c in cids if r["chapter"] in classes[c].chapters]
        if fits:
            continue
        c = classes[cids[0]]
        out.append(emit.reason(row, "GOODS_HS_MISMATCH", f"description {quote(r['description'])} names "
                               f"{c.id.replace('_', ' ')} (chapters {', '.join(c.chapters)}) but is declared under HS "
                               f"{r['hs_digits']}{' (' + h.title + ')' if h else ''}"))
    return out
