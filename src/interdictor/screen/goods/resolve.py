"""Turn raw text hits into one finding per description and thing named.

* one row per (description, substance) and per (description, equipment), keeping the clearest
  evidence (exact token match before spelling-folded before typo-corrected);
* a substance whose name is written inside another named in the same description is dropped
  ("BMK" inside "BMK glycidate");
* per description: does it carry chemical context, equipment context, which goods classes it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from interdictor.screen.goods.patterns import TABLET_WORDS, TOOL_WORDS, Compiled

_VIEW_RANK = {"token": 0, "skeleton": 1, "compact": 2, "fuzzy": 3}
_HOW_RANK = {"abbreviation": 0, "name": 1, "synonym": 2, "chinese": 3, "pinyin": 4, "ambiguous": 5,
             "phrase": 0, "model": 1, "declared_as": 2}


# a name written with a substituent before or after it is a relative, not the listed substance:
# "1-(4-fluorobenzyl)piperidin-4-one" is not piperidin-4-one
_PREFIX = re.compile(r"(?:yl|il|oxy|oxi|amino|ido|oyl|oil|ylidene|iliden|o)$")
_SUFFIX = re.compile(r"^(?:\d+ )*(?:carboxylate|carboxylic|carbonyl|carbaldehyde|sulfonyl|yl|ylidene|oxide)\b")


_NEGATORS = ("excluding", "other than", "except", "not containing", "free from", "free of")


def _negated(text: str, local: int, end_local: int) -> bool:
    """'other than ephedrine', 'excluding phenylacetone', 'ephedrine free': the text says it is NOT."""
    before = " ".join(text[:local].split()[-8:])
    after = text[end_local + 1 :].split()[:1]
    return any(n in f" {before} " for n in (f" {x} " for x in _NEGATORS)) or after == ["free"]


def _substituted(text: str, local: int, end_local: int) -> bool:
    """Is the match at character offsets ``local..end_local`` written with a substituent attached?"""
    before = text[:local].split()
    after = text[end_local + 1 :].strip()
    prev = before[-1] if before else ""
    if prev.isdigit() and len(before) >= 2:
        prev = before[-2]
    return bool((len(prev) > 3 and _PREFIX.search(prev)) or _SUFFIX.match(after))


@dataclass(frozen=True)
class Resolved:
    substances: pl.DataFrame  # did, substance, how, display, view, typo, strong
    substituted: pl.DataFrame  # did, substance, display: a listed name written with a substituent
    equipment: pl.DataFrame  # did, equipment, how, display, model_only
    declared_as: pl.DataFrame  # did, equipment, display, verified
    flags: pl.DataFrame  # did, chem_context, eq_context, tablet_words, tool_words, ordinary_use, classes (list[str])


def _best(f: pl.DataFrame, key: str) -> pl.DataFrame:
    return (
        f.with_columns(
            pl.col("view").replace_strict(_VIEW_RANK, default=9, return_dtype=pl.Int8).alias("_v"),
            pl.col("how").replace_strict(_HOW_RANK, default=9, return_dtype=pl.Int8).alias("_h"),
            (pl.col("end") - pl.col("start")).alias("_len"),
        )
        .sort("did", key, "_v", "_h", "_len", "display", descending=[False, False, False, False, True, False])
        .unique(["did", key], keep="first", maintain_order=True)
        .drop("_v", "_h", "_len")
    )


def resolve(
    hits: pl.DataFrame, compiled: Compiled, views: pl.DataFrame, classes: pl.DataFrame, uses: pl.DataFrame | None = None
) -> Resolved:
    """``uses``: ordinary-use word hits (``text.scan_uses``) of the descriptions that need them."""
    if hits.is_empty() and (uses is None or uses.is_empty()):
        return _nothing_named(hits, compiled, views, classes)
    return resolve_hits(hits, compiled, views, classes, uses)


_NOTHING: dict[tuple[object, ...], Resolved] = {}
_FLAGS = ("chem_context", "eq_context", "tablet_words", "tool_words", "ordinary_use")


def _nothing_named(hits: pl.DataFrame, compiled: Compiled, views: pl.DataFrame, classes: pl.DataFrame) -> Resolved:
    """What ``resolve_hits`` gives when no description has a hit (most batches of a few ordinary
    shipments), without its few dozen operations on empty tables: every table empty but the flags,
    all false, of the descriptions that name ordinary-goods classes."""
    key = (tuple(hits.schema.items()), tuple(classes.schema.items()))
    empty = _NOTHING.get(key)
    if empty is None:  # the full path on empty tables gives every column and type
        empty = _NOTHING[key] = resolve_hits(hits.clear(), compiled, views.clear(), classes.clear(), None)
    flags = classes.select(
        "did", *(pl.lit(False).alias(f) for f in _FLAGS),
        pl.col("classes").fill_null(pl.lit([], dtype=pl.List(pl.String))),
    ).select(empty.flags.columns).cast(empty.flags.schema)
    return Resolved(empty.substances, empty.substituted, empty.equipment, empty.declared_as, flags)


def resolve_hits(
    hits: pl.DataFrame, compiled: Compiled, views: pl.DataFrame, classes: pl.DataFrame, uses: pl.DataFrame | None = None
) -> Resolved:
    """``resolve`` the long way: what works for any hits."""
    hits = _mark_substituted(hits, views)
    substituted = hits.filter(pl.col("kind") == "substituted").select(
        "did", pl.col("target").alias("substance"), "display"
    ).unique(["did", "substance"])
    subs = _best(hits.filter(pl.col("kind") == "substance").rename({"target": "substance"}), "substance")
    if compiled.subsumes and not subs.is_empty():
        pairs = pl.DataFrame(
            [{"a": a, "b": b} for a, b in compiled.subsumes], schema={"a": pl.String, "b": pl.String}
        )
        present = subs.select("did", pl.col("substance").alias("a"))
        drop = present.join(pairs, on="a").select("did", pl.col("b").alias("substance")).unique()
        subs = subs.join(drop, on=["did", "substance"], how="anti")
    subs = subs.select("did", "substance", "how", "display", "view", "typo", "strong")

    every = hits if uses is None else pl.concat([hits, uses])
    flags = (
        every.group_by("did")
        .agg(
            (pl.col("kind") == "context").any().alias("chem_context"),
            (pl.col("kind") == "eq_context").any().alias("eq_context"),
        )
        .join(_corroboration(every), on="did", how="left")
        .join(classes, on="did", how="full", coalesce=True)
        .with_columns(
            pl.col("chem_context").fill_null(False),
            pl.col("eq_context").fill_null(False),
            pl.col("tablet_words").fill_null(False),
            pl.col("tool_words").fill_null(False),
            pl.col("ordinary_use").fill_null(False),
            pl.col("classes").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
    )
    eq = hits.filter(pl.col("kind").is_in(["equipment", "model"])).rename({"target": "equipment"})
    eq = eq.join(flags.select("did", "eq_context", "tablet_words", "ordinary_use"), on="did", how="left")
    # tooling words alone ("punch and die set", "custom logo stamp") are sheet-metal, leather or soap
    # tooling when the line names that use; with a tablet word or a model they stay press tooling
    eq = eq.filter(~((pl.col("kind") == "equipment") & pl.col("ordinary_use") & ~pl.col("tablet_words")))
    # a model number counts as the machine when the words around it speak of one; a strong series
    # (TDP, ZP) alone is still reported, as a model only
    eq = eq.filter((pl.col("kind") == "equipment") | pl.col("eq_context") | pl.col("strong"))
    eq = eq.with_columns(((pl.col("kind") == "model") & ~pl.col("eq_context").fill_null(False)).alias("model_only"))
    eq = _best(eq, "equipment")
    # tooling or parts named in the same words as the machine: the specific (longest) wins, and a
    # generic press hit inside "tablet press parts" was already dropped as contained
    equipment = eq.select("did", "equipment", "how", "display", "model_only")
    declared = (
        hits.filter(pl.col("kind") == "declared_as")
        .select("did", pl.col("target").alias("equipment"), "display", pl.col("strong").alias("verified"))
        .unique(["did", "equipment"], keep="first")
    )
    return Resolved(subs, substituted, equipment, declared, flags)


def _corroboration(hits: pl.DataFrame) -> pl.DataFrame:
    """``did, tablet_words, tool_words, ordinary_use`` — what stands beside a declared-instead word.

    Only words outside the declared-instead phrase itself and outside ordinary phrases ("hole punch",
    "heat press") count.  ``tablet_words``: tablet, pill, capsule, or a strong model series (TDP, ZP);
    ``tool_words``: press, punch, die, mould, tooling; ``ordinary_use``: what an ordinary mould or machine
    works on (plastic, sheet metal, soap...), or any ordinary phrase.
    """
    token = hits.filter(pl.col("view") == "token")
    words = token.filter(
        pl.col("kind").is_in(["eq_context", "use"]) | ((pl.col("kind") == "model") & pl.col("strong"))
    ).select("did", "kind", "target", "start", "end").with_row_index("_w")
    spans = token.filter(pl.col("kind").is_in(["declared_as", "blocker_e"])).select(
        "did", pl.col("kind").alias("skind"), pl.col("start").alias("s0"), pl.col("end").alias("s1")
    )
    covered = (
        words.join(spans, on="did")
        .filter((pl.col("s0") <= pl.col("end")) & (pl.col("s1") >= pl.col("start")))
        # a use word only needs to stand outside the declared-instead phrase ("die casting" is itself ordinary)
        .filter((pl.col("kind") != "use") | (pl.col("skind") == "declared_as"))
        .select("_w")
        .unique()
    )
    free = words.join(covered, on="_w", how="anti")
    blocked = spans.filter(pl.col("skind") == "blocker_e").select("did").unique().with_columns(
        pl.lit(True).alias("_b")
    )
    return (
        free.group_by("did")
        .agg(
            ((pl.col("kind") == "model") | pl.col("target").is_in(list(TABLET_WORDS))).any().alias("tablet_words"),
            ((pl.col("kind") == "eq_context") & pl.col("target").is_in(list(TOOL_WORDS))).any().alias("tool_words"),
            (pl.col("kind") == "use").any().alias("_u"),
        )
        .join(blocked, on="did", how="full", coalesce=True)
        .select(
            "did",
            pl.col("tablet_words").fill_null(False),
            pl.col("tool_words").fill_null(False),
            (pl.col("_u").fill_null(False) | pl.col("_b").fill_null(False)).alias("ordinary_use"),
        )
    )


def _mark_substituted(hits: pl.DataFrame, views: pl.DataFrame) -> pl.DataFrame:
    """Relabel substance hits written with a substituent attached as kind 'substituted'."""
    subs = hits.filter((pl.col("kind") == "substance") & pl.col("view").is_in(["token", "skeleton"]))
    if subs.is_empty():
        return hits
    texts = subs.select("did", "view", "local", "start", "end").with_row_index("_i").join(
        views.select("did", "token", "skeleton"), on="did"
    )
    label: dict[int, str] = {}
    for i, view, local, start, end, token, skel in texts.select(
            "_i", "view", "local", "start", "end", "token", "skeleton").iter_rows():
        text = token if view == "token" else skel
        if _negated(token, local, local + (end - start)) if view == "token" else False:
            label[i] = "negated"
        elif _substituted(text, local, local + (end - start)):
            label[i] = "substituted"
    if not label:
        return hits
    marks = subs.with_row_index("_i").filter(pl.col("_i").is_in(list(label))).select(
        "did", "start", "view", pl.col("_i").replace_strict(label, return_dtype=pl.String).alias("_new")
    )
    return hits.join(marks, on=["did", "start", "view"], how="left").with_columns(
        pl.when(pl.col("_new").is_not_null() & (pl.col("kind") == "substance"))
        .then(pl.col("_new")).otherwise(pl.col("kind")).alias("kind")
    ).drop("_new")
