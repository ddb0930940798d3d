"""Compile the knowledge base into match patterns and key sets for Aho-Corasick search (once per context).

Every name is expanded into the spellings traffickers and clerks actually produce — spaced or joined
locants ("4piperidone", "4 piperidone"), spaced letters ("N P P", "4-A.P"), a dropped leading locant
("phenethyl-4-piperidone"), pinyin for Chinese names — and normalised with the same expressions as
the descriptions.  Key sets per view: the token view (every pattern), the skeleton view (long names
only, where folding spelling drift cannot create short collisions), the compact view (long names
without spaces) and ordinary-goods words (run only on the lines that need them).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import polars as pl

from interdictor.reference.kb import KnowledgeBase
from interdictor.reference.keyed import Keyed
from interdictor.screen.goods.memo import FrameMemo, Memo
from interdictor.screen.goods.normalise import is_han, normalise_many, pad_for_boundaries
from interdictor.screen.goods.scan import KeySet, scan_column

PATTERN_SCHEMA = pl.Schema(
    {
        "pid": pl.Int32,
        "view": pl.String,  # token | skeleton
        "text": pl.String,  # normalised, padded
        "kind": pl.String,  # substance | equipment | model | blocker_s | blocker_e | context | eq_context | use | class
        "target": pl.String,  # substance id, equipment id, class id or context word
        "how": pl.String,  # name | synonym | abbreviation | ambiguous | chinese | pinyin | phrase | model ...
        "display": pl.String,  # the knowledge-base spelling, for evidence
        "strong": pl.Boolean,  # a model series that stands alone / a name that needs no context
    }
)

MAX_OPTIONAL_JOINS = 5
_KEY_VIEWS = ("token", "skeleton", "compact", "classes", "uses")
# Literal morphemes of chemical names in the skeleton view (yl → il after folding).  Only descriptions
# holding one are scanned on the skeleton view, and only skeleton patterns holding one are kept — so
# the pre-filter can never hide a match: a text that contains a pattern contains its anchor.
SKELETON_ANCHORS = (
    r"il |piper|fen|benz|amin|acet|prop|efedr|glicid|oxiran|anilin|nitr|chlor|brom|metil|etil|carbox|one |"
    r"aldehid|safrol|heliotrop|sasafras|cristal|met|oxo|dioxa|aza|acid|ester|anhidrid|fentan|ecstas|tolu"
)
_TRAILING_PAREN = re.compile(r"\s+\(.*\)$|\s+and its .*$")
# Words that, beside a model number or a declared-instead word, speak of tableting: the tablet words name
# the trade itself; the tool words are press tooling only when nothing names another use for them.
TABLET_WORDS = ("tablet", "tablets", "pill", "pills", "capsule", "capsules", "压片", "胶囊")
TOOL_WORDS = ("press", "presses", "die", "dies", "punch", "punches", "mold", "mould", "molds", "moulds", "tooling",
              "模具")
EQUIPMENT_CONTEXT = (*TABLET_WORDS, *TOOL_WORDS, "machine", "machines")


@dataclass(frozen=True)
class Compiled:
    """Pattern table plus the key sets whose group ids index it."""

    patterns: pl.DataFrame  # PATTERN_SCHEMA
    groups: pl.DataFrame  # gid, pid — one key can stand for several patterns
    token: KeySet  # keys over the token view
    skeleton: KeySet  # keys over the skeleton view
    classes: KeySet  # ordinary-goods words over the token view (run on few rows)
    compact: KeySet  # long names over the compact (space-free skeleton) view
    uses: KeySet  # ordinary-use words over the token view (run only beside equipment words or codes)
    fuzzy_vocabulary: tuple[str, ...]  # skeleton tokens of long names, for typo correction
    known_words: frozenset[str]  # words never "corrected" (lexicon, classes, equipment)
    subsumes: frozenset[tuple[str, str]]  # (a, b): a name of b is written inside a name of a
    # word → its correction (or None), filled as words are met: the same words come back every batch
    corrections: Memo[str, str | None] = field(default_factory=Memo, repr=False, compare=False)
    # token view → its text findings (text.scan_text), filled as descriptions are met
    findings: FrameMemo = field(default_factory=lambda: FrameMemo("token"), repr=False, compare=False)

    @cached_property
    def by_gid(self) -> Keyed:
        """``groups`` by key group: a small batch's few hits join a few rows, not the whole table."""
        return Keyed(self.groups, "gid")

    @cached_property
    def by_pid(self) -> Keyed:
        """What each pattern names, by pattern id."""
        return Keyed(self.patterns.select("pid", "kind", "target", "how", "display", "strong"), "pid")

    @classmethod
    def from_tables(
        cls, patterns: pl.DataFrame, groups: pl.DataFrame, keys: pl.DataFrame, fuzzy_vocabulary: tuple[str, ...],
        known_words: frozenset[str], subsumes: frozenset[tuple[str, str]],
    ) -> Compiled:
        """From the pattern table, its groups and keys (``view, text, gid``) — built or read from the cache."""
        sets = {v: KeySet.build(keys.filter(pl.col("view") == v)) for v in _KEY_VIEWS}
        return cls(patterns, groups, sets["token"], sets["skeleton"], sets["classes"], sets["compact"], sets["uses"],
                   fuzzy_vocabulary, known_words, subsumes)

    def keys(self) -> pl.DataFrame:
        """``view, text, gid`` of every key set (what ``from_tables`` needs back)."""
        sets = {"token": self.token, "skeleton": self.skeleton, "compact": self.compact, "classes": self.classes,
                "uses": self.uses}
        return pl.concat([ks.table.select(pl.lit(v).alias("view"), "text", "gid") for v, ks in sets.items()])


