"""Text layer: what the words of each distinct description name.

Input is the column of DISTINCT descriptions; output is a hits table keyed by ``did`` (the row of the
description in that column).  Names are matched whole-word on the token view, long names again on the
skeleton view (spelling drift), and typos in long chemical words are corrected against the names'
own vocabulary (rapidfuzz over distinct tokens) before one more skeleton pass.  A hit inside a longer
hit is dropped ("4-piperidone" inside "N-phenethyl-4-piperidone"), and so is a hit that overlaps a
blocker phrase ("fentanyl test strips", "garlic press").
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA

from interdictor.model import empty
from interdictor.screen.goods.normalise import skeleton_view, token_views
from interdictor.screen.goods.patterns import SKELETON_ANCHORS as _CHEMISH
from interdictor.screen.goods.patterns import Compiled
from interdictor.screen.goods.scan import scan_column

FINDING_SCHEMA = pl.Schema(
    {
        "did": pl.Int32,
        "kind": pl.String,
        "target": pl.String,
        "how": pl.String,
        "display": pl.String,
        "strong": pl.Boolean,
        "view": pl.String,
        "start": pl.Int64,
        "end": pl.Int64,
        "local": pl.Int64,
        "typo": pl.String,  # the misspelt words the match tolerated, if any
    }
)
_SUBSTANCE = ("substance", "blocker_s")
_EQUIP = ("equipment", "model", "declared_as", "blocker_e")


@dataclass(frozen=True)
class Views:
    """Distinct descriptions with their normalised views (row index = ``did``)."""

    frame: pl.DataFrame  # did, description, token, skeleton


def make_views(descriptions: pl.Series) -> Views:
    frame = descriptions.rename("description").to_frame().with_row_index("did")
    frame = frame.with_columns(pl.col("did").cast(pl.Int32), token_views(frame, "description").alias("token"))
    frame = frame.with_columns(skeleton_view(pl.col("token")).alias("skeleton"))
    return Views(frame)


def _label(hits: pl.DataFrame, compiled: Compiled, view: str, typo: pl.Series | None = None) -> pl.DataFrame:
    out = (
        compiled.by_pid.join(compiled.by_gid.join(hits))
        .with_columns(pl.lit(view).alias("view"))
    )
    if typo is None:
        out = out.with_columns(pl.lit(None, dtype=pl.String).alias("typo"))
    return out


def _suppress(f: pl.DataFrame) -> pl.DataFrame:
    """Drop hits inside a longer hit of the same domain, and hits that overlap a blocker."""
    if f.is_empty():
        return f
    dom = (
        pl.when(pl.col("kind").is_in(_SUBSTANCE)).then(pl.lit("s"))
        .when(pl.col("kind").is_in(_EQUIP)).then(pl.lit("e"))
        .otherwise(pl.lit("o"))
    )
    f = f.with_row_index("_h").with_columns(dom.alias("_dom"))
    cand = f.filter(pl.col("_dom") != "o")
    pairs = cand.join(cand, on=["did", "view", "_dom"], suffix="_o").filter(pl.col("_h") != pl.col("_h_o"))
    inside = (pl.col("start_o") <= pl.col("start")) & (pl.col("end_o") >= pl.col("end"))
    longer = (pl.col("end_o") - pl.col("start_o")) > (pl.col("end") - pl.col("start"))
    overlap = (pl.col("start_o") <= pl.col("end")) & (pl.col("end_o") >= pl.col("start"))
    blocked = pl.col("kind_o").is_in(["blocker_s", "blocker_e"])
    not_blocker = ~pl.col("kind").is_in(["blocker_s", "blocker_e"])
    drop = pairs.filter(not_blocker & ((blocked & overlap) | (~blocked & inside & longer))).select("_h").unique()
    return f.join(drop, on="_h", how="anti").drop("_h", "_dom")


def _typo_map(views: Views, compiled: Compiled) -> dict[str, tuple[str, str]]:
    """skeleton token → (corrected skeleton token, the token as written) for likely typos.

    Works on the distinct long words of the whole column (a vocabulary, far smaller than the rows):
    each word not known already is compared, by optimal string alignment distance, with the words of
    the names that start with the same letter; a unique close name word is a correction.
    """
    words = (
        views.frame.select(pl.col("skeleton").str.extract_all(r"[a-z]{6,30}").alias("s"))
        .explode("s")
        .drop_nulls("s")
        .unique("s")
    )["s"]
    corrections = compiled.corrections.lookup(words.to_list(), lambda new: _correct(new, compiled))
    out = {w: c for w, c in corrections.items() if c is not None}
    if not out:
        return {}
    # the word as written, for the evidence (token and skeleton views align word by word)
    rows = views.frame.filter(pl.col("skeleton").str.contains_any([f" {b} " for b in out]))
    written: dict[str, tuple[str, str]] = {}
    for skel, tok in rows.select("skeleton", "token").iter_rows():
        for s_word, t_word in zip(skel.split(), tok.split(), strict=False):
            if s_word in out and s_word not in written:
                written[s_word] = (out[s_word], t_word)
    return written


def _correct(words: list[str], compiled: Compiled) -> dict[str, str | None]:
    """The correction of each word (None: a known word, or no unique close name)."""
    out: dict[str, str | None] = dict.fromkeys(words)
    vocab = set(compiled.fuzzy_vocabulary) | compiled.known_words
    by_first: dict[str, list[str]] = {}
    for w in compiled.fuzzy_vocabulary:
        by_first.setdefault(w[0], []).append(w)
    queries_by_first: dict[str, list[str]] = {}
    for w in words:
        if w not in vocab:
            queries_by_first.setdefault(w[0], []).append(w)
    for first, queries in queries_by_first.items():
        choices = by_first.get(first)
        if not choices:
            continue
        dist = process.cdist(queries, choices, scorer=OSA.distance, score_cutoff=2, workers=1)
        for qi, row in enumerate(dist):
            q = queries[qi]
            allowed = 1 if len(q) < 9 else 2
            best = int(row.argmin())
            d = int(row[best])
            # a tie between two names is no correction at all
            if d <= allowed and abs(len(choices[best]) - len(q)) <= allowed and int((row == d).sum()) == 1:
                out[q] = choices[best]
    for q, fixed in _swapped([w for w in words if out[w] is None and w not in vocab], compiled).items():
        out[q] = fixed
    return out


def _swapped(words: list[str], compiled: Compiled) -> dict[str, str]:
    """Words that are a name word with two neighbouring letters swapped, folded again.

    The skeleton folds "ph" to "f" before words are compared, so a swap across such a pair
    ("epehdrine": "epehdrin" against "efedrin") costs two edits, and one at the start changes the
    first letter ("pehnethyl": "pehnetil" against "fenetil").  Swapping back and folding again
    meets the name word exactly; a word that meets two name words is no correction."""
    if not words:
        return {}
    cands = [(w, w[:i] + w[i + 1] + w[i] + w[i + 2:]) for w in words for i in range(len(w) - 1) if w[i] != w[i + 1]]
    if not cands:
        return {}
    folded = pl.Series([f" {c} " for _, c in cands], dtype=pl.String).to_frame("t").select(
        skeleton_view(pl.col("t")).str.strip_chars())["t"].to_list()
    names = set(compiled.fuzzy_vocabulary)
    found: dict[str, set[str]] = {}
    for (w, _), f in zip(cands, folded, strict=True):
        if f in names and f != w:
            found.setdefault(w, set()).add(f)
    return {w: next(iter(fs)) for w, fs in found.items() if len(fs) == 1}


def _fuzzy_hits(views: Views, compiled: Compiled) -> pl.DataFrame:
    fixes = _typo_map(views, compiled)
    if not fixes:
        return empty(FINDING_SCHEMA)
    bad = list(fixes)
    affected = views.frame.filter(
        pl.col("skeleton").str.contains_any([f" {b} " for b in bad])
    ).select("did", "skeleton")
    if affected.is_empty():
        return empty(FINDING_SCHEMA)
    fixed_texts, typos = [], []
    for text in affected["skeleton"].to_list():
        words = text.split(" ")
        seen = [fixes[w][1] for w in words if w in fixes]
        fixed_texts.append(" ".join(fixes[w][0] if w in fixes else w for w in words))
        typos.append(", ".join(dict.fromkeys(seen)))
    fixed = pl.Series(fixed_texts, dtype=pl.String)
    hits = scan_column(fixed, compiled.skeleton, affected["did"], remember=False)  # scan_text remembers
    labelled = _label(hits, compiled, "fuzzy").filter(pl.col("kind").is_in(_SUBSTANCE))
    typo_frame = pl.DataFrame({"did": affected["did"], "typo": typos}, schema={"did": pl.Int32, "typo": pl.String})
    return labelled.drop("typo").join(typo_frame, on="did", how="left")


def scan_classes(views: Views, compiled: Compiled, dids: pl.Series) -> pl.DataFrame:
    """``did, classes`` — the ordinary-goods classes named, for the given descriptions only."""
    sub = views.frame.filter(pl.col("did").is_in(dids.implode()))
    hits = scan_column(sub["token"], compiled.classes, sub["did"])
    return (
        compiled.by_pid.join(compiled.by_gid.join(hits))
        .group_by("did")
        .agg(pl.col("target").unique(maintain_order=True).alias("classes"))
    )


def scan_uses(views: Views, compiled: Compiled, dids: pl.Series) -> pl.DataFrame:
    """Ordinary-use words (plastic, sheet metal, soap...) of the given descriptions (FINDING_SCHEMA, token view).

    Only descriptions with equipment words, or under a heading of the knowledge base, need them.
    """
    sub = views.frame.filter(pl.col("did").is_in(dids.implode()))
    hits = _label(scan_column(sub["token"], compiled.uses, sub["did"]), compiled, "token")
    return hits.select(list(FINDING_SCHEMA)) if not hits.is_empty() else empty(FINDING_SCHEMA)


def scan_text(views: Views, compiled: Compiled) -> pl.DataFrame:
    """All name, equipment and context hits for the distinct descriptions (FINDING_SCHEMA).

    What a description holds depends on its words alone, so findings are remembered per token view
    (up to a bound) and only descriptions not met before are scanned.
    """
    frame = views.frame
    found = compiled.findings.lookup(frame.select("did", "token"), lambda new: _findings_of_new(frame, new, compiled))
    return found.select(list(FINDING_SCHEMA))


def _findings_of_new(frame: pl.DataFrame, new: pl.DataFrame, compiled: Compiled) -> pl.DataFrame:
    """``token`` and the findings (FINDING_SCHEMA but ``did``) of token views not met before (``new``:
    ``did, token``, one row per view)."""
    sub = frame.join(new.select("did"), on="did", how="semi") if new.height < frame.height else frame
    found = _scan_text(Views(sub), compiled)
    return found.join(new, on="did", how="inner").drop("did")


def _scan_text(views: Views, compiled: Compiled) -> pl.DataFrame:
    frame = views.frame
    # only descriptions not met before come here, and scan_text remembers what they hold
    token = _label(scan_column(frame["token"], compiled.token, frame["did"], remember=False), compiled, "token")
    chemish = frame.filter(pl.col("skeleton").str.contains(_CHEMISH))
    skel = _label(
        scan_column(chemish["skeleton"], compiled.skeleton, chemish["did"], remember=False), compiled, "skeleton"
    )
    compact_text = chemish["skeleton"].str.replace_all(" ", "", literal=True)
    compact = _label(
        scan_column(compact_text, compiled.compact, chemish["did"], remember=False), compiled, "compact"
    )
    fuzzy = _fuzzy_hits(views, compiled)
    parts = [p.select(list(FINDING_SCHEMA)) for p in (token, skel, compact, fuzzy) if not p.is_empty()]
    if not parts:
        return empty(FINDING_SCHEMA)
    return _suppress(pl.concat(parts)).select(list(FINDING_SCHEMA))
