"""Reasons from addresses and from what the store has seen before.

* ADDRESS_PO_BOX / ADDRESS_VIRTUAL_OFFICE — a shipper whose return address is a
  box or a mail drop;
* ADDRESS_INCONSISTENT — city, postal code and country that do not agree;
* ADDRESS_SHARED_BY_SHIPPERS — one return address used by many differently
  named shippers (this batch and the store's history together);
* ADDRESS_RESIDENTIAL_CHEMICALS — chemicals or tableting equipment to a private
  person or a dwelling;
* PARTY_FIRST_SEEN_CONSIGNEE — a consignee the store has never seen (weak).
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

from interdictor.model import REASON_SCHEMA, empty
from interdictor.screen.parties.keys import consignee_hash, name_key
from interdictor.screen.parties.part import PartiesPart
from interdictor.screen.parties.places import inconsistencies
from interdictor.screen.parties.text import vocab

WEIGHTS = {
    "ADDRESS_PO_BOX": 10.0,
    "ADDRESS_VIRTUAL_OFFICE": 10.0,
    "ADDRESS_INCONSISTENT": 12.0,
    "ADDRESS_SHARED_BY_SHIPPERS": 18.0,
    "ADDRESS_RESIDENTIAL_CHEMICALS": 18.0,
    "PARTY_FIRST_SEEN_CONSIGNEE": 4.0,
}

# Goods that make a residential delivery worth a look: inorganic and organic
# chemicals, chemical products (HS 28, 29, 38), the subheadings the knowledge base
# watches for tableting and encapsulating machines, their parts, punches and dies,
# and the ones they are declared under instead (8479.89, 8422.30, 8207.30, moulds
# of 8480.79, ...; not the whole headings, which also hold router bits, drill bits
# and vacuum sealers) — and words that say so.
# Words naming the chemistry or the machine count under any code (a precursor
# declared as something else); words any powdered good may carry count only
# when the HS code is missing or too short to say what the goods are.
CHEMICAL_CHAPTERS = ("28", "29", "38")


@cache
def chemical_hs() -> str:
    """The codes (digits, any length from the subheading on) of residential-chemical goods."""
    from interdictor.reference.kb import load_kb

    machines = sorted(c.replace(".", "") for c, h in load_kb().headings.items() if h.role in ("equipment", "parts", "disguise"))
    return r"^(" + "|".join([*CHEMICAL_CHAPTERS, *machines]) + ")"


@cache
def consumer_chemicals() -> str:
    """A pattern of the chemicals households buy by name (the knowledge base's ``consumer_chemicals`` class)."""
    from interdictor.reference.kb import load_kb

    words = [w for c in load_kb().classes if c.id == "consumer_chemicals" for w in c.words]
    if not words:
        return "$^"
    return r"(?i)(?:^|\W)(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?:\W|$)"

CHEMICAL_WORDS = (
    r"(?i)\b(reagent|intermediate|precursor|amine|bromide|chloride|"
    r"piperidine|piperidone|propionyl|phenethyl|benzyl|ephedrine|glycidate|nitro|cas\s*no|"
    r"tablet press|pill press|tablet machine|punch(es)?|dies?|die set|encapsulat\w*|capsule filling)\b"
)
GENERIC_CHEMICAL_WORDS = r"(?i)\b(chemicals?|powder|crystals?|solvent|acid)\b"


def _frame(
    df: pl.DataFrame, code: str, evidence: pl.Expr, weight: pl.Expr | float | None = None
) -> pl.DataFrame:
    w = (
        pl.lit(WEIGHTS[code])
        if weight is None
        else (weight if isinstance(weight, pl.Expr) else pl.lit(weight))
    )
    return df.select(
        pl.col("shipment_id"),
        pl.lit(code).alias("code"),
        w.cast(pl.Float64).alias("weight"),
        evidence.alias("evidence"),
        pl.lit(None, pl.Int32).alias("item"),
        pl.col("party"),
    )


def chemical_shipments(items: pl.DataFrame) -> pl.DataFrame:
    """shipment_id and a short description of its first chemical or equipment item."""
    if items.is_empty():
        return empty({"shipment_id": pl.String, "goods": pl.String})
    digits = pl.col("hs_code").str.replace_all(r"\D", "")
    coded = digits.str.len_chars().fill_null(0) >= 4
    # a chemical named as one households buy (citric acid, baking soda) is an ordinary delivery
    consumer = pl.col("description").str.contains(consumer_chemicals()).fill_null(False)
    hit = items.filter(
        (digits.str.contains(chemical_hs()).fill_null(False) & ~consumer)
        | pl.col("description").str.contains(CHEMICAL_WORDS).fill_null(False)
        | (~coded & ~consumer & pl.col("description").str.contains(GENERIC_CHEMICAL_WORDS).fill_null(False))
    )
    if hit.is_empty():
        return empty({"shipment_id": pl.String, "goods": pl.String})
    return hit.group_by("shipment_id").agg(
        pl.format("'{}' (HS {})", pl.col("description").fill_null("?"), pl.col("hs_code").fill_null("?"))
        .first()
        .alias("goods")
    )


def _org_words() -> pl.Series:
    v = vocab()
    words = [k[0] for k, (kind, _c) in v.phrases.items() if len(k) == 1 and kind in ("legal", "generic")]
    return pl.Series(sorted(set(words)), dtype=pl.String)


def is_person(name: pl.Expr) -> pl.Expr:
    """A name of 2-4 words with no legal form or trade word: most likely a private person."""
    toks = name.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars().str.split(" ")
    org = toks.list.eval(pl.element().is_in(_org_words().implode())).list.any()
    n = toks.list.len()
    return (~org & n.is_between(2, 4)).fill_null(False)


@cache
def _legal_forms() -> str:
    forms = sorted({" ".join(k) for k, (kind, _c) in vocab().phrases.items() if kind == "legal"}, key=len, reverse=True)
    return r"(?:^| )(?:" + "|".join(re.escape(f) for f in forms) + r")(?: |$)"


def has_legal_form(name: pl.Expr) -> pl.Expr:
    """The name carries a legal form (Inc, LLC, Ltd, S de RL, GmbH, ...): a registered company."""
    plain = name.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
    return plain.str.contains(_legal_forms()).fill_null(False)


def address_reasons(parties: pl.DataFrame, items: pl.DataFrame, part: PartiesPart) -> pl.DataFrame:
    """``parties`` is annotated (addresses.annotate)."""
    out: list[pl.DataFrame] = []
    shippers = parties.filter(pl.col("party") == "shipper")
    out.append(
        _frame(
            shippers.filter(pl.col("po_box")),
            "ADDRESS_PO_BOX",
            pl.format("shipper return address '{}' is a post-office or private mailbox", "address"),
        )
    )
    out.append(
        _frame(
            shippers.filter(pl.col("virtual_office") & ~pl.col("po_box")),
            "ADDRESS_VIRTUAL_OFFICE",
            pl.format("shipper return address '{}' is a mail drop or virtual office", "address"),
        )
    )
    if part.places is not None:
        inc = inconsistencies(parties, part.places)
        if inc.height:
            out.append(
                _frame(
                    inc,
                    "ADDRESS_INCONSISTENT",
                    pl.format("{} address: {}", "party", "evidence"),
                    pl.col("severity") * WEIGHTS["ADDRESS_INCONSISTENT"],
                )
            )
    out.append(_shared(shippers, part))
    out.append(_residential(parties, items))
    out.append(_first_seen(parties, part))
    frames = [f for f in out if f.height]
    return pl.concat(frames) if frames else empty(REASON_SCHEMA)


def _shared(shippers: pl.DataFrame, part: PartiesPart) -> pl.DataFrame:
    s = shippers.filter(pl.col("addr_key").is_not_null() & pl.col("name").is_not_null()).with_columns(
        name_key(pl.col("name")).alias("nk")
    )
    if s.is_empty():
        return empty(REASON_SCHEMA)
    need = part.config.shared_address_names
    hist = part.history.shared_addresses.with_columns(pl.col("hist_names").list.len().alias("_nh"))
    batch = (
        s.group_by("addr_key")
        .agg(pl.col("nk").unique().alias("batch_names"))
        .join(hist.select("addr_key", "_nh"), on="addr_key", how="left")
        # only addresses that could reach the count are worth a union of names
        .filter(pl.col("batch_names").list.len() + pl.col("_nh").fill_null(0) >= need)
        .drop("_nh")
    )
    if batch.is_empty():
        return empty(REASON_SCHEMA)
    j = batch.join(hist.drop("_nh"), on="addr_key", how="left").with_columns(
        pl.concat_list(pl.col("batch_names"), pl.col("hist_names").fill_null(pl.lit([], pl.List(pl.String))))
        .list.unique()
        .alias("all_names")
    )
    many = j.filter(pl.col("all_names").list.len() >= need)
    if many.is_empty():
        return empty(REASON_SCHEMA)
    hits = s.join(many.select("addr_key", "all_names"), on="addr_key")
    ev = pl.format(
        "return address '{}' is used by {} differently named shippers (e.g. {})",
        "address",
        pl.col("all_names").list.len(),
        pl.col("all_names").list.head(3).list.join("; "),
    )
    return _frame(hits, "ADDRESS_SHARED_BY_SHIPPERS", ev)


def _residential(parties: pl.DataFrame, items: pl.DataFrame) -> pl.DataFrame:
    chem = chemical_shipments(items)
    if chem.is_empty():
        return empty(REASON_SCHEMA)
    cons = parties.filter(pl.col("party") == "consignee").join(chem, on="shipment_id")
    # a unit or suite number marks a dwelling only when no registered company is named there
    dwelling = pl.col("residential_mark") | (pl.col("residential_weak") & ~has_legal_form(pl.col("name")))
    cons = cons.with_columns(is_person(pl.col("name")).alias("person"), dwelling.alias("residential_mark"))
    res = cons.filter(pl.col("person") | pl.col("residential_mark"))
    why = (
        pl.when(pl.col("person") & pl.col("residential_mark"))
        .then(pl.lit("a private person at a dwelling"))
        .when(pl.col("person"))
        .then(pl.lit("a private person"))
        .otherwise(pl.lit("a dwelling"))
    )
    ev = pl.format("{} to consignee '{}' at '{}': {}", "goods", "name", "address", why)
    return _frame(res, "ADDRESS_RESIDENTIAL_CHEMICALS", ev)


def _first_seen(parties: pl.DataFrame, part: PartiesPart) -> pl.DataFrame:
    known = part.history.known_consignees
    if known is None or not part.config.first_seen:
        return empty(REASON_SCHEMA)
    cons = parties.filter((pl.col("party") == "consignee") & pl.col("name").is_not_null()).with_columns(
        consignee_hash(pl.col("name"), pl.col("postal_code"), pl.col("country")).alias("h")
    )
    new = cons.filter(~pl.col("h").is_in(known.implode()))
    return _frame(
        new,
        "PARTY_FIRST_SEEN_CONSIGNEE",
        pl.format(
            "consignee '{}' ({}) was never seen before in {} stored shipments",
            "name",
            pl.col("postal_code").fill_null("no postal code"),
            pl.lit(part.history.shipments_seen),
        ),
    )