def _short(tok: str) -> bool:
    return len(tok) <= 2 or tok.isdigit()


def _join_variants(view: str) -> set[str]:
    """Spaced/joined alternatives around short tokens (locants, single letters), plus all-joined."""
    toks = view.split()
    if not toks:
        return set()
    optional = [i for i in range(len(toks) - 1) if _short(toks[i]) or _short(toks[i + 1])]
    out = {" ".join(toks)}
    if len(optional) <= MAX_OPTIONAL_JOINS:
        for mask in itertools.product((False, True), repeat=len(optional)):
            joins = {b for b, on in zip(optional, mask, strict=True) if on}
            s = toks[0]
            for i in range(1, len(toks)):
                s += ("" if (i - 1) in joins else " ") + toks[i]
            out.add(s)
    joined = "".join(toks)
    if len(joined) >= 6:
        out.add(joined)
    return out


def _drop_leading_locant(view: str) -> str | None:
    """'n phenethyl 4 piperidone' → 'phenethyl 4 piperidone' when what is left is still specific."""
    toks = view.split()
    if len(toks) < 2 or not (_short(toks[0]) or toks[0] in ("alpha", "alfa", "beta", "dl", "tert")):
        return None
    rest = " ".join(toks[1:])
    squeezed = rest.replace(" ", "")
    han = sum(is_han(c) for c in squeezed)
    return rest if (len(squeezed) >= 12 or han >= 5) else None


def _spaced_letters(view: str) -> str | None:
    """'npp' → 'n p p', '4-A.P' → '4 a p'."""
    joined = view.replace(" ", "")
    return " ".join(joined) if 2 <= len(joined) <= 10 and not any(is_han(c) for c in joined) else None


def _pinyin(name: str) -> list[str]:
    """Pinyin spellings of an all-Chinese name, syllables spaced or joined in every way (≤ 5 syllables)."""
    han = "".join(c for c in name if is_han(c))
    if len(han) < 3 or len(han) != len([c for c in name if not c.isspace()]):
        return []
    # half a second to import: only when compiling, and the compiled tables are cached
    from pypinyin import lazy_pinyin

    syl = lazy_pinyin(han)
    if len(syl) > 5:
        return [" ".join(syl), "".join(syl)]
    out = []
    for mask in itertools.product(("", " "), repeat=len(syl) - 1):
        out.append(syl[0] + "".join(sep + s for sep, s in zip(mask, syl[1:], strict=True)))
    return out


class _Builder:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, views: set[str], view: str, kind: str, target: str, how: str, display: str, strong: bool) -> None:
        for v in views:
            text = pad_for_boundaries(v)
            if text.strip():
                self.rows.append(
                    {"view": view, "text": text, "kind": kind, "target": target, "how": how,
                     "display": display, "strong": strong}
                )


