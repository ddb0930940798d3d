"""Screening many names against a watchlist without comparing every pair.

Each list name is folded once and posted under blocking keys (``blocking``).
Party names make the same keys the cheap way, in polars; a name meeting no key
— most consignees, who are private persons — costs a few column operations and
nothing else.  Only pairs worth comparing are folded properly and scored by
``similarity.compare``; one name at a time, and a batch of a few names (a
submission, a message), take the same route with dictionary lookups instead of
polars.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

import polars as pl

from interdictor.model import empty
from interdictor.reference.watchlists.model import Entry
from interdictor.screen.parties.blocking import (
    LONE_WORD_MIN,
    batch_keys,
    distinct_tokens,
    fast_tokens,
    form_keys,
    full_fold_queries,
    query_keys,
    worth_comparing,
)
from interdictor.screen.parties.similarity import (
    DEFAULT_PARAMS,
    DEFAULT_POSSIBLE,
    Comparison,
    Params,
    compare_names,
)
from interdictor.screen.parties.text import NAME, NameForm, name_variants, party_kind

__all__ = ["LONE_WORD_MIN", "ListName", "NameHit", "WatchlistIndex", "best_per_entry"]

COMMON_DF: Final = 20  # a token in more list names than this blocks only in pairs
MAX_NEAR_POSTINGS: Final = 40  # a near-miss key shared by more list names selects nothing in particular
WEAK_ALIAS_MIN: Final = 0.95  # a weak alias counts only when (nearly) exact
SCREENED_KINDS: Final = frozenset({"individual", "entity", "unknown"})
FEW_NAMES: Final = 256  # distinct names up to which a batch takes the single-name path


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


def _fold_other(name: str) -> list[str]:
    return list(dict.fromkeys(t for f in name_variants(name) for t in f.distinctive))


@dataclass
class WatchlistIndex:
    names: list[ListName]
    postings: dict[str, list[tuple[int, str]]]  # key -> (name_id, list-name tokens it stands for)
    common: frozenset[str]
    n_tokens: list[int]  # distinctive tokens per list name
    lone_len: list[int]  # length of the one token of a one-token list name (0 otherwise)
    commons_of: dict[int, frozenset[str]]  # list name -> its common distinctive tokens
    personal: frozenset[str] = frozenset()  # distinctive tokens of listed persons' names (given names, surnames)
    params: Params = DEFAULT_PARAMS
    floor: float = DEFAULT_POSSIBLE
    _keys: pl.DataFrame | None = field(default=None, repr=False)
    _info: pl.DataFrame | None = field(default=None, repr=False)
    _commons: pl.DataFrame | None = field(default=None, repr=False)

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
            df.update({t for f in n.forms for t in distinct_tokens(f)})
        common = frozenset(t for t, c in df.items() if c > COMMON_DF)
        postings: dict[str, list[tuple[int, str]]] = defaultdict(list)
        near: dict[str, int] = Counter()
        n_tokens: list[int] = []
        lone_len: list[int] = []
        commons_of: dict[int, frozenset[str]] = {}
        for n in names:
            toks = {t for f in n.forms for t in distinct_tokens(f)}
            n_tok = max(len(distinct_tokens(f)) for f in n.forms)
            n_tokens.append(n_tok)
            lone_len.append(len(next(iter(toks))) if n_tok == 1 and toks else 0)
            if toks & common:
                commons_of[n.name_id] = frozenset(toks & common)
            for key, etoks, is_near in {k for f in n.forms for k in form_keys(f, common, n_tok)}:
                postings[key].append((n.name_id, etoks))
                if is_near:
                    near[key] += 1
        for key, count in near.items():
            if count > MAX_NEAR_POSTINGS and key not in df:
                del postings[key]
        personal = frozenset(t for n in names if n.entry.kind == "individual" for f in n.forms
                             for t in distinct_tokens(f))
        return cls(names, dict(postings), common, n_tokens, lone_len, commons_of, personal, params, floor)

    # ------------------------------------------------------------ frames for the batch path

    @property
    def keys(self) -> pl.DataFrame:
        if self._keys is None:
            ks = [k for k, lst in self.postings.items() for _ in lst]
            ids = [i for lst in self.postings.values() for i, _t in lst]
            toks = [t for lst in self.postings.values() for _i, t in lst]
            self._keys = pl.DataFrame(
                {"key": ks, "name_id": ids, "etoks": toks},
                schema={"key": pl.String, "name_id": pl.UInt32, "etoks": pl.String},
            )
        return self._keys

    @property
    def info(self) -> pl.DataFrame:
        if self._info is None:
            self._info = pl.DataFrame(
                {"name_id": range(len(self.n_tokens)), "n_tok": self.n_tokens, "lone_len": self.lone_len},
                schema={"name_id": pl.UInt32, "n_tok": pl.Int32, "lone_len": pl.Int32},
            )
        return self._info

    @property
    def common_frame(self) -> pl.DataFrame:
        if self._commons is None:
            ids = [i for i, ts in self.commons_of.items() for _ in ts]
            toks = [t for ts in self.commons_of.values() for t in ts]
            self._commons = pl.DataFrame(
                {"name_id": ids, "etok": toks}, schema={"name_id": pl.UInt32, "etok": pl.String}
            )
        return self._commons

    # ------------------------------------------------------------ blocking

    def candidates_one(self, query: str) -> set[int]:
        covered: dict[int, set[str]] = defaultdict(set)
        q_tokens: set[str] = set()
        for form in name_variants(query):
            q_tokens.update(distinct_tokens(form))
            for key in query_keys(form, self.common):
                for name_id, etoks in self.postings.get(key, ()):
                    covered[name_id].update(etoks.split("|"))
        out = set()
        for i, cov in covered.items():
            cov |= q_tokens & self.commons_of.get(i, frozenset())
            if worth_comparing(cov, list(q_tokens), self.n_tokens[i], self.common, self.lone_len[i]):
                out.add(i)
        return out

    def _fold_batch(
            self, queries: pl.Series
    ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame] | None:
        """(distinct names with their ``qid``, their tokens by the cheap fold, token keys, name keys, name
        tokens) for a batch; None when it holds no name."""
        q = pl.DataFrame({"query": queries.cast(pl.String)}).filter(pl.col("query").is_not_null()).unique()
        if q.is_empty():
            return None
        q = q.with_row_index("qid")
        tokens = fast_tokens(q, _fold_other)
        return (q, tokens, *batch_keys(tokens, self.common))

    def careful_queries(self, queries: pl.Series) -> list[str]:
        """The names of a batch that ``candidates`` also looks up name by name (``blocking.full_fold_queries``)."""
        folded = self._fold_batch(queries)
        if folded is None:
            return []
        q, tokens, token_keys, _q_keys, qt = folded
        return full_fold_queries(q, tokens, token_keys, qt)

    def candidates(self, queries: pl.Series) -> pl.DataFrame:
        """(query, name_id) pairs worth comparing (``blocking.worth_comparing``); distinct names.  A name
        the cheap fold reads otherwise than the full one (``blocking.full_fold_queries``) also gets the
        pairs the single-name path finds for it."""
        pairs = {"query": pl.String, "name_id": pl.UInt32}
        folded = self._fold_batch(queries)
        if folded is None or not self.postings:
            return empty(pairs)
        q, tokens, token_keys, q_keys, qt = folded
        # names the cheap fold reads otherwise than the full one are also looked up the single-name way
        careful = pl.DataFrame(
            [(query, i) for query in full_fold_queries(q, tokens, token_keys, qt) for i in self.candidates_one(query)],
            schema=pairs, orient="row",
        )
        ik = self.keys
        by_token = token_keys.join(ik, on="key").select("tid", "name_id", "etoks").unique()
        hits = pl.concat(
            [
                qt.select("qid", "tid").join(by_token, on="tid").select("qid", "name_id", "etoks"),
                q_keys.join(ik, on="key").select("qid", "name_id", "etoks"),
            ]
        ).unique()
        if hits.is_empty():
            return careful
        cand = hits.select("qid", "name_id").unique()
        covered = hits.select("qid", "name_id", pl.col("etoks").str.split("|").alias("etok")).explode("etok")
        shared = (
            qt.filter(pl.col("common"))
            .select("qid", pl.col("token").alias("etok"))
            .join(cand, on="qid")
            .join(self.common_frame, on=["name_id", "etok"])
            .select("qid", "name_id", "etok")
        )
        com = pl.Series(sorted(self.common), dtype=pl.String).implode()
        met = (
            pl.concat([covered, shared])
            .unique()
            .with_columns((~pl.col("etok").is_in(com)).cast(pl.Int32).alias("rare"))
            .group_by("qid", "name_id")
            .agg(pl.len().cast(pl.Int32).alias("met"), pl.col("rare").sum())
        )
        qn = qt.group_by("qid").agg(pl.len().cast(pl.Int32).alias("qn"))
        m, n, qc = pl.col("met"), pl.col("n_tok"), pl.col("qn")
        keep = (
            (2 * m >= n)
            & (pl.min_horizontal(qc - m, n - m) < 1)
            & ~((pl.col("rare") == 0) & (n > m))
            & ~((n == 1) & (qc > m) & (pl.col("lone_len") < LONE_WORD_MIN))
        )
        found = met.join(self.info, on="name_id").join(qn, on="qid").filter(keep).join(q, on="qid")
        return pl.concat([found.select("query", pl.col("name_id").cast(pl.UInt32)), careful]).unique(maintain_order=True)

    # ------------------------------------------------------------ scoring

    def score_pairs(self, pairs: Iterable[tuple[str, int]]) -> list[NameHit]:
        hits: list[NameHit] = []
        for query, name_id in pairs:
            ln = self.names[name_id]
            forms = name_variants(query)
            c = compare_names(forms, ln.forms, self.params)
            if c.score < self.floor or (ln.weak and c.score < WEAK_ALIAS_MIN) or self.person_on_org(forms, ln, c):
                continue
            hits.append(NameHit(query, ln, c))
        return hits

    def person_on_org(self, forms: tuple[NameForm, ...], ln: ListName, c: Comparison) -> bool:
        """A name that reads as a person's (``text.party_kind``) meeting an organisation's name only on
        personal-name tokens — common on the list, or in a listed person's name ("Wei", "Lee", "Garcia"):
        a person is matched against persons and names of no clear kind, never with a company's alias on
        such tokens.  Other tokens still count: "Iskusstvo Krasoty" is the company without its legal form."""
        if party_kind(forms[0]) != "person" or not any(party_kind(f) == "org" for f in ln.forms):
            return False
        met = {p.right for p in c.pairs if p.kind == NAME}
        return met <= self.common | self.personal

    def match_one(self, query: str) -> list[NameHit]:
        """Hits for one name (the single-shipment path: no polars, dictionary lookups only)."""
        return best_per_entry(self.score_pairs((query, i) for i in self.candidates_one(query)))

    def match_many(self, queries: pl.Series) -> list[NameHit]:
        """Hits for many distinct names.

        A few names (a submission or a message) take the single-name path name by name: its
        dictionary lookups cost less than the table operations of the batch path, and it folds
        multi-word legal forms and generic phrases ("Joint Stock Company", "Limited Liability
        Company") as ``lists check`` does, where the batch path's cheap fold keeps their words."""
        if queries.len() <= FEW_NAMES:
            names = [q for q in dict.fromkeys(queries.cast(pl.String).to_list()) if q is not None]
            if len(names) <= FEW_NAMES:
                return best_per_entry(self.score_pairs((q, i) for q in names for i in self.candidates_one(q)))
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
