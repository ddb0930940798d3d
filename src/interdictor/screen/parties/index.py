"""Screening many names against a watchlist without comparing every pair.

Each list name is folded once; its *distinctive* tokens (never legal forms,
trade words or places) become blocking keys:

* a rare token (in few list names) is a key, and so are its one-letter
  deletions when it is five letters or longer, so "guanleng" still meets
  "guanlang" (both lose a letter to "guanlng") and "guanlng" meets it directly;
* a common token ("muhammad", "wang", "garcia") is a key only paired with
  another token of the same name, so "Jose Garcia" does not pull every Garcia;
* adjacent tokens run together are keys as well ("TDP MOLDS" / "TDPMOLDS").

Party names are folded the cheap way in polars (lower case, punctuation to
spaces) to make the same keys; a name meeting no key — most consignees, who
are private persons — costs a few column operations and nothing else.  Only
names that share a key with a list name are folded properly and scored by
``similarity.compare``.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

import polars as pl

from interdictor.reference.watchlists.model import Entry
from interdictor.screen.parties.similarity import (
    DEFAULT_PARAMS,
    DEFAULT_POSSIBLE,
    Comparison,
    Params,
    compare_names,
)
from interdictor.screen.parties.text import NameForm, name_variants, vocab

COMMON_DF: Final = 20  # a token in more list names than this blocks only in pairs
MIN_DELETE_LEN: Final = 5
WEAK_ALIAS_MIN: Final = 0.95  # a weak alias counts only when (nearly) exact
SCREENED_KINDS: Final = frozenset({"individual", "entity", "unknown"})


@dataclass(frozen=True)
class ListName:
    """One name (primary or alias) of one list entry."""

    name_id: int
    entry: Entry
    raw: str
    weak: bool
    forms: tuple[NameForm, ...]


@dataclass(frozen=True)
class NameHit:
    query: str
    name: ListName
    comparison: Comparison

    @property
    def score(self) -> float:
        return self.comparison.score


def _deletes(token: str) -> list[str]:
    return [token[:i] + token[i + 1 :] for i in range(len(token))]


def _token_keys(token: str) -> list[str]:
    keys = [token]
    if len(token) >= MIN_DELETE_LEN:
        keys += _deletes(token)
    return keys


@dataclass
class WatchlistIndex:
    names: list[ListName]
    postings: dict[str, list[int]]
    common: frozenset[str]
    params: Params = DEFAULT_PARAMS
    floor: float = DEFAULT_POSSIBLE
    _keys: pl.DataFrame | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        entries: Iterable[Entry],
        params: Params = DEFAULT_PARAMS,
        floor: float = DEFAULT_POSSIBLE,
        kinds: frozenset[str] = SCREENED_KINDS,
    ) -> WatchlistIndex:
        names: list[ListName] = []
        for e in entries:
            if e.kind not in kinds:
                continue
            for raw, weak in e.names():
                forms = name_variants(raw)
                if forms and forms[0].tokens:
                    names.append(ListName(len(names), e, raw, weak, forms))
        df: Counter[str] = Counter()
        for n in names:
            df.update({t for f in n.forms for t in f.distinctive if len(t) > 1})
        common = frozenset(t for t, c in df.items() if c > COMMON_DF)
        postings: dict[str, list[int]] = defaultdict(list)
        for n in names:
            for key in {k for f in n.forms for k in _name_keys(f.distinctive, common, f.surface)}:
                postings[key].append(n.name_id)
        return cls(names, dict(postings), common, params, floor)

    # ------------------------------------------------------------ blocking

    @property
    def keys(self) -> pl.DataFrame:
        if self._keys is None:
            ks, ids = [], []
            for k, lst in self.postings.items():
                ks.extend([k] * len(lst))
                ids.extend(lst)
            self._keys = pl.DataFrame(
                {"key": ks, "name_id": ids}, schema={"key": pl.String, "name_id": pl.UInt32}
            )
        return self._keys

    def candidates_one(self, query: str) -> set[int]:
        found: set[int] = set()
        for form in name_variants(query):
            for key in _name_keys(form.distinctive, self.common, form.surface):
                found.update(self.postings.get(key, ()))
        return found

    def candidates(self, queries: pl.Series) -> pl.DataFrame:
        """(query, name_id) pairs sharing a blocking key; queries are distinct names."""
        q = pl.DataFrame({"query": queries.cast(pl.String)}).filter(pl.col("query").is_not_null()).unique()
        if q.is_empty() or not self.postings:
            return pl.DataFrame(schema={"query": pl.String, "name_id": pl.UInt32})
        tokens = _fast_tokens(q)
        keys = _frame_keys(tokens, self.common)
        return keys.join(self.keys, on="key", how="inner").select("query", "name_id").unique()

    # ------------------------------------------------------------ scoring

    def score_pairs(self, pairs: Iterable[tuple[str, int]]) -> list[NameHit]:
        hits: list[NameHit] = []
        for query, name_id in pairs:
            ln = self.names[name_id]
            c = compare_names(name_variants(query), ln.forms, self.params)
            if c.score < self.floor or (ln.weak and c.score < WEAK_ALIAS_MIN):
                continue
            hits.append(NameHit(query, ln, c))
        return hits

    def match_one(self, query: str) -> list[NameHit]:
        """Hits for one name (the single-shipment path: no polars, dictionary lookups only)."""
        return best_per_entry(self.score_pairs((query, i) for i in self.candidates_one(query)))

    def match_many(self, queries: pl.Series) -> list[NameHit]:
        """Hits for many distinct names (the batch path)."""
        cands = self.candidates(queries)
        return best_per_entry(self.score_pairs(cands.iter_rows()))


def best_per_entry(hits: Sequence[NameHit]) -> list[NameHit]:
    """Keep, per (query, list entry), the alias that matched best."""
    best: dict[tuple[str, str, str], NameHit] = {}
    for h in hits:
        k = (h.query, h.name.entry.list_id, h.name.entry.uid)
        if k not in best or h.score > best[k].score:
            best[k] = h
    return sorted(best.values(), key=lambda h: (h.query, -h.score))


def _name_keys(tokens: Sequence[str], common: frozenset[str], surface: Sequence[str] = ()) -> list[str]:
    toks = [t for t in dict.fromkeys(tokens) if len(t) > 1]
    keys: list[str] = []
    commons = sorted(t for t in toks if t in common)
    for t in toks:
        if t not in common:
            keys += _token_keys(t)
    for i, a in enumerate(commons):
        keys += [f"{a}|{b}" for b in commons[i + 1 :]]
    if len(toks) == 1 and toks[0] in common:
        keys.append(toks[0])  # a one-word name can only be found by its word
    seq = list(surface or tokens)
    for a, b in itertools.pairwise(seq):
        keys.append(a + b)
    return keys


_VOCAB_TOKENS: set[str] | None = None


def _vocab_tokens() -> set[str]:
    """Single words of the vocabulary (legal forms, trade words, places, stop words):
    never blocking keys, dropped from the cheap fold before keys are made."""
    global _VOCAB_TOKENS
    if _VOCAB_TOKENS is None:
        _VOCAB_TOKENS = {k[0] for k in vocab().phrases if len(k) == 1}
    return _VOCAB_TOKENS


def _fast_tokens(q: pl.DataFrame) -> pl.DataFrame:
    """(query, pos, token) with the cheap fold for ASCII names and the full one otherwise."""
    ascii_mask = q["query"].str.contains(r"^[\x00-\x7F]*$")
    plain = q.filter(ascii_mask).with_columns(
        pl.col("query")
        .str.to_lowercase()
        .str.replace_all(r"['’`]", "")
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
        .str.split(" ")
        .alias("token")
    )
    other = q.filter(~ascii_mask)
    if other.height:
        folded = [
            " ".join(dict.fromkeys(t for f in name_variants(s) for t in f.distinctive))
            for s in other["query"]
        ]
        other = other.with_columns(pl.Series("token", folded, dtype=pl.String).str.split(" "))
        plain = pl.concat([plain, other])
    stop = pl.Series(sorted(_vocab_tokens()), dtype=pl.String).implode()
    return (
        plain.explode("token")
        .filter(pl.col("token").str.len_chars() > 0)
        .with_columns(
            pl.int_range(pl.len()).over("query").alias("pos"),
            pl.col("token").is_in(stop).alias("vocab"),
        )
    )


def _frame_keys(tokens: pl.DataFrame, common: frozenset[str]) -> pl.DataFrame:
    """Blocking keys of the cheap-folded tokens, as a (query, key) frame."""
    com = pl.Series(sorted(common), dtype=pl.String).implode()
    t = tokens.filter(~pl.col("vocab") & (pl.col("token").str.len_chars() > 1)).with_columns(
        pl.col("token").is_in(com).alias("common")
    )
    rare = t.filter(~pl.col("common"))
    exact = rare.select("query", pl.col("token").alias("key"))
    long = rare.filter(pl.col("token").str.len_chars() >= MIN_DELETE_LEN)
    deletes = (
        long.with_columns(pl.int_ranges(0, pl.col("token").str.len_chars()).alias("i"))
        .explode("i")
        .select(
            "query",
            (pl.col("token").str.slice(0, pl.col("i")) + pl.col("token").str.slice(pl.col("i") + 1)).alias(
                "key"
            ),
        )
    )
    commons = t.filter(pl.col("common")).select("query", "token")
    pairs = (
        commons.join(commons, on="query", suffix="_b")
        .filter(pl.col("token") < pl.col("token_b"))
        .select("query", (pl.col("token") + "|" + pl.col("token_b")).alias("key"))
    )
    singles = commons.select("query", pl.col("token").alias("key"))
    ordered = tokens.sort("query", "pos")
    joined = ordered.with_columns(pl.col("token").shift(-1).over("query").alias("next")).filter(
        pl.col("next").is_not_null()
    )
    runs = joined.select("query", (pl.col("token") + pl.col("next")).alias("key"))
    return pl.concat([exact, deletes, pairs, singles, runs]).unique()
