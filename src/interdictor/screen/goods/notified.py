"""Pre-notified lawful trade (PEN-style): the exporting side's authority announces a shipment of a
controlled chemical or press before it leaves, and the arriving shipment is matched to it.

A line matches a notification when the goods are the knowledge-base identity the notification names,
the consignee is the notified importer (folded name, legal forms dropped, and the same country when
both give one), the shipper — when the line names one — is the notified exporter, the declared quantity is within ``TOLERANCE`` of the notified one (after unit
conversion) and the shipment arrives inside the notified window.  A line of the same goods from the
notified exporter that does not match — another importer, another quantity — is a possible diversion
of the notified trade.  Everything here is one polars pass over the lines that need a licence.
"""

from __future__ import annotations

import polars as pl

from interdictor.model import Batch
from interdictor.screen.parties.keys import name_key

NOTIFICATION_SCHEMA = pl.Schema(
    {"authority": pl.String, "reference": pl.String, "exporter": pl.String, "exporter_country": pl.String,
     "importer": pl.String, "importer_country": pl.String, "goods": pl.String, "quantity": pl.Float64,
     "unit": pl.String, "arrival_from": pl.Date, "arrival_to": pl.Date, "port": pl.String}
)
# the lines the matcher reads: one row per (line, goods id) that needs a licence
LINE_SCHEMA = pl.Schema(
    {"row": pl.Int64, "goods": pl.String, "consignee": pl.String, "consignee_country": pl.String,
     "shipper": pl.String, "shipper_country": pl.String, "day": pl.Date, "weight_kg": pl.Float64,
     "count": pl.Float64}
)
MATCH_SCHEMA = pl.Schema({"row": pl.Int64, "goods": pl.String, "outcome": pl.String, "authority": pl.String,
                          "reference": pl.String, "evidence": pl.String})

TOLERANCE = 0.10  # a declared quantity within 10 % of the notified one matches
DIVERSION_SLACK_DAYS = 30  # a diversion is looked for this long either side of the notified window
# a litre of a liquid precursor weighs 0.7–1.6 kg (amines and ketones to halides): a notification in
# litres is compared with the declared weight through that range, the knowledge base holding no densities
LIQUID_KG_PER_L = (0.7, 1.6)
# unit → (dimension, factor to kg | L | pieces)
UNITS: dict[str, tuple[str, float]] = {
    "kg": ("mass", 1.0), "g": ("mass", 1e-3), "mg": ("mass", 1e-6), "t": ("mass", 1e3),
    "l": ("volume", 1.0), "ml": ("volume", 1e-3),
    "pcs": ("count", 1.0), "pc": ("count", 1.0), "unit": ("count", 1.0), "units": ("count", 1.0),
}
_LEGAL_FORM = (r"(?i)\b(co|company|corp|corporation|inc|incorporated|llc|ltd|limited|plc|gmbh|sa|srl|bv|ag|lp|"
               r"llp|sarl|pvt)\b\.?")


def unit_of(text: str) -> str | None:
    """The canonical unit for what a notifier wrote ('KG', 'litres', 'Pieces' → 'kg', 'l', 'pcs')."""
    u = text.strip().lower().rstrip(".")
    u = {"kilogram": "kg", "kilograms": "kg", "kgs": "kg", "gram": "g", "grams": "g", "litre": "l", "litres": "l",
         "liter": "l", "liters": "l", "tonne": "t", "tonnes": "t", "piece": "pcs", "pieces": "pcs"}.get(u, u)
    return u if u in UNITS else None


def party_key(col: pl.Expr) -> pl.Expr:
    """The party matcher's folded name with legal forms dropped: 'Acme Pharma, Inc.' and 'ACME PHARMA' agree."""
    return name_key(col.str.replace_all(_LEGAL_FORM, " ")).fill_null("")


def prepare(notifications: pl.DataFrame) -> pl.DataFrame:
    """Notifications with their folded parties and quantity in its base unit (kg, L or pieces): done once
    per screening setup, when the registry is built."""
    n = notifications.select(list(NOTIFICATION_SCHEMA))
    dims = {u: d for u, (d, _) in UNITS.items()}
    factors = {u: f for u, (_, f) in UNITS.items()}
    return n.with_columns(
        party_key(pl.col("importer")).alias("importer_key"),
        party_key(pl.col("exporter")).alias("exporter_key"),
        pl.col("unit").str.to_lowercase().replace_strict(dims, default=None, return_dtype=pl.String).alias("dim"),
        (pl.col("quantity") * pl.col("unit").str.to_lowercase().replace_strict(factors, default=None,
                                                                                return_dtype=pl.Float64)).alias("base"),
    )


def _same_country(a: str, b: str) -> pl.Expr:
    return pl.col(a).is_null() | pl.col(b).is_null() | (pl.col(a).str.to_uppercase() == pl.col(b).str.to_uppercase())


def _quantity_fits() -> pl.Expr:
    """True when the line's quantity is within the tolerance of the notified one; null when the line has
    no quantity to compare (a press without a count, a line without a weight)."""
    lo, hi = 1 - TOLERANCE, 1 + TOLERANCE
    w, c, base = pl.col("weight_kg"), pl.col("count"), pl.col("base")
    return (
        pl.when(pl.col("dim") == "mass").then(w.is_between(base * lo, base * hi))
        .when(pl.col("dim") == "volume").then(w.is_between(base * LIQUID_KG_PER_L[0] * lo, base * LIQUID_KG_PER_L[1] * hi))
        .when(pl.col("dim") == "count").then(c.is_between(base * lo, base * hi))
        .otherwise(None)
    )


