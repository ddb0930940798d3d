"""Multi-pattern search over a column in one pass (Aho-Corasick).

Small inputs run one automaton per key set (built once per context, on first use) over the
descriptions joined by newlines; large ones go to polars' search, which runs in Rust on every core.
Either way Python only touches the (few) hits.  A key
set remembers the hits of each text it scanned (the same descriptions come back batch after batch),
up to a bound.  Positions are character offsets within
each description: hits of one description can be compared with each other (containment, overlap).
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from typing import Any

import ahocorasick
import polars as pl

from interdictor.model import empty
from interdictor.screen.goods.memo import Memo

HIT_SCHEMA = pl.Schema(
    {"did": pl.Int32, "gid": pl.Int32, "start": pl.Int64, "end": pl.Int64, "local": pl.Int64}
)


@dataclass(frozen=True)
class KeySet:
    """The keys of one view: their texts, and which group id (``gid``) each text stands for."""

    texts: list[str]
    table: pl.DataFrame  # text, gid
    _automaton: list[Any] = field(default_factory=list, repr=False, compare=False)  # built on first scan
    # text → its hits (gid, end, length): the same descriptions come back batch after batch
    _seen: Memo[str, tuple[tuple[int, int, int], ...]] = field(default_factory=Memo, repr=False, compare=False)

    @classmethod
    def build(cls, keys: pl.DataFrame) -> KeySet:
        # one group per key text (a text given twice keeps its last group)
        table = keys.select("text", pl.col("gid").cast(pl.Int32)).unique("text", keep="last", maintain_order=True)
        return cls(table["text"].to_list(), table)

    def __len__(self) -> int:
        return len(self.texts)

    def automaton(self) -> Any:
        if not self._automaton:
            a = ahocorasick.Automaton()
            for text, gid in zip(self.texts, self.table["gid"].to_list(), strict=True):
                a.add_word(text, (gid, len(text)))
            a.make_automaton()
            self._automaton.append(a)
        return self._automaton[0]


HIT_ROWS = {"row": pl.UInt32, "gid": pl.Int32, "end": pl.Int64, "n": pl.Int64}
BULK_CHARS = 300_000  # from this much text on, polars' search (which compiles its automaton per call) wins


def scan_column(views: pl.Series, keys: KeySet, dids: pl.Series | None = None, *,
                remember: bool = True) -> pl.DataFrame:
    """``did, gid, start, end, local`` for every key found in ``views`` (overlapping matches too).

    ``did`` is the row number in ``views`` (or the value of ``dids`` there); ``start``/``end`` are
    character offsets of the first and last character of the match; ``local`` equals ``start``.
    ``remember=False`` scans every text and remembers nothing (for callers that remember the
    answers themselves and pass only texts not met before); large inputs are never remembered either,
    since polars scans them faster than Python could look each one up.
    """
    if views.is_empty() or not keys.texts:
        return empty(HIT_SCHEMA)
    if remember and views.str.len_bytes().sum() < BULK_CHARS:  # a bulk scan costs less than remembering
        texts = views.fill_null("").to_list()
        seen = keys._seen.lookup(texts, lambda new: _scan_new(new, keys))
        found = [(i, *h) for i, t in enumerate(texts) for h in seen[t]]
        if not found:
            return empty(HIT_SCHEMA)
        hits = pl.DataFrame(found, schema=HIT_ROWS, orient="row")
    else:
        hits = _hit_rows(views, keys)
        if hits.is_empty():
            return empty(HIT_SCHEMA)
    did = dids.cast(pl.Int32).gather(hits["row"]) if dids is not None else hits["row"].cast(pl.Int32)
    start = hits["end"] - hits["n"] + 1
    return pl.DataFrame({"did": did, "gid": hits["gid"], "start": start, "end": hits["end"], "local": start},
                        schema=HIT_SCHEMA)


def _hit_rows(views: pl.Series, keys: KeySet) -> pl.DataFrame:
    """``row, gid, end, n`` for every key in every text: ``end`` the character offset of the match's last
    character, ``n`` its length in characters."""
    if views.str.len_bytes().sum() >= BULK_CHARS:
        return _hit_rows_bulk(views, keys)
    # small inputs: the automaton built once per key set, run once over the texts joined by a newline
    # (no key holds one, so no match spans two texts); Python touches only the hits
    texts = views.fill_null("").to_list()
    starts = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    rows = []
    for end, (gid, n) in keys.automaton().iter("\n".join(texts)):
        i = bisect.bisect_right(starts, end) - 1
        rows.append((i, gid, end - starts[i], n))
    return pl.DataFrame(rows, schema=HIT_ROWS, orient="row")


def _hit_rows_bulk(views: pl.Series, keys: KeySet) -> pl.DataFrame:
    """``_hit_rows`` for large inputs: polars runs the Aho-Corasick search in Rust, on every core."""
    frame = views.fill_null("").rename("t").to_frame().with_row_index("row")
    hits = (
        frame.with_columns(pl.col("t").str.extract_many(keys.texts, overlapping=True).alias("text"),
                           pl.col("t").str.find_many(keys.texts, overlapping=True).alias("at"))
        .filter(pl.col("text").list.len() > 0)
        .explode("text", "at")
        .join(keys.table, on="text", how="inner", maintain_order="left")
    )
    if hits.is_empty():
        return empty(HIT_ROWS)
    # find_many gives byte offsets; the hits are compared and quoted in characters
    wide = pl.col("t").str.len_bytes() != pl.col("t").str.len_chars()
    hits = hits.with_columns(pl.col("at").cast(pl.Int64), pl.col("text").str.len_chars().cast(pl.Int64).alias("n"))
    if hits.select(wide.any()).item():
        chars = [len(t.encode()[:at].decode("utf-8", "ignore")) if w else at
                 for t, at, w in hits.select("t", "at", wide.alias("w")).iter_rows()]
        hits = hits.with_columns(pl.Series("at", chars, dtype=pl.Int64))
    return hits.select("row", "gid", (pl.col("at") + pl.col("n") - 1).alias("end"), "n")


def _scan_new(texts: list[str], keys: KeySet) -> dict[str, tuple[tuple[int, int, int], ...]]:
    """The hits ``(gid, end, length)`` of texts not met before (most have none)."""
    out: dict[str, tuple[tuple[int, int, int], ...]] = dict.fromkeys(texts, ())
    hits = _hit_rows(pl.Series(texts, dtype=pl.String), keys)
    found: dict[int, list[tuple[int, int, int]]] = {}
    for row, gid, end, n in hits.iter_rows():
        found.setdefault(row, []).append((gid, end, n))
    for row, h in found.items():
        out[texts[row]] = tuple(h)
    return out
