"""The item lines as the goods layers see them: row number, description key, declared code split out,
and the physical figures (weight, value, weight per piece) a line has or borrows from its shipment.

Everything here is one vectorised pass over the items; work that depends only on a value that
repeats (the declared code) is done once per distinct value and joined on.
"""

from __future__ import annotations

import polars as pl

from interdictor.model import Batch

HS_SCHEMA = pl.Schema({"hs_code": pl.String, "hs_digits": pl.String, "hs6": pl.String, "chapter": pl.String})


def hs_parts(codes: pl.Series) -> pl.DataFrame:
    """``hs_code, hs_digits, hs6, chapter`` for each distinct declared code (few: a day has ~1,000)."""
    digits = pl.col("hs_code").fill_null("").str.replace_all(".", "", literal=True)
    return (
        codes.rename("hs_code").unique().to_frame()
        .with_columns(digits.alias("hs_digits"))
        .with_columns(
            pl.when(pl.col("hs_digits").str.len_chars() >= 6)
            .then(pl.concat_str(pl.col("hs_digits").str.slice(0, 4), pl.lit("."), pl.col("hs_digits").str.slice(4, 2)))
            .alias("hs6"),
            pl.when(pl.col("hs_digits").str.len_chars() >= 2).then(pl.col("hs_digits").str.slice(0, 2)).alias("chapter"),
        )
        .select(list(HS_SCHEMA))
    )


def item_lines(batch: Batch) -> pl.DataFrame:
    """Items with a row number, a 64-bit key of the description (``_h``) and their declared code split out."""
    it = batch.items.with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row"), pl.col("description").hash().alias("_h")
    )
    return it.join(hs_parts(it["hs_code"]), on="hs_code", how="left", nulls_equal=True, maintain_order="left")


def physical(batch: Batch, it: pl.DataFrame) -> pl.DataFrame:
    """``row, w, v, kg_per_piece, quantity`` (in the order of ``it``): a lone line of its shipment borrows the
    shipment's figures.

    Only lone lines need the shipment (the weight of a line among several is not the parcel's), so only
    they are joined to it.
    """
    lines = it.select("row", "shipment_id", "weight_kg", "value", "quantity")
    if it.height == batch.items.height:  # every line of the batch: a lone line is one whose shipment id is unique
        single = lines.filter(~pl.col("shipment_id").is_duplicated()).select("row", "shipment_id")
    else:
        ids = batch.items["shipment_id"]
        lone = ids.filter(~ids.is_duplicated())
        single = lines.filter(pl.col("shipment_id").is_in(lone.implode())).select("row", "shipment_id")
    s = batch.shipments.select("shipment_id", "gross_weight_kg", "pieces", "declared_value")
    borrowed = single.join(s, on="shipment_id", how="left").select(
        "row",
        pl.col("gross_weight_kg").alias("_gw"),
        pl.col("declared_value").alias("_dv"),
        pl.when(pl.col("pieces") > 0).then(pl.col("gross_weight_kg") / pl.col("pieces")).alias("kg_per_piece"),
    )
    return lines.join(borrowed, on="row", how="left", maintain_order="left").select(
        "row",
        pl.coalesce("weight_kg", "_gw").alias("w"),
        pl.coalesce("value", "_dv").alias("v"),
        "kg_per_piece",
        "quantity",
    )


def parties_of(batch: Batch) -> pl.DataFrame:
    """``shipment_id, consignee, filed_at`` (the consignee's name is what notifications are matched on)."""
    consignee = (
        batch.parties.filter(pl.col("party") == "consignee")
        .unique("shipment_id", keep="first")
        .select("shipment_id", pl.col("name").alias("consignee"))
    )
    return batch.shipments.select("shipment_id", "filed_at").join(consignee, on="shipment_id", how="left")
