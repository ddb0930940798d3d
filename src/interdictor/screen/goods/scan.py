"""Multi-pattern search over a column in one pass (Aho-Corasick, one automaton per key set).

The automaton is built once per key set (that is, once per context, on first use) and run once over
all the descriptions not met before, joined by newlines; Python only touches the (few) hits.  A key
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
        table = keys.select("text", pl.col("gid").cast(pl.Int32))
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


def scan_column(views: pl.Series, keys: KeySet, dids: pl.Series | None = None) -> pl.DataFrame:
    """``did, gid, start, end, local`` for every key found in ``views`` (overlapping matches too).

    ``did`` is the row number in ``views`` (or the value of ``dids`` there); ``start``/``end`` are
    character offsets of the first and last character of the match; ``local`` equals ``start``.
    """
    if views.is_empty() or not keys.texts:
        return pl.DataFrame(schema=HIT_SCHEMA)
    ids = dids.cast(pl.Int32).to_list() if dids is not None else list(range(len(views)))
    texts = views.fill_null("").to_list()
    seen = keys._seen.lookup(texts, lambda new: _scan_new(new, keys))
    out_did: list[int] = []
    out_gid: list[int] = []
    out_end: list[int] = []
    out_len: list[int] = []
    for did, text in zip(ids, texts, strict=True):
        for gid, end, n in seen.get(text, ()):
            out_did.append(did)
            out_gid.append(gid)
            out_end.append(end)
            out_len.append(n)
    if not out_did:
        return pl.DataFrame(schema=HIT_SCHEMA)
    end_s = pl.Series("end", out_end, dtype=pl.Int64)
    start_s = end_s - pl.Series(out_len, dtype=pl.Int64) + 1
    return pl.DataFrame(
        {"did": pl.Series(out_did, dtype=pl.Int32), "gid": pl.Series(out_gid, dtype=pl.Int32),
         "start": start_s, "end": end_s, "local": start_s},
        schema=HIT_SCHEMA,
    )


def _scan_new(texts: list[str], keys: KeySet) -> dict[str, tuple[tuple[int, int, int], ...]]:
    """The hits of texts not met before (most have none)."""
    # one pass over the texts joined by a newline (no key holds one, so no match spans two texts):
    # Python then touches only the hits, not every text
    starts = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    found: dict[int, list[tuple[int, int, int]]] = {}
    for end, (gid, n) in keys.automaton().iter("\n".join(texts)):
        i = bisect.bisect_right(starts, end) - 1
        found.setdefault(i, []).append((gid, end - starts[i], n))
    return {text: tuple(found.get(i, ())) for i, text in enumerate(texts)}