class _Norm:
    """normalise_many with a cache, so the whole knowledge base is normalised in a few polars calls."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, bool], str] = {}

    def prefill(self, texts: list[str], skeleton: bool = False) -> None:
        todo = sorted({t for t in texts if (t, skeleton) not in self.cache})
        if todo:
            self.cache.update({(t, skeleton): v for t, v in zip(todo, normalise_many(todo, skeleton), strict=True)})

    def __call__(self, texts: list[str], skeleton: bool = False) -> list[str]:
        self.prefill(texts, skeleton)
        return [self.cache[(t, skeleton)] for t in texts]


def _all_texts(kb: KnowledgeBase) -> list[str]:
    out: list[str] = []
    for s in kb.substances:
        out += [_TRAILING_PAREN.sub("", s.name), *s.synonyms, *s.abbreviations, *s.abbreviations_ambiguous, *s.names_zh]
    for e in kb.equipment:
        out += [*e.all_phrases(), *e.names_zh]
        for d in e.declared_as:
            out += list(d.words)
        if e.models:
            out += [f for ser in e.models.series for n in e.models.numbers
                    for f in (f"{ser}-{n}", f"{ser} {n}", f"{ser}{n}")]
    out += [*kb.blockers, *kb.equipment_blockers, *kb.chemical_context, *EQUIPMENT_CONTEXT, *kb.ordinary_use]
    for c in kb.classes:
        out += list(c.words)
    return out


def _expand(names: list[str], abbreviation: str | None, normalise_many: _Norm) -> list[set[str]]:
    """For each raw name, the set of token-view spellings to match."""
    out = []
    for raw, view in zip(names, normalise_many(names), strict=True):
        variants = _join_variants(view)
        dropped = _drop_leading_locant(view)
        if dropped:
            variants |= _join_variants(dropped)
        if view.split() and view.split()[0] == "alpha":
            variants |= _join_variants("a " + " ".join(view.split()[1:]))
        if abbreviation:
            spaced = _spaced_letters(view)
            if spaced:
                variants.add(spaced)
        for p in _pinyin(raw):
            variants |= {p}
        out.append(variants)
    return out


def compile_kb(kb: KnowledgeBase) -> Compiled:
    b = _Builder()
    normalise_many = _Norm()
    normalise_many.prefill(_all_texts(kb))
    pending: list[tuple[set[str], str, str, str]] = []  # long spellings to fold into the skeleton view
    for s in kb.substances:
        name_groups = [
            ("name", [_TRAILING_PAREN.sub("", s.name)], None),
            ("synonym", list(s.synonyms), None),
            ("abbreviation", list(s.abbreviations), "strong"),
            ("ambiguous", list(s.abbreviations_ambiguous), "ambiguous"),
            ("chinese", list(s.names_zh), None),
        ]
        for how, names, abbrev in name_groups:
            for raw, variants in zip(names, _expand(names, abbrev, normalise_many), strict=True):
                pinyin = set(_pinyin(raw))
                b.add(variants - pinyin, "token", "substance", s.id, how, raw, how != "ambiguous")
                b.add(pinyin, "token", "substance", s.id, "pinyin", raw, True)
                if how in ("name", "synonym") or (how == "abbreviation" and len(raw) >= 10):
                    long = {v for v in variants - pinyin if len(v.replace(" ", "")) >= 8}
                    if long:
                        pending.append((long, s.id, how, raw))
    normalise_many.prefill([v for long, *_ in pending for v in long], skeleton=True)
    for long, sid, how, raw in pending:
        b.add(set(normalise_many(sorted(long), skeleton=True)), "skeleton", "substance", sid, how, raw, True)
    for e in kb.equipment:
        phrases = e.all_phrases()
        for raw, view in zip(phrases, normalise_many(phrases), strict=True):
            variants = {view}
            if len(view.split()) == 2 and len(view.replace(" ", "")) >= 8:
                variants.add(view.replace(" ", ""))
            b.add(variants, "token", "equipment", e.id, "phrase", raw, True)
        for raw, view in zip(e.names_zh, normalise_many(list(e.names_zh)), strict=True):
            b.add({view}, "token", "equipment", e.id, "chinese", raw, True)
        if e.models:
            for series in e.models.series:
                strong = series in e.models.strong_series
                for num in e.models.numbers:
                    forms = [f"{series}-{num}", f"{series} {num}", f"{series}{num}"]
                    b.add(set(normalise_many(forms)), "token", "model", e.id, "model", f"{series}-{num}", strong)
        for d in e.declared_as:
            for raw, view in zip(d.words, normalise_many(list(d.words)), strict=True):
                b.add({view}, "token", "declared_as", e.id, "declared_as", raw, d.verified)
    for kind, words in (("blocker_s", kb.blockers), ("blocker_e", kb.equipment_blockers)):
        for raw, view in zip(words, normalise_many(list(words)), strict=True):
            b.add({view}, "token", kind, raw, "blocker", raw, True)
            if kind == "blocker_s":
                b.add(set(normalise_many([view], skeleton=True)), "skeleton", kind, raw, "blocker", raw, True)
    for raw, view in zip(kb.chemical_context, normalise_many(list(kb.chemical_context)), strict=True):
        b.add({view}, "token", "context", raw, "context", raw, True)
    for raw, view in zip(EQUIPMENT_CONTEXT, normalise_many(list(EQUIPMENT_CONTEXT)), strict=True):
        b.add({view}, "token", "eq_context", raw, "context", raw, True)
    # what an ordinary mould, die or machine is for (plastic, sheet metal, soap...): explains a declared-instead word
    for raw, view in zip(kb.ordinary_use, normalise_many(list(kb.ordinary_use)), strict=True):
        b.add({view}, "uses", "use", raw, "use", raw, True)
    for c in kb.classes:
        for raw, view in zip(c.words, normalise_many(list(c.words)), strict=True):
            b.add({view}, "classes", "class", c.id, "class", raw, True)

    table = pl.DataFrame(b.rows, schema={k: v for k, v in PATTERN_SCHEMA.items() if k != "pid"})
    # long names again without spaces, for the compact view (names split at odd places)
    compact = table.filter(
        (pl.col("view") == "skeleton") & (pl.col("kind") == "substance")
        & (pl.col("text").str.replace_all(" ", "").str.len_chars() >= 14)
    ).with_columns(pl.col("text").str.replace_all(" ", ""), pl.lit("compact").alias("view"))
    # a run-together spelling that is also an ambiguous abbreviation ("P-2-P" joined is "p2p") stays
    # ambiguous; spaced spellings ("p 2 p") keep the strong reading
    ambiguous = (
        table.filter((pl.col("how") == "ambiguous") & ~pl.col("text").str.strip_chars().str.contains(" "))
        .select("view", "text", "target")
        .with_columns(pl.lit(True).alias("_amb"))
    )
    table = table.join(ambiguous, on=["view", "text", "target"], how="left").filter(
        (pl.col("how") == "ambiguous") | pl.col("_amb").is_null()
    ).drop("_amb")
    patterns = (
        pl.concat([table, compact])
        .filter(~pl.col("view").is_in(["skeleton", "compact"]) | pl.col("text").str.contains(SKELETON_ANCHORS))
        .unique(maintain_order=True)
        .with_row_index("pid")
        .with_columns(pl.col("pid").cast(pl.Int32))
        .select(list(PATTERN_SCHEMA))
    )
    keys = patterns.select("view", "text").unique(maintain_order=True).with_row_index("gid")
    keys = keys.with_columns(pl.col("gid").cast(pl.Int32))
    groups = patterns.join(keys, on=["view", "text"]).select("gid", "pid")
    sets = {v: KeySet.build(keys.filter(pl.col("view") == v)) for v in _KEY_VIEWS}

    long_names = [_TRAILING_PAREN.sub("", s.name) for s in kb.substances]
    long_names += [n for s in kb.substances for n in s.synonyms]
    vocab = sorted(
        {t for text in normalise_many(long_names, skeleton=True) for t in text.split() if len(t) >= 6 and t.isalpha()}
    )
    known = set()
    for words in (*kb.vague.values(), kb.filler, kb.chemical_context, EQUIPMENT_CONTEXT):
        for w in words:
            known.update(w.lower().split())
    for c in kb.classes:
        for w in c.words:
            known.update(w.lower().split())
    for e in kb.equipment:
        for p in e.all_phrases():
            known.update(p.lower().split())
    known_skel = set(normalise_many(sorted(known), skeleton=True))
    known_words = frozenset(w for k in known_skel for w in k.split())
    return Compiled.from_tables(
        patterns, groups, keys, tuple(vocab), known_words, _subsumption(patterns, groups, sets["token"]),
    )


def _subsumption(patterns: pl.DataFrame, groups: pl.DataFrame, keys: KeySet) -> frozenset[tuple[str, str]]:
    """Pairs (a, b) of substances where one of b's spellings sits inside one of a's."""
    subs = patterns.filter((pl.col("kind") == "substance") & (pl.col("view") == "token"))
    hits = scan_column(subs["text"], keys, subs["pid"])
    inner = hits.join(groups, on="gid", suffix="_in").join(
        patterns.select(pl.col("pid").alias("pid_in"), pl.col("target").alias("b"), pl.col("kind").alias("k")),
        left_on="pid", right_on="pid_in",
    )
    outer = patterns.select(pl.col("pid").alias("did"), pl.col("target").alias("a"))
    pairs = inner.filter(pl.col("k") == "substance").join(outer, on="did").filter(pl.col("a") != pl.col("b"))
    found = {(a, b) for a, b in pairs.select("a", "b").unique().iter_rows()}
    return frozenset(p for p in found if (p[1], p[0]) not in found)
