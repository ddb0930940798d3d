"""Blocking keys: which list names a party name is worth comparing with.

A list name is posted under keys that stand for one or two of its distinctive
tokens (never legal forms, trade words or places):

* a list name of one or two distinctive tokens under each token that is rare on
  the list, under its one-letter deletions when it is six letters or longer
  ("guanleng" and "guanlang" both lose a letter to "guanlng"), and under "+token"
  so that two words run together on the other side meet it ("chang gen");
* a list name of three or more tokens under every pair of its tokens — one of
  its tokens alone is never enough to be the same party;
* a list name of two tokens both common on the list ("WANG, Wei") under their
  pair; a one-word name under its word;
* adjacent tokens run together ("TDP MOLDS" / "TDPMOLDS").

A party name makes the same keys in polars (lower case, punctuation to spaces,
keys of single tokens once per distinct token of the batch).  What it meets is
then counted: a pair is worth comparing when at least half of the list name's
tokens are met, the names do not conflict (a token unmet on both sides keeps a
comparison under the possible-match floor), it is not only tokens common on the
list that meet a list name that has more ("Maria Garcia" is not "GARCIA
GAXIOLA, Maria Elena"), and it is not a short one-word list name met inside a
longer party name ("Olga White" is not "WHITE TIGER TRADING").
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Final

import polars as pl

from interdictor.screen.parties.text import CUT_ALONE_MIN, NAME, NUMBER_WORDS, NameForm, vocab
from interdictor.screen.parties.vocab import TYPO_MIN

MIN_DELETE_LEN: Final = 6
RUN_MIN: Final = 6  # a token this long may be two of the other side's run together
LONE_WORD_MIN: Final = 8  # a one-word list name shorter than this must be the whole party name

# (key, the list-name tokens it stands for, "|"-joined, and whether it is a near miss)
Key = tuple[str, str, bool]


def distinct_tokens(form: NameForm) -> list[str]:
    return [t for t in dict.fromkeys(form.distinctive) if len(t) > 1]


def _deletes(token: str) -> list[str]:
    return [token[:i] + token[i + 1 :] for i in range(len(token))]


def form_keys(form: NameForm, common: frozenset[str], n_tok: int) -> list[Key]:
    """Keys a list name is posted under (see the module docstring)."""
    toks = distinct_tokens(form)
    keys: list[Key] = []
    if n_tok <= 2:
        for t in toks:
            if t in common:
                continue
            keys.append((t, t, False))
            if len(t) >= MIN_DELETE_LEN:
                keys += [(d, t, True) for d in _deletes(t)]
            if len(t) >= RUN_MIN:
                keys.append(("+" + t, t, False))
        commons = [t for t in toks if t in common]
        if len(toks) == 1 and commons:
            keys.append((commons[0], commons[0], False))
        if len(toks) == 2 and len(commons) == 2:
            a, b = sorted(commons)
            keys.append((f"{a}|{b}", f"{a}|{b}", False))
    else:
        ordered = sorted(toks)
        for i, a in enumerate(ordered):
            keys += [(f"{a}|{b}", f"{a}|{b}", False) for b in ordered[i + 1 :]]
    surface = form.surface or form.tokens
    for i in range(len(surface) - 1):
        kinds = (form.kinds[i], form.kinds[i + 1])
        if NAME in kinds and len(surface[i]) > 1 and len(surface[i + 1]) > 1:
            names = [form.tokens[i + k] for k in (0, 1) if kinds[k] == NAME and len(form.tokens[i + k]) > 1]
            if names:
                keys.append(("+" + surface[i] + surface[i + 1], "|".join(names), False))
    return keys


def query_keys(form: NameForm, common: frozenset[str]) -> list[str]:
    """Keys of one party name (the single-name path; the batch path is ``batch_keys``)."""
    toks = distinct_tokens(form)
    keys: list[str] = []
    for t in toks:
        keys.append(t)
        if t not in common:
            if len(t) >= MIN_DELETE_LEN:
                keys += _deletes(t)
            if len(t) >= RUN_MIN:
                keys.append("+" + t)
    ordered = sorted(toks)
    for i, a in enumerate(ordered):
        keys += [f"{a}|{b}" for b in ordered[i + 1 :]]
    surface = form.surface or form.tokens
    for i in range(len(surface) - 1):
        if NAME in (form.kinds[i], form.kinds[i + 1]) and len(surface[i]) > 1 and len(surface[i + 1]) > 1:
            keys.append("+" + surface[i] + surface[i + 1])
    return keys


def worth_comparing(
    covered: set[str], q_tokens: Sequence[str], n_tok: int, common: frozenset[str], lone_len: int
) -> bool:
    """The counting rules of the module docstring, for one (party, list name) pair."""
    met = len(covered)
    qn = len(set(q_tokens))
    if 2 * met < n_tok or min(qn - met, n_tok - met) >= 1:
        return False
    if not (covered - common) and n_tok > met:
        return False
    return not (n_tok == 1 and qn > met and lone_len < LONE_WORD_MIN)


@cache
def vocab_tokens() -> frozenset[str]:
    """Single words of the vocabulary: never blocking keys."""
    return frozenset(k[0] for k in vocab().phrases if len(k) == 1)


@cache
def vocab_phrases() -> tuple[list[str], list[str]]:
    """Multi-word phrases of the vocabulary ("joint stock company", "hong kong") as the cheap fold writes
    them (words two spaces apart, a space each side), longest first, and the one word each stands for."""
    phrases = sorted(((k, canon) for k, (_kind, canon) in vocab().phrases.items() if len(k) > 1),
                     key=lambda kc: (-len(" ".join(kc[0])), kc[0]))
    return [" " + "  ".join(k) + " " for k, _c in phrases], [f" {c} " for _k, c in phrases]


def fast_tokens(q: pl.DataFrame, fold_other: object) -> pl.DataFrame:
    """(qid, query, pos, token, vocab): the cheap fold for ASCII names; ``fold_other``
    (a callable: name -> distinctive tokens) for the rest.  A multi-word phrase of the vocabulary
    becomes the word it stands for, as the full fold makes it ("Joint Stock Company" is a legal form,
    not two words that a one-word list name lacks)."""
    ascii_mask = q["query"].str.contains(r"^[\x00-\x7F]*$")
    patterns, words = vocab_phrases()
    plain = q.filter(ascii_mask).with_columns(
        pl.concat_str(
            pl.lit(" "),
            pl.col("query")
            .str.to_lowercase()
            # dotted initials as one word, as the full fold writes them ("S.A. de C.V." -> "sa de cv")
            .str.replace_all(r"\b([a-z])\.([a-z])\.([a-z])\.", "${1}${2}${3}")
            .str.replace_all(r"\b([a-z])\.([a-z])\.", "${1}${2}")
            .str.replace_all(r"['’`]", "")
            .str.replace_all(r"[^a-z0-9]+", "  ")  # two spaces: each word keeps a space of its own each side
            .str.strip_chars(),
            pl.lit(" "),
        )
        .str.replace_many(patterns, words, leftmost=True)
        .str.strip_chars()
        .str.split(" ")
        .alias("token")
    )
    other = q.filter(~ascii_mask)
    if other.height and callable(fold_other):
        folded = [" ".join(fold_other(s)) for s in other["query"]]
        plain = pl.concat(
            [plain, other.with_columns(pl.Series("token", folded, dtype=pl.String).str.split(" "))]
        )
    stop = pl.Series(sorted(vocab_tokens()), dtype=pl.String).implode()
    out = plain.explode("token").filter(pl.col("token").str.len_chars() > 0)
    return out.with_columns(
        (pl.int_range(pl.len()).over("qid")).alias("pos"),
        pl.col("token").is_in(stop).alias("vocab"),
    )


@cache
def full_fold_pattern() -> str:
    """Names the cheap fold reads otherwise than the full one: with digits or number words ("1st",
    "First", "Forty Four" are all read as digits)."""
    words = "|".join(sorted(NUMBER_WORDS, key=lambda w: (-len(w), w)))
    return rf"(?i)\d|\b(?:{words})\b"


@cache
def slip_keys() -> pl.DataFrame:
    """``key``: the long legal forms and trade words that the full fold still reads through one slip
    ("Technlogy", "Intrnational"), and their one-letter deletions.  A token that shares a key with them
    (itself or one of its deletions) may be such a slip."""
    words = vocab().fuzzy_words
    return pl.DataFrame({"key": sorted({k for w in words for k in (w, *_deletes(w))})}, schema={"key": pl.String})


@cache
def typo_keys() -> pl.DataFrame:
    """``key``: the legal forms, trade words and places that a token one edit away is read as in a name
    with other words of the vocabulary (``text._typo_pass``), and their one-letter deletions."""
    words = vocab().typo_words
    return pl.DataFrame({"key": sorted({k for w in words for k in (w, *_deletes(w))})}, schema={"key": pl.String})


def typo_queries(tokens: pl.DataFrame) -> pl.DataFrame:
    """``qid`` of the names whose full fold may read a token as a vocabulary word written with one edit: a
    token of TYPO_MIN letters or more sharing a key (itself or a deletion) with ``typo_keys``, in a name
    with a word of the vocabulary."""
    toks = tokens.filter(~pl.col("vocab") & (pl.col("token").str.len_chars() >= TYPO_MIN)).select(
        "token").unique()
    keys = pl.concat([
        toks.select("token", pl.col("token").alias("key")),
        toks.with_columns(pl.int_ranges(0, pl.col("token").str.len_chars()).alias("i")).explode("i").select(
            "token", (pl.col("token").str.slice(0, pl.col("i")) + pl.col("token").str.slice(pl.col("i") + 1))
            .alias("key")),
    ])
    slipped = keys.join(typo_keys(), on="key", how="semi").select("token").unique()
    with_vocab = tokens.filter(pl.col("vocab")).select("qid").unique()
    return tokens.join(slipped, on="token", how="semi").select("qid").unique().join(with_vocab, on="qid", how="semi")


@cache
def cut_tails() -> pl.Series:
    """Last words of the legal forms and trade words the full fold reads cut short at the end of a name
    ("Rau Pharm", "Makro Grupp", "Co., Lim")."""
    return pl.Series(sorted({k[-1] for k in vocab().truncated}), dtype=pl.String).implode()


def full_fold_queries(q: pl.DataFrame, tokens: pl.DataFrame, token_keys: pl.DataFrame, qt: pl.DataFrame) -> list[str]:
    """The names of a batch that take the full fold, name by name: those ``full_fold_pattern`` finds,
    those with a token that may be a slip in a long legal form or trade word (``slip_keys``), and those
    that may end in one cut short (``cut_tails``)."""
    slips = token_keys.join(slip_keys(), on="key", how="semi").select("tid")
    # as text._may_be_cut: a long cut, or a name with another legal form or trade word
    cut = (tokens.group_by("qid").agg(pl.col("token").last(), pl.len().alias("n"),
                                      (pl.col("vocab").sum() - pl.col("vocab").last().cast(pl.UInt32)).alias("others"))
           .filter((pl.col("n") > 1) & pl.col("token").is_in(cut_tails())
                   & ((pl.col("token").str.len_chars() >= CUT_ALONE_MIN) | (pl.col("others") > 0))))
    wanted = pl.concat([
        qt.join(slips, on="tid", how="semi").select("qid"),
        q.filter(pl.col("query").str.contains(full_fold_pattern())).select("qid"),
        cut.select("qid"),
        typo_queries(tokens),
    ])
    return q.join(wanted, on="qid", how="semi").get_column("query").to_list()


def batch_keys(
    tokens: pl.DataFrame, common: frozenset[str]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(token keys ``tid, key``, query keys ``qid, key``, ``qt``: qid, tid, token, common)."""
    dist = tokens.filter(~pl.col("vocab") & (pl.col("token").str.len_chars() > 1))
    com = pl.Series(sorted(common), dtype=pl.String).implode()
    toks = (
        dist.select("token")
        .unique()
        .with_row_index("tid")
        .with_columns(pl.col("token").is_in(com).alias("common"))
    )
    rare = toks.filter(~pl.col("common"))
    long = rare.filter(pl.col("token").str.len_chars() >= MIN_DELETE_LEN)
    deletes = (
        long.with_columns(pl.int_ranges(0, pl.col("token").str.len_chars()).alias("i"))
        .explode("i")
        .select(
            "tid",
            (pl.col("token").str.slice(0, pl.col("i")) + pl.col("token").str.slice(pl.col("i") + 1)).alias(
                "key"
            ),
        )
    )
    token_keys = pl.concat(
        [
            toks.select("tid", pl.col("token").alias("key")),
            deletes,
            long.select("tid", (pl.lit("+") + pl.col("token")).alias("key")),
        ]
    ).unique()
    qt = dist.join(toks, on="token").select("qid", "tid", "token", "common").unique(subset=["qid", "tid"])
    pairs = (
        qt.select("qid", "token")
        .join(qt.select("qid", pl.col("token").alias("b")), on="qid")
        .filter(pl.col("token") < pl.col("b"))
        .select("qid", (pl.col("token") + "|" + pl.col("b")).alias("key"))
    )
    nxt = tokens.with_columns(
        pl.col("qid").shift(-1).alias("_q"),
        pl.col("token").shift(-1).alias("_next"),
        pl.col("vocab").shift(-1).alias("_nv"),
    ).filter(
        (pl.col("_q") == pl.col("qid"))
        & ~(pl.col("vocab") & pl.col("_nv"))
        & (pl.col("token").str.len_chars() > 1)
        & (pl.col("_next").str.len_chars() > 1)
    )
    runs = nxt.select("qid", (pl.lit("+") + pl.col("token") + pl.col("_next")).alias("key"))
    return token_keys, pl.concat([pairs, runs]).unique(), qt