def _declared() -> pl.Expr:
    return (pl.when(pl.col("dim") == "count").then(pl.format("{} pieces", pl.col("count").round(3)))
            .otherwise(pl.format("{} kg", pl.col("weight_kg").round(3))))


def evidence_prefix(authority: str, reference: str) -> str:
    """How the evidence of a match begins: what the unmatched-window check looks for among stored reasons."""
    return f"pre-notification {reference} of {authority} matches"


def match(lines: pl.DataFrame, notifications: pl.DataFrame) -> pl.DataFrame:
    """For each (row, goods) of ``lines`` (``LINE_SCHEMA``) that a prepared notification concerns: the best
    ``outcome`` — ``match`` (lawful, pre-notified) or ``diverted`` (same goods from the notified exporter,
    but another importer or quantity) — with the notification and plain-words evidence (``MATCH_SCHEMA``)."""
    if lines.is_empty() or notifications.is_empty():
        return pl.DataFrame(schema=MATCH_SCHEMA)
    ln = lines.select(list(LINE_SCHEMA)).with_columns(
        party_key(pl.col("consignee")).alias("consignee_key"), party_key(pl.col("shipper")).alias("shipper_key"))
    j = ln.join(notifications, on="goods", how="inner")
    if j.is_empty():
        return pl.DataFrame(schema=MATCH_SCHEMA)
    slack = pl.duration(days=DIVERSION_SLACK_DAYS)
    j = j.with_columns(
        ((pl.col("consignee_key") != "") & (pl.col("consignee_key") == pl.col("importer_key"))
         & _same_country("consignee_country", "importer_country")).alias("importer_ok"),
        ((pl.col("shipper_key") != "") & (pl.col("shipper_key") == pl.col("exporter_key"))
         & _same_country("shipper_country", "exporter_country")).alias("exporter_ok"),
        _quantity_fits().alias("quantity_ok"),
        (pl.col("day").is_null() | pl.col("day").is_between(pl.col("arrival_from"), pl.col("arrival_to"))).alias("in_window"),
        (pl.col("day").is_null() | pl.col("day").is_between(pl.col("arrival_from") - slack, pl.col("arrival_to") + slack))
        .alias("near_window"),
    )
    notified = pl.format("pre-notification {} of {}", pl.col("reference"), pl.col("authority"))
    window = pl.format("arrival {} to {}", pl.col("arrival_from"), pl.col("arrival_to"))
    what = pl.format("{} {} of {} from '{}' ({}) to '{}' ({})", pl.col("quantity").round(3), pl.col("unit"),
                     pl.col("goods"), pl.col("exporter"), pl.col("exporter_country").fill_null("?"),
                     pl.col("importer"), pl.col("importer_country").fill_null("?"))
    # the shipper, when the line names one, is the notified exporter: another supplier's goods are not the
    # notified shipment, even to the notified importer
    matched = j.filter(pl.col("importer_ok") & pl.col("quantity_ok").fill_null(False) & pl.col("in_window")
                       & (pl.col("exporter_ok") | (pl.col("shipper_key") == ""))).select(
        "row", "goods", pl.lit("match").alias("outcome"), "authority", "reference",
        pl.format("{} matches: {}, {}; this line declares {} to '{}', filed {}", notified, what, window, _declared(),
                  pl.col("consignee"), pl.col("day")).alias("evidence"),
    )
    why = (pl.when(~pl.col("importer_ok"))
           .then(pl.format("consigned to '{}' ({}), not the notified importer", pl.col("consignee").fill_null("no one named"),
                           pl.col("consignee_country").fill_null("?")))
           .when(pl.col("quantity_ok").is_null()).then(pl.lit("no quantity comparable with the notified one"))
           .otherwise(pl.format("{} declared against {} {} notified", _declared(), pl.col("quantity").round(3),
                                pl.col("unit"))))
    diverted = j.filter(
        pl.col("exporter_ok") & pl.col("near_window") & (~pl.col("importer_ok") | ~pl.col("quantity_ok").fill_null(True))
    ).select(
        "row", "goods", pl.lit("diverted").alias("outcome"), "authority", "reference",
        pl.format("same goods from the exporter of {} ({}, {}) but {}: possible diversion of notified trade",
                  notified, what, window, why).alias("evidence"),
    )
    # a line that matches any notification is lawful; only a line that matches none may be a diversion
    ok = matched.select("row", "goods").unique()
    found = pl.concat([matched, diverted.join(ok, on=["row", "goods"], how="anti")])
    return found.sort("row", "goods", "outcome", "reference").unique(["row", "goods"], keep="first", maintain_order=True)



def lines_of(batch: Batch, it: pl.DataFrame, phys: pl.DataFrame, wants: pl.DataFrame) -> pl.DataFrame:
    """``LINE_SCHEMA`` for ``wants`` (``row, goods``): each line's consignee and shipper with their countries,
    its filing day, its weight (``phys``: a lone line borrows its shipment's) and its declared count."""

    def party(role: str) -> pl.DataFrame:
        return (batch.parties.filter(pl.col("party") == role).unique("shipment_id", keep="first", maintain_order=True)
                .select("shipment_id", pl.col("name").alias(role),
                        pl.col("country").alias(f"{role}_country")))

    return (
        wants.join(it.select("row", "shipment_id", pl.col("quantity").alias("count")), on="row", how="left")
        .join(phys.select("row", pl.col("w").alias("weight_kg")), on="row", how="left")
        .join(party("consignee"), on="shipment_id", how="left")
        .join(party("shipper"), on="shipment_id", how="left")
        .join(batch.shipments.select("shipment_id", pl.col("filed_at").dt.date().alias("day")), on="shipment_id",
              how="left")
        .select([pl.col(c).cast(t) for c, t in LINE_SCHEMA.items()])
    )
