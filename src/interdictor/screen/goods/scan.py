"""Multi-pattern search over a whole column in one pass (Aho-Corasick, in polars' Rust engine).

``str.extract_many`` / ``str.find_many`` with overlapping matches run the automaton over every row in
parallel; Python never loops over rows, only over the (few) hits.  Positions are byte offsets within
each description: hits of one description can be compared with each other (containment, overlap).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

HIT_SCHEMA = pl.Schema(
    {"did": pl.Int32, "gid": pl.Int32, "start": pl.Int64, "end": pl.Int64, "local": pl.Int64}
)


@dataclass(frozen=True)
class KeySet:
    """The keys of one view: their texts, and which group id (``gid``) each text stands for."""

    texts: list[str]
    table: pl.DataFrame  # text, gid, blen (length in UTF-8 bytes)

    @classmethod
    def build(cls, keys: pl.DataFrame) -> KeySet:
        table = keys.select(
            "text", pl.col("gid").cast(pl.Int32), pl.col("text").str.len_bytes().cast(pl.Int64).alias("blen")
        )
        return cls(table["text"].to_list(), table)

    def __len__(self) -> int:
        return len(self.texts)


def scan_column(views: pl.Series, keys: KeySet, dids: pl.Series | None = None) -> pl.DataFrame:
    """``did, gid, start, end, local`` for every key found in ``views`` (overlapping matches too).

    ``did`` is the row number in ``views`` (or the value of ``dids`` there); ``start``/``end`` are byte
    offsets of the first and last byte of the match; ``local`` equals ``start``.
    """
    if views.is_empty() or not keys.texts:
        return pl.DataFrame(schema=HIT_SCHEMA)
    did = dids.cast(pl.Int32) if dids is not None else pl.Series("did", range(len(views)), dtype=pl.Int32)
    found = (
        pl.DataFrame({"did": did, "t": views})
        .select(
            "did",
            pl.col("t").str.extract_many(keys.texts, overlapping=True).alias("text"),
            pl.col("t").str.find_many(keys.texts, overlapping=True).alias("start"),
        )
        .filter(pl.col("text").list.len() > 0)
    )
    if found.is_empty():
        return pl.DataFrame(schema=HIT_SCHEMA)
    return (
        found.explode("text", "start")
        .join(keys.table, on="text")
        .select(
            pl.col("did").cast(pl.Int32),
            "gid",
            pl.col("start").cast(pl.Int64),
            (pl.col("start").cast(pl.Int64) + pl.col("blen") - 1).alias("end"),
            pl.col("start").cast(pl.Int64).alias("local"),
        )
    )
