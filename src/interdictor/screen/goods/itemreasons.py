"""Reasons per item, from the findings of every layer (only flagged rows reach Python here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from interdictor.model import Batch, empty
from interdictor.screen.goods import profiles as prof
from interdictor.screen.goods.codereasons import PRECURSOR_CHAPTERS, code_reasons
from interdictor.screen.goods.context import GoodsContext
from interdictor.screen.goods.corroborate import declared_as_support, signals
from interdictor.screen.goods.evidence import (
    EQUIP_CODE,
    FLOOR_CODES,
    TIER_CODE,
    WEIGHTS,
    declared_instead,
    equipment_found,
    label,
    quote,
    standing,
    why,
)
from interdictor.screen.goods.fit import chapter_fit, speaks_for
from interdictor.screen.goods.licence import Verdict, check_transaction
from interdictor.screen.goods.lines import parties_of, physical
from interdictor.screen.goods.notified import lines_of, match
from interdictor.screen.goods.resolve import Resolved

if TYPE_CHECKING:
    from interdictor.screen.goods.structure_index import StructureResult

Row = dict[str, Any]
_SOURCE_CODE = {"name": "GOODS_PRECURSOR_NAME", "cas": "GOODS_CAS_MATCH", "structure": "GOODS_STRUCTURE_MATCH",
                "hs": "GOODS_HS_PRECURSOR_HEADING"}
# the item fields the reasons use (the rest of the line never reaches Python)
_FIELDS = ("row", "did", "shipment_id", "item", "description", "hs_digits", "hs6", "chapter", "quantity")
_SOURCE_ORDER = {"name": 0, "cas": 1, "structure": 2, "hs": 3}
_PACK_SIZE = r"(?i)\d\s*(?:kgs?|kilos?|kilograms?|lbs?|pounds?|tons?|tonnes?|mt)\b"
_PROFILE_CODE = {("code", True): "GOODS_VALUE_PROFILE", ("code", False): "GOODS_WEIGHT_PROFILE",
                 ("words", True): "GOODS_VALUE_FOR_WORDS", ("words", False): "GOODS_WEIGHT_FOR_WORDS"}
_METRIC_TEXT = {"usd_per_kg": ("declared value", "$/kg"), "kg_per_unit": ("weight per declared unit", "kg/unit"),
                "kg_per_piece": ("weight per piece", "kg/piece")}


class Emitter:
    def __init__(self, g: GoodsContext, it: pl.DataFrame, batch: Batch, generic: set[int] | None = None) -> None:
        self.g = g
        self.generic = generic or set()  # descriptions that name no particular machine or tool
        self.kb = g.kb
        self.it = it
        self.batch = batch
        self._rows: dict[int, Row] = {}
        self._physical: pl.DataFrame | None = None
        self._by_did: pl.DataFrame | None = None

    def item(self, row: int) -> Row:
        """The item's fields (fetched in bulk by ``prepare``; one by one only as a fallback)."""
        if row not in self._rows:
            self.prepare({row})
        return self._rows[row]

    def prepare(self, rows: set[int]) -> None:
        """Fetch the fields of these rows (with their line's weight and value, consignee and date)."""
        todo = [r for r in rows if r not in self._rows]
        if todo:
            sub = self.it.filter(pl.col("row").is_in(todo))
            ids = sub["shipment_id"].unique().implode()
            small = Batch(
                self.batch.shipments.filter(pl.col("shipment_id").is_in(ids)),
                self.batch.items.clear(),
                self.batch.parties.filter(pl.col("shipment_id").is_in(ids)),
                self.batch.legs.clear(),
            )
            phys = self.physical().drop("quantity").filter(pl.col("row").is_in(todo))
            sub = sub.select(_FIELDS).join(phys, on="row", how="left").join(
                parties_of(small), on="shipment_id", how="left"
            )
            self._rows.update({r["row"]: r for r in sub.iter_rows(named=True)})

    def physical(self) -> pl.DataFrame:
        """Weight, value and weight per piece of every line (computed once, on first need)."""
        if self._physical is None:
            self._physical = physical(self.batch, self.it)
        return self._physical

    def reason(self, row: int, code: str, evidence: str) -> Row:
        r = self.item(row)
        return {"shipment_id": r["shipment_id"], "code": code, "weight": WEIGHTS[code], "evidence": evidence,
                "item": r["item"], "party": None, "_row": row}

    def rows_of(self, did_frame: pl.DataFrame) -> pl.DataFrame:
        """``did_frame`` joined to the rows of each description (through a by-description index built once,
        so each call joins a few thousand descriptions, not every line)."""
        if did_frame.is_empty():  # the common case in a small batch: no join, the same columns
            return empty({"row": self.it.schema["row"], **did_frame.schema})
        if self._by_did is None:
            self._by_did = self.it.select("row", "did").drop_nulls("did").group_by("did").agg("row")
        return self._by_did.join(did_frame, on="did").explode("row").select("row", pl.exclude("row"))

    # ------------------------------------------------------------------ substances
    def substances(self, ids: pl.DataFrame) -> list[Row]:
        out: list[Row] = []
        if ids.is_empty():
            return out
        for (row, sid), grp in ids.group_by("row", "substance"):
            s = self.kb.substance(str(sid))
            desc = self.item(int(row))["description"]
            # evidence in a fixed order (name, CAS, structure, code), whatever order the routes arrived in
            pieces = dict(sorted(zip(grp["source"].to_list(), grp["piece"].to_list(), strict=True),
                                 key=lambda sp: _SOURCE_ORDER.get(sp[0], 9)))
            head = f"description {quote(desc)} is {label(s)}, {why(self.kb, s)}"
            if s.tier == "controlled":
                for source, piece in pieces.items():
                    if source == "hs" and len(pieces) == 1:
                        text = (f"declared under HS {self.item(int(row))['hs6']}, the subheading for {label(s)} alone "
                                f"({why(self.kb, s)}), though the description {quote(desc)} does not name it")
                    else:
                        text = f"{head}; {piece}"
                    out.append(self.reason(int(row), _SOURCE_CODE[source], text))
            else:
                out.append(self.reason(int(row), TIER_CODE[s.tier], f"{head}; " + "; ".join(pieces.values())))
        return out

    def structure_only(self, structs: dict[int, list[tuple[str, str, StructureResult]]], ids: pl.DataFrame) -> list[Row]:
        out: list[Row] = []
        if not structs:
            return out
        known = set(ids.select("row").unique()["row"].to_list())
        did_rows: dict[int, list[int]] = {}
        sub = self.it.filter(pl.col("did").is_in(list(structs))).select("did", "row")
        for did, row in sub.iter_rows():
            did_rows.setdefault(did, []).append(row)
        for did, found in structs.items():
            for source, text, r in found:
                if r.exact or r.stereo_of:
                    continue
                via = "SMILES" if source == "smiles" else "systematic name (resolved by OPSIN)"
                code, text_out = self._structure_text(r, via, text)
                if code is None:
                    continue
                for row in did_rows.get(did, []):
                    if code == "GOODS_STRUCTURE_SIMILAR" and row in known:
                        continue
                    out.append(self.reason(row, code, text_out))
        return out

    def _structure_text(self, r: StructureResult, via: str, text: str) -> tuple[str | None, str]:
        head = f"structure from {via} '{text}' ({r.smiles}) is not a listed substance"
        bits, leads = [], []
        if r.unmasks_to:
            sid, steps = r.unmasks_to
            s = self.kb.substance(sid)
            how = "; ".join(self.g.structures.rewrite_meaning[x] for x in steps) if self.g.structures else ""
            bits.append(f"unmasked in silico ({how}) it is {label(s)}, {why(self.kb, s)}")
            leads.append(s.short)
        if r.shares_parent:
            sid, parent = r.shares_parent
            s = self.kb.substance(sid)
            bits.append(f"it hydrolyses to the same parent ({parent}) as {label(s)}, {standing(s)}")
        for alert_id, _steps in r.alerts:
            a = next(a for a in self.kb.alerts if a.id == alert_id)
            if a.strength != "strong":
                continue
            names = ", ".join(self.kb.substance(t).short for t in a.leads_to)
            bits.append(f"it carries {a.meaning} (alert {a.id}; leads to {names})")
        if bits:
            return "GOODS_STRUCTURE_ALERT", head + "; " + "; ".join(bits) + " — a designer relative"
        if r.similar:
            sid, score = r.similar
            s = self.kb.substance(sid)
            return "GOODS_STRUCTURE_SIMILAR", f"{head}, but it is similar (Tanimoto {score}) to {label(s)}, {standing(s)}"
        return None, ""

    def substituted(self, res: Resolved, structs: dict[int, list[tuple[str, str, StructureResult]]],
                    ids: pl.DataFrame) -> list[Row]:
        """A listed name written with a substituent attached, when no structure says more."""
        out: list[Row] = []
        if res.substituted.is_empty():
            return out
        named = set(ids["row"].to_list())
        for row, did, sid, display in self.rows_of(res.substituted).select("row", "did", "substance", "display").iter_rows():
            if did in structs or row in named:
                continue
            s = self.kb.substance(sid)
            desc = self.item(row)["description"]
            out.append(self.reason(row, "GOODS_DESIGNER_PRECURSOR",
                                   f"description {quote(desc)} names a substituted {s.short} (the listed name '{display}' "
                                   f"is written with a substituent attached): a relative of {label(s)}, "
                                   f"{standing(s)}, not the listed substance itself"))
        return out

    def cas_slips(self, desc_cas: pl.DataFrame, field_cas: pl.DataFrame) -> list[Row]:
        out: list[Row] = []
        if desc_cas.is_empty() and field_cas.is_empty():
            return out
        bad = self.rows_of(desc_cas.filter(~pl.col("valid")).drop("substance"))
        bad = pl.concat([bad.select("row", "cas", "near_miss"), field_cas.filter(~pl.col("valid")).select("row", "cas", "near_miss")])
        for row, cas, near in bad.unique(["row", "cas"]).iter_rows():
            if near:
                s = self.kb.substance(near)
                out.append(self.reason(row, "GOODS_CAS_NEAR_MISS",
                                       f"CAS {cas} fails its check digit and is one slip from {s.cas}, the CAS of "
                                       f"{label(s)} ({standing(s)})"))
            else:
                out.append(self.reason(row, "GOODS_CAS_INVALID", f"CAS-like number {cas} fails its check digit"))
        return out

    # ------------------------------------------------------------------ equipment
    def equipment(self, res: Resolved) -> list[Row]:
        out: list[Row] = []
        if res.equipment.is_empty() and res.declared_as.is_empty():
            return out
        rows = self.rows_of(res.equipment)
        for row, eid, how, display, model_only in rows.select("row", "equipment", "how", "display", "model_only").iter_rows():
            e = self.kb.equipment_by_id(eid)
            desc = self.item(row)["description"]
            code = "EQUIP_MODEL" if model_only else EQUIP_CODE[e.kind]
            out.append(self.reason(row, code, equipment_found(e, desc, how, display, model_only)))
        # only under a heading of the knowledge base can a declared-instead word mean anything
        dec = self.rows_of(res.declared_as).join(self.it.select("row", "hs6"), on="row").filter(
            pl.col("hs6").is_in(list(self.kb.headings))
        )
        sig = signals(res.flags, dec["did"].unique().to_list(), self.generic)
        self.prepare(set(dec["row"].to_list()))
        for row, did, eid, display, verified in dec.select("row", "did", "equipment", "display", "verified").iter_rows():
            e = self.kb.equipment_by_id(eid)
            r = self.item(row)
            hs6 = r["hs6"]
            h = self.kb.headings.get(hs6 or "")
            entry = next((d for d in e.declared_as if display in d.words), None)
            # the word counts under the codes it is declared under instead, or under the equipment's own
            if entry is None or h is None or not (h.role in ("equipment", "parts") or hs6 in entry.hs):
                continue
            why = declared_as_support(e, entry, r, sig[did])
            if why is None:
                continue
            out.append(self.reason(row, "EQUIP_DECLARED_AS", declared_instead(e, display, hs6, h.title, verified, why)))
        return out

    # ------------------------------------------------------------------ vague, codes, profiles
    def vague(self, vague: pl.DataFrame) -> list[Row]:
        out: list[Row] = []
        if vague.is_empty():
            return out
        for row, fams, words in self.rows_of(vague).select("row", "families", "words").iter_rows():
            r = self.item(row)
            desc = r["description"]
            chem = "generic_chemical" in fams
            code = "GOODS_VAGUE_CHEMICAL" if chem else "GOODS_VAGUE_DESCRIPTION"
            what = "a generic chemical word" if chem else "only generic words"
            # "chemical raw material" under an epoxy resin's code is described by its code; under a
            # precursor chapter, a catch-all or no code at all, the line names nothing
            if not chem or not r["chapter"] or r["chapter"] in PRECURSOR_CHAPTERS:
                out.append(self.reason(row, code, f"description {quote(desc)} names no goods, {what} ({words or 'nothing'})"))
            w = self.item(row)["w"]
            if "samples" in fams and w is not None and w > self.g.sample_max_kg:
                out.append(self.reason(row, "GOODS_SAMPLE_WEIGHT", f"a 'sample' of {w:g} kg (samples rarely exceed "
                                       f"{self.g.sample_max_kg:g} kg)"))
        return out

    def codes(self, ids: pl.DataFrame, res: Resolved, desc_cas: pl.DataFrame, field_cas: pl.DataFrame,
              families: pl.DataFrame | None = None) -> list[Row]:
        return code_reasons(self, ids, res, desc_cas, field_cas, families)

    def profiles(self, ids: pl.DataFrame, families: pl.DataFrame) -> list[Row]:
        """Each line against what its code says (the declared code's profile) and, separately, against what
        its words say (the profile of the family of goods they name; a named chemical is a chemical)."""
        named = ids.filter(~pl.col("ambiguous")).select("row").unique() if ids.height else None
        by_words = self.rows_of(families)
        if named is not None and named.height:
            chem = named.select("row", pl.lit("generic_chemical").alias("family"), pl.lit("29").alias("heading"))
            by_words = pl.concat([by_words.join(named, on="row", how="anti").select("row", "family", "heading"),
                                  chem.cast({"row": by_words.schema["row"]})])
        phys = self.physical()  # row for row beside self.it (same order)
        numbers = pl.concat([self.it.select("hs_digits"), phys], how="horizontal").select(
            "row", "hs_digits", pl.col("w").alias("weight_kg"), pl.col("v").alias("value"), "quantity", "kg_per_piece")
        coded = numbers.filter(pl.col("hs_digits") != "").rename({"hs_digits": "heading"})
        # a line whose code speaks for the goods its words name is judged by the code's profile, the more
        # specific; words are weighed on their own where there is no code, or where the code is one those
        # goods are neither classified in nor commonly declared under (keyboards under a chemical's or a
        # toy's code) — against their family's learned profile, else the prior of its heading — by weight
        # per piece and value per kg, and per declared unit only without a code (with one, a "unit" means
        # too many things across a family)
        worded = numbers.join(by_words, on="row").join(
            self.it.select("row", "chapter", pl.col("description").str.contains(_PACK_SIZE).fill_null(False).alias("_sized")),
            on="row")
        if worded.height:
            worded = worded.with_columns(
                speaks_for(worded, chapter_fit(self.kb), self.g.profiles.usual_chapters).alias("_fits"))
            worded = worded.filter((pl.col("hs_digits") == "") | ~pl.col("_fits")).select(
                "row", (pl.lit(prof.FAMILY) + pl.col("family") + pl.lit("|") + pl.col("heading").fill_null(""))
                .alias("heading"), "weight_kg", "value", "kg_per_piece",
                # per declared unit only where no code says what a unit of the goods is
                # ... and not where the words give the pack's own weight ("25kg bag"): they say what a unit weighs
                pl.when((pl.col("hs_digits") == "") & ~pl.col("_sized")).then(pl.col("quantity")).alias("quantity"),
            )
        by_code = prof.check(coded, self.g.profiles)
        # words whose family has no profile of its own fall back to a heading's: when the code's check
        # used that same profile, the words say nothing more
        by_words = prof.check(worded, self.g.profiles).join(by_code.select("row", "metric", "key"),
                                                             on=["row", "metric", "key"], how="anti")
        flagged = pl.concat([by_code.with_columns(pl.lit("code").alias("_by")),
                             by_words.with_columns(pl.lit("words").alias("_by"))]).sort("row", "_by", "metric")
        if flagged.is_empty():
            return []
        # one weight reason per line and basis: per unit and per piece often say the same thing
        flagged = flagged.with_columns(
            pl.when(pl.col("metric") == "usd_per_kg").then(pl.lit("v")).otherwise(pl.lit("w")).alias("_k")
        ).unique(["row", "_by", "_k"], keep="first", maintain_order=True).drop("_k")
        self.prepare(set(flagged["row"].to_list()))
        out = []
        for row, metric, x, med, spread, key, source, n, by in flagged.iter_rows():
            out.append(self.reason(row, _PROFILE_CODE[(by, metric == "usd_per_kg")],
                                   profile_evidence(self.item(row), metric, x, med, spread, key, source, n)))
        return out

    # ------------------------------------------------------------------ licences
    def licences(self, rows: list[Row], ids: pl.DataFrame, res: Resolved) -> list[Row]:
        needs: dict[int, list[tuple[str, str, str]]] = {}  # row → [(goods id, licence, what)]
        tooling: dict[int, list[tuple[str, str]]] = {}
        if ids.is_empty() and res.equipment.is_empty():  # nothing that needs a licence
            return rows
        # an abbreviation with other meanings is enough for a finding, not for a licence hold
        sure = ids.group_by("row", "substance").agg((~pl.col("ambiguous")).any().alias("sure")).filter("sure")
        for row, sid in sure.select("row", "substance").iter_rows():
            s = self.kb.substance(sid)
            if s.tier in ("controlled", "drug") and s.licence:
                needs.setdefault(row, []).append((sid, s.licence, f"{label(s)} ({standing(s)})"))
        for row, eid in self.rows_of(res.equipment.filter(~pl.col("model_only"))).select("row", "equipment").iter_rows():
            e = self.kb.equipment_by_id(eid)
            if e.licence:
                needs.setdefault(row, []).append((eid, e.licence, f"a {e.name.lower()}"))
            else:
                tooling.setdefault(row, []).append((eid, e.name.lower()))
        covered: set[int] = set()
        extra: list[Row] = []
        notices = self.notices(needs)
        for row, wants in needs.items():
            r = self.item(row)
            checked: list[tuple[str, Verdict]] = []
            for gid, lic, what in wants:
                outcome, evidence = notices.get((row, gid), ("", ""))
                if outcome == "diverted":
                    extra.append(self.reason(row, "NOTIFIED_TRADE_DIVERTED", evidence))
                checked.append(("NOTIFIED_TRADE", Verdict(True, evidence)) if outcome == "match" else
                                ("LICENCE_NOTIFIED", check_transaction(self.g.registry, goods=gid, licence=lic,
                                                                       consignee=r["consignee"], when=r["filed_at"],
                                                                       weight_kg=r["w"], what=what)))
            if all(v.notified for _, v in checked):
                covered.add(row)
                extra += [self.reason(row, code, v.evidence) for code, v in checked]
            else:
                extra += [self.reason(row, "LICENCE_NOT_NOTIFIED", v.evidence) for _, v in checked if not v.notified]
        for row, tools in tooling.items():
            if row in needs:
                continue
            r = self.item(row)
            verdicts = [check_transaction(self.g.registry, goods=eid, licence="dea_452", consignee=r["consignee"],
                                          when=r["filed_at"], weight_kg=r["w"], what=what) for eid, what in tools]
            if verdicts and all(v.notified for v in verdicts):
                covered.add(row)
                extra += [self.reason(row, "LICENCE_NOTIFIED", v.evidence) for v in verdicts]
        kept = [r for r in rows + extra if not (r["_row"] in covered and r["code"] in FLOOR_CODES)]
        for r in kept:
            r.pop("_row", None)
        return kept

    def notices(self, needs: dict[int, list[tuple[str, str, str]]]) -> dict[tuple[int, str], tuple[str, str]]:
        """(row, goods id) → (``match`` | ``diverted``, evidence) against the exporting side's pre-notifications."""
        table = self.g.registry.notices
        if table.is_empty() or not needs:
            return {}
        wants = pl.DataFrame([(row, gid) for row, ws in needs.items() for gid, _, _ in ws],
                             schema={"row": pl.Int64, "goods": pl.String}, orient="row")
        found = match(lines_of(self.batch, self.it, self.physical(), wants), table)
        return {(row, goods): (outcome, ev) for row, goods, outcome, ev
                in found.select("row", "goods", "outcome", "evidence").iter_rows()}


def profile_evidence(r: Row, metric: str, x: float, med: float, spread: float, key: str, source: str, n: int) -> str:
    """"'keyboard' (1 piece): weight per piece 62 kg, 41× the median of 1,204 computer peripherals
    shipments (1.5 kg/piece, learned from past shipments; 5.2 spreads off)"."""
    what, unit = _METRIC_TEXT[metric]
    fam = key.removeprefix(prof.FAMILY)
    whose = f"{fam.replace('_', ' ')} lines" if key.startswith(prof.FAMILY) else (
        "lines of any code" if key == "default" else f"HS {key} lines")
    ratio = 10 ** (x - med)
    times = f"{ratio:.3g}× the median" if ratio >= 1 else f"1/{1 / ratio:.3g} of the median"
    basis = f"of {n:,} {whose} learned from past shipments" if source == "learned" else f"{whose} run (built-in prior)"
    return (f"{quote(r['description'])}: {what} {10 ** x:.3g} {unit}, {times} {basis} ({10 ** med:.3g} {unit}; "
            f"{abs(x - med) / max(spread, 1e-9):.1f} spreads off)")
