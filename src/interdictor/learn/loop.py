"""The risk model the loop trains on stored exam outcomes (``interdictor learn``) and screens with.

Pure: the store hands in the traffic (``Traffic``: assessed shipments, their items, parties,
weighed reasons and exam outcomes) and gets back a model's text and card; screening hands in a
batch and gets ``MODEL_RISK`` reasons. Nothing here opens a file or a connection.

**Features** (``FEATURE_SET`` names this list; a model built for another refuses to load):
the detectors' reasons (each code's weight), the shipment's own fields (corridor, mode, origin,
gateway, HS heading, value per kg, weight per piece and per declared unit, pieces), the words of
its descriptions (a vocabulary chosen from the training rows), and the history of its shipper,
consignee, return address, phone and e-mail: how many shipments before it, how many of those were
examined and how many seized — each counted strictly before the shipment's own time, and an exam
counted only once its outcome was known (``history_features``).

**Training** weighs each exam by how it was picked (``PICK_WEIGHTS``): exams the rules chose
(exploitation) say little beyond what the rules already believe, random exploration is the only
unbiased sample. **Validation** is time-ordered: a model trained on the older labelled rows ranks
every shipment of the newest period, the model's reason added to the rule score as screening would
add it; its recall at the budget share (the top 1 %) is set beside the rules' alone.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from interdictor.learn.booster import SEED, THREADS, _safe, params
from interdictor.learn.features import Matrix, encode
from interdictor.learn.metrics import at_shares

FEATURE_SET = "loop-1"  # change it whenever a feature is added, removed or computed differently
CODE = "MODEL_RISK"
IDENTITIES = ("shipper", "consignee", "return_address", "phone", "email")
HISTORY = ("seen", "examined", "seized")
FOUND = ("seized", "referred")  # an exam that found something (as in queue.performance)
# exploitation picks say what the rules already believe; exploration (random above all) is the unbiased sample
PICK_WEIGHTS: Mapping[str, float] = {"exploit": 1.0, "manual": 1.0, "imported": 1.0,
                                     "explore_uncertain": 2.0, "explore_random": 4.0}
BUDGET_SHARE = 1  # per cent: the exam budget's share of traffic, where activation is judged
HOLDOUT_SHARE = 0.3  # the newest share of the labelled rows held out for validation
TIED_POSITIVES = 30  # a model level with rules alone on its holdout activates only with this many finds there
VOCABULARY = 50
MIN_WORD_ROWS = 3
MAX_WEIGHT = 60.0  # the model alone never reaches the hold band
MIN_WEIGHT = 5.0  # below this the model says nothing (no reason row)
ROUNDS = 100
EVIDENCE_FEATURES = 3
CATEGORICAL = ("corridor", "mode", "origin", "gateway", "hs_heading")
NUMERIC = ("value_per_kg", "weight_per_piece", "weight_per_unit", "pieces")
KEY = "shipment_id"


class ModelError(ValueError):
    """A model cannot be trained, stored or loaded; the message says why and what to do."""


@dataclass(frozen=True)
class Traffic:
    """What a model learns from or scores, keyed by ``shipment_id`` (unique across partners).

    shipments: shipment_id, time, corridor, score, mode, origin_country, destination_port, pieces,
    gross_weight_kg, declared_value; items: shipment_id, item, description, hs_code, quantity;
    parties: shipment_id, party, name, address, city, phone, email; reasons: shipment_id, code,
    weight; outcomes: shipment_id, at, result, pick_kind (empty when scoring); ids: the parties'
    ``identities`` when already normalised (a subset carries its share of its whole's).
    """

    shipments: pl.DataFrame
    items: pl.DataFrame
    parties: pl.DataFrame
    reasons: pl.DataFrame
    outcomes: pl.DataFrame
    ids: pl.DataFrame | None = None

    def identified(self) -> pl.DataFrame:
        """``identities(self.parties)``, normalised once."""
        return self.ids if self.ids is not None else identities(self.parties)


# --- history -------------------------------------------------------------------------------------

def _norm(expr: pl.Expr) -> pl.Expr:
    text = expr.str.to_lowercase().str.replace_all(r"[^0-9a-z@.]+", " ").str.strip_chars()
    return pl.when(text.str.len_chars() > 0).then(text).otherwise(None)


_IDENTITIES: list[tuple[pl.DataFrame, pl.DataFrame]] = []  # the last parties frame and its identities


def identities(parties: pl.DataFrame) -> pl.DataFrame:
    """``shipment_id, kind, value``: each shipment's shipper, consignee, return address (the shipper's
    address), phone and e-mail (the shipper's), normalised so spelling noise does not split them.
    The last frame's answer is kept: ``learn`` counts the history of the same traffic three times
    (training, the validation model, validation), each normalising millions of party rows."""
    if _IDENTITIES and _IDENTITIES[0][0] is parties:
        return _IDENTITIES[0][1]
    found = _identities(parties)
    _IDENTITIES[:] = [(parties, found)]
    return found


def _each_once(values: pl.Series, how: pl.Expr) -> pl.Series:
    """``how`` (an expression of ``pl.col("raw")``) over ``values``, computed once per distinct value and
    joined back: party names, addresses and e-mails repeat across shipments."""
    raw = values.alias("raw").to_frame()
    distinct = raw.unique().with_columns(how.alias("out"))
    return raw.join(distinct, on="raw", how="left", maintain_order="left", nulls_equal=True).get_column("out")


def _identities(parties: pl.DataFrame) -> pl.DataFrame:
    shipper = parties.filter(pl.col("party") == "shipper")
    consignee = parties.filter(pl.col("party") == "consignee")
    raw = pl.col("raw")
    digits = raw.str.replace_all(r"\D", "")
    address = shipper.select(pl.concat_str([pl.col("address"), pl.col("city")], separator=" ", ignore_nulls=True))
    parts = [
        pl.DataFrame({KEY: shipper[KEY], "kind": "shipper", "value": _each_once(shipper["name"], _norm(raw))}),
        pl.DataFrame({KEY: consignee[KEY], "kind": "consignee", "value": _each_once(consignee["name"], _norm(raw))}),
        pl.DataFrame({KEY: shipper[KEY], "kind": "return_address", "value": _each_once(address.to_series(), _norm(raw))}),
        pl.DataFrame({KEY: shipper[KEY], "kind": "phone",
                      "value": _each_once(shipper["phone"], pl.when(digits.str.len_chars() >= 6).then(digits))}),
        pl.DataFrame({KEY: shipper[KEY], "kind": "email", "value": _each_once(shipper["email"], _norm(raw))}),
    ]
    schema = pl.Schema({KEY: pl.String, "kind": pl.String, "value": pl.String})
    found = pl.concat([f.cast(schema) for f in parts]).drop_nulls("value")
    if shipper[KEY].is_duplicated().any() or consignee[KEY].is_duplicated().any():  # the first named one
        found = found.unique([KEY, "kind"], keep="first", maintain_order=True)
    return found


@dataclass(frozen=True)
class History:
    """Running counts per identifier: shipments seen at each time, exams and seizures at each outcome time."""

    seen: pl.DataFrame  # kind, value, time, seen (cumulative, this time included)
    exams: pl.DataFrame  # kind, value, time, examined, seized (cumulative)

    @property
    def size(self) -> int:
        return self.seen.height

    @cached_property
    def kinds(self) -> dict[str, tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]]:
        """Per identifier kind, made once: its seen and exam rows sorted by time (for as-of joins), and its
        totals — ``value, seen_until, exams_until`` (the latest times) and the final counts — which are
        the whole answer for a shipment later than both times (live screening: nearly every one)."""
        out = {}
        for kind in IDENTITIES:
            seen = self.seen.filter(pl.col("kind") == kind).drop("kind").sort("time")
            exams = self.exams.filter(pl.col("kind") == kind).drop("kind").sort("time")
            last_seen = seen.group_by("value").agg(pl.col("time").last().alias("seen_until"), pl.col("seen").last())
            last_exams = exams.group_by("value").agg(pl.col("time").last().alias("exams_until"),
                                                     pl.col("examined").last(), pl.col("seized").last())
            out[kind] = (seen, exams, last_seen.join(last_exams, on="value", how="full", coalesce=True))
        return out


def history_of(traffic: Traffic) -> History:
    """The history every later shipment is measured against: when each identifier was seen, and when
    each exam's outcome on a shipment with it became known."""
    ids = traffic.identified().join(traffic.shipments.select(KEY, "time"), on=KEY)
    seen = (ids.group_by("kind", "value", "time").agg(pl.len().alias("n")).sort("kind", "value", "time")
            .with_columns(pl.col("n").cum_sum().over("kind", "value").alias("seen")).drop("n"))
    latest = traffic.outcomes.sort("at").unique(KEY, keep="last")
    exams = (ids.select(KEY, "kind", "value")
             .join(latest.select(KEY, pl.col("at").alias("time"),
                                 pl.col("result").is_in(FOUND).cast(pl.Int64).alias("s")), on=KEY)
             .group_by("kind", "value", "time").agg(pl.len().alias("e"), pl.col("s").sum())
             .sort("kind", "value", "time")
             .with_columns(pl.col("e").cum_sum().over("kind", "value").alias("examined"),
                           pl.col("s").cum_sum().over("kind", "value").alias("seized"))
             .drop("e", "s"))
    return History(seen.with_columns(pl.col("seen").cast(pl.Int64)),
                   exams.with_columns(pl.col("examined").cast(pl.Int64), pl.col("seized").cast(pl.Int64)))


def history_features(shipments: pl.DataFrame, parties: pl.DataFrame, history: History,
                     ids: pl.DataFrame | None = None) -> pl.DataFrame:
    """``shipment_id`` and, per identifier, ``<kind>__seen / __examined / __seized``: what the history
    held strictly before each shipment's time (never its own row, never an outcome known later). A
    shipment without the identifier gets empty cells.

    A shipment later than everything the history holds of its identifier takes the identifier's totals
    (one hash join); only the others are matched in time (as-of joins over their identifiers' rows)."""
    rows = shipments.select(KEY, "time")
    ids = identities(parties) if ids is None else ids
    out = rows.select(KEY)
    for kind in IDENTITIES:
        seen, exams, totals = history.kinds[kind]
        left = rows.join(ids.filter(pl.col("kind") == kind).select(KEY, "value"), on=KEY)
        # the batch's values first: a join would hash the whole history's values, batch after batch
        mine = totals.filter(pl.col("value").is_in(left.get_column("value").unique().implode()))
        known = left.join(mine, on="value", how="left")
        after = ((pl.col("seen_until").is_null() | (pl.col("time") > pl.col("seen_until")))
                 & (pl.col("exams_until").is_null() | (pl.col("time") > pl.col("exams_until"))))
        late = known.filter(after).select(KEY, *HISTORY)
        early = known.filter(~after).select(KEY, "value", "time").sort("time")
        if early.height:
            values = early.select("value").unique()
            matched = (early.join_asof(seen.join(values, on="value", how="semi"), on="time", by="value",
                                       strategy="backward", allow_exact_matches=False, check_sortedness=False)
                       .join_asof(exams.join(values, on="value", how="semi"), on="time", by="value",
                                  strategy="backward", allow_exact_matches=False, check_sortedness=False))
            late = pl.concat([late, matched.select(KEY, *HISTORY)], how="vertical_relaxed")
        out = out.join(late.select(KEY, *(pl.col(h).fill_null(0).cast(pl.Float64).alias(f"{kind}__{h}")
                                          for h in HISTORY)), on=KEY, how="left", maintain_order="left")
    return out


# --- features ------------------------------------------------------------------------------------

def _words(items: pl.DataFrame, only: tuple[str, ...] | None = None) -> pl.DataFrame:
    """``shipment_id, word``: each word (3+ letters) of a shipment's descriptions, once (``only``: of these).
    Each distinct description is split once: a seller's listing repeats across parcels (a tenth as many
    distinct descriptions as items in a demo day)."""
    distinct = items.select(pl.col("description").unique().drop_nulls())
    words = (distinct.with_columns(pl.col("description").str.to_lowercase().str.extract_all(r"[a-z]{3,}").alias("word"))
             .explode("word").drop_nulls("word"))
    if only is not None:
        words = words.filter(pl.col("word").is_in(only))
    return items.select(KEY, "description").join(words, on="description").select(KEY, "word").unique()


def vocabulary(items: pl.DataFrame, size: int = VOCABULARY) -> tuple[str, ...]:
    """The description words of most training shipments (each in at least ``MIN_WORD_ROWS``)."""
    counts = _words(items).group_by("word").agg(pl.len().alias("n")).filter(pl.col("n") >= MIN_WORD_ROWS)
    return tuple(counts.sort(["n", "word"], descending=[True, False])["word"].head(size).to_list())


def feature_table(traffic: Traffic, history: History, codes: tuple[str, ...], words: tuple[str, ...]) -> pl.DataFrame:
    """One row per shipment (in ``traffic.shipments`` order): its key and every feature column."""
    s = traffic.shipments
    first_item = (traffic.items.sort(KEY, "item").group_by(KEY, maintain_order=True)
                  .agg(pl.col("hs_code").drop_nulls().first().str.slice(0, 4).alias("hs_heading"),
                       pl.col("quantity").sum().alias("units")))
    weight = pl.col("gross_weight_kg")
    own = s.join(first_item, on=KEY, how="left", maintain_order="left").select(
        KEY,
        pl.col("corridor"), pl.col("mode"), pl.col("origin_country").alias("origin"),
        pl.col("destination_port").str.to_uppercase().alias("gateway"), pl.col("hs_heading"),
        pl.when(weight > 0).then(pl.col("declared_value") / weight).alias("value_per_kg"),
        pl.when(pl.col("pieces") > 0).then(weight / pl.col("pieces")).alias("weight_per_piece"),
        pl.when(pl.col("units") > 0).then(weight / pl.col("units")).alias("weight_per_unit"),
        pl.col("pieces").cast(pl.Float64),
    )
    rows = s.select(KEY).with_row_index("row")
    fired = (traffic.reasons.filter(pl.col("code").is_in(codes)).group_by(KEY, "code").agg(pl.col("weight").max())
             .join(rows, on=KEY))
    present = _words(traffic.items, words).join(rows, on=KEY).with_columns(pl.lit(1.0).alias("weight"))
    table = (own.hstack(_spread(fired, "code", codes, "reason__", s.height))
             .hstack(_spread(present.rename({"word": "code"}), "code", words, "word__", s.height))
             .join(history_features(s, traffic.parties, history, traffic.ids), on=KEY, how="left", maintain_order="left"))
    return table


def _spread(found: pl.DataFrame, column: str, names: tuple[str, ...], prefix: str, height: int) -> list[pl.Series]:
    """``found`` (``row``, ``column``, ``weight``; one row per row and name) as one column per name, its
    weight put in place by row number (0 elsewhere): one scatter instead of an aggregation per name."""
    grid = np.zeros((height, len(names)))
    if found.height and names:
        at = found.get_column(column).replace_strict(names, list(range(len(names))), return_dtype=pl.Int64)
        grid[found.get_column("row").to_numpy(), at.to_numpy()] = found.get_column("weight").to_numpy()
    return [pl.Series(f"{prefix}{n}", grid[:, j]) for j, n in enumerate(names)]


def feature_columns(codes: tuple[str, ...], words: tuple[str, ...]) -> list[str]:
    return [*CATEGORICAL, *NUMERIC, *(f"reason__{c}" for c in codes), *(f"word__{w}" for w in words),
            *(f"{k}__{h}" for k in IDENTITIES for h in HISTORY)]


# --- the model -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Model:
    """A trained model with its card; ``version`` once stored."""

    text: str  # LightGBM's text format
    card: dict[str, Any]
    version: int | None = None

    @property
    def features(self) -> list[str]:
        return list(self.card["features"])

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def booster(self) -> Any:
        return _booster(self.text, self.digest)

    def matrix(self, table: pl.DataFrame) -> np.ndarray:
        cats = {c: tuple(v) for c, v in self.card["categories"].items()}
        m = encode(table, table.head(0), self.features, numeric=[c for c in self.features if c not in CATEGORICAL],
                   categories=cats)
        return m.train

    def predict(self, table: pl.DataFrame) -> np.ndarray:
        if table.height == 0:
            return np.zeros(0)
        return np.asarray(self.booster().predict(self.matrix(table)), dtype=np.float64)


_BOOSTERS: dict[str, Any] = {}


def _booster(text: str, key: str | None = None) -> Any:
    """The booster of a model text, made once (``key``: the text's digest when known)."""
    import lightgbm as lgb

    key = key or hashlib.sha256(text.encode()).hexdigest()
    if key not in _BOOSTERS:
        _BOOSTERS.clear()
        _BOOSTERS[key] = lgb.Booster(model_str=text)
    return _BOOSTERS[key]


def _fit(table: pl.DataFrame, labels: np.ndarray, weights: np.ndarray, columns: list[str], *, seed: int,
         threads: int) -> tuple[Any, Matrix]:
    import lightgbm as lgb

    matrix = encode(table, table.head(0), columns, numeric=[c for c in columns if c not in CATEGORICAL])
    p = {**params(seed=seed, threads=threads), "min_data_in_leaf": 5, "min_data_per_group": 5}
    data = lgb.Dataset(matrix.train, label=labels, weight=weights, feature_name=[_safe(n) for n in matrix.names],
                       categorical_feature=list(matrix.categorical), free_raw_data=True,
                       params={"verbosity": -1, "max_bin": 255})
    return lgb.train(p, data, num_boost_round=ROUNDS), matrix


def _labelled(traffic: Traffic) -> pl.DataFrame:
    """``shipment_id, time, label, sample_weight`` of the shipments with an exam outcome (the latest)."""
    latest = traffic.outcomes.sort("at").unique(KEY, keep="last")
    return (traffic.shipments.select(KEY, "time").join(latest, on=KEY)
            .select(KEY, "time", pl.col("result").is_in(FOUND).cast(pl.Int8).alias("label"),
                    pl.col("pick_kind").replace_strict(dict(PICK_WEIGHTS), default=1.0,
                                                       return_dtype=pl.Float64).alias("sample_weight"))
            .sort("time", KEY))


def _subset(traffic: Traffic, keys: pl.Series) -> Traffic:
    def keep(f: pl.DataFrame) -> pl.DataFrame:
        return f.filter(pl.col(KEY).is_in(keys.implode()))
    return Traffic(keep(traffic.shipments), keep(traffic.items), keep(traffic.parties), keep(traffic.reasons),
                   keep(traffic.outcomes), keep(traffic.identified()))


def train_model(traffic: Traffic, *, seed: int = SEED, threads: int = THREADS, known_before: datetime | None = None,
                code_version: str = "", history: History | None = None) -> Model:
    """A model trained on every labelled shipment of ``traffic`` (outcomes known before ``known_before``
    when given: a validation model must not learn its own holdout). ``history``: ``history_of(traffic)``
    when the caller has it — a training row is older than ``known_before`` and its features count only
    what was known before its own time, so the whole traffic's history gives it the same features."""
    outcomes = traffic.outcomes if known_before is None else traffic.outcomes.filter(pl.col("at") < known_before)
    visible = Traffic(traffic.shipments, traffic.items, traffic.parties, traffic.reasons, outcomes, traffic.ids)
    labelled = _labelled(visible)
    if known_before is not None:
        labelled = labelled.filter(pl.col("time") < known_before)
    if labelled.height == 0 or not (labelled["label"] == 1).any():
        raise ModelError(f"no exam that found something among {labelled.height} stored outcomes: nothing to learn "
                         "from yet (import outcomes with `interdictor outcomes import`)")
    if history is None:
        history = history_of(visible)
    train = _subset(visible, labelled[KEY])
    codes = tuple(sorted(c for c in train.reasons["code"].unique().to_list() if c != CODE))
    words = vocabulary(train.items)
    columns = feature_columns(codes, words)
    table = labelled.select(KEY).join(feature_table(train, history, codes, words), on=KEY, how="left",
                                      maintain_order="left")
    booster, matrix = _fit(table, labelled["label"].to_numpy(), labelled["sample_weight"].to_numpy(), columns,
                           seed=seed, threads=threads)
    text = booster.model_to_string()
    times = labelled["time"]
    card: dict[str, Any] = {
        "kind": "interdictor risk model", "feature_set": FEATURE_SET, "code_version": code_version,
        "features": list(matrix.names), "categories": {k: list(v) for k, v in matrix.categories.items()},
        "reason_codes": list(codes), "words": list(words),
        "data": {"from": str(times.min()), "until": str(times.max()), "labelled": labelled.height,
                 "found": int(labelled["label"].sum()),
                 "picks": dict(sorted(Counter(visible.outcomes["pick_kind"].fill_null("imported").to_list()).items()))},
        "pick_weights": dict(PICK_WEIGHTS), "seed": seed, "rounds": ROUNDS,
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
    }
    return Model(text, card)


# --- scoring -------------------------------------------------------------------------------------

def weights_of(probability: np.ndarray) -> np.ndarray:
    """The weight ``MODEL_RISK`` proposes: the model's probability in points, at most ``MAX_WEIGHT``."""
    return np.minimum(np.round(100.0 * probability, 1), MAX_WEIGHT)


def combined(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """A rule score with the model's reason added as independent evidence (as the scorer combines)."""
    return 100.0 * (1.0 - (1.0 - scores / 100.0) * (1.0 - weights / 100.0))


def _phrase(feature: str, value: float) -> str:
    if feature.startswith("reason__"):
        code = feature.removeprefix("reason__")
        return f"reason {code} (weight {value:g})" if value else f"no {code} reason"
    if feature.startswith("word__"):
        word = feature.removeprefix("word__")
        return f"the description {'says' if value else 'lacks'} '{word}'"
    kind, _, what = feature.partition("__")
    if kind in IDENTITIES:
        name = kind.replace("_", " ")
        n = 0 if np.isnan(value) else int(value)
        label = {"seen": "earlier shipment", "examined": "earlier exam", "seized": "earlier seizure"}[what]
        return f"{name} has {n} {label}{'' if n == 1 else 's'}"
    if np.isnan(value):
        return f"no {feature.replace('_', ' ')}"
    return f"{feature.replace('_', ' ')} {value:,.2f}".rstrip("0").rstrip(".")


_PATHS: dict[int, tuple[Any, np.ndarray]] = {}  # the booster is kept with its paths, so its id is not reused


def _leaf_paths(booster: Any) -> np.ndarray:
    """Per tree and leaf, what each feature's splits on the way from the root to that leaf changed the
    tree's value by (``trees × leaves × features``; made once per booster)."""
    if id(booster) in _PATHS:
        return _PATHS[id(booster)][1]
    dump = booster.dump_model()
    trees = dump["tree_info"]
    width = max(t["num_leaves"] for t in trees)
    paths = np.zeros((len(trees), width, len(dump["feature_names"])))

    def walk(t: int, node: dict[str, Any], acc: dict[int, float]) -> None:
        if "split_feature" not in node:
            for f, v in acc.items():
                paths[t, node.get("leaf_index", 0), f] += v
            return
        f, value = node["split_feature"], node["internal_value"]
        for child in (node["left_child"], node["right_child"]):
            to = child["internal_value"] if "split_feature" in child else child["leaf_value"]
            walk(t, child, {**acc, f: acc.get(f, 0.0) + to - value})

    for t, tree in enumerate(trees):
        walk(t, tree["tree_structure"], {})
    _PATHS.clear()
    _PATHS[id(booster)] = (booster, paths)
    return paths


def path_contributions(booster: Any, x: np.ndarray) -> np.ndarray:
    """Each feature's contribution to each row's raw score, from the model's own trees: every split on a
    row's path credits its feature with the change it made to the tree's value (treeinterpreter's
    attribution; with the trees' root values they add up to the raw score). LightGBM's SHAP values
    (``pred_contrib``) take ~2.5 ms a row on 100 trees 16 deep — over a minute for the ~3 % of a
    million-shipment day the model speaks about — this one pass to find each row's leaves. On a
    model learned from 2,000 outcomes the three leading features were SHAP's three on 92 % of the
    rows explained (the first one on 70 %)."""
    if len(x) == 0:
        return np.zeros((0, x.shape[1]))
    paths = _leaf_paths(booster)
    leaves = np.asarray(booster.predict(x, pred_leaf=True), dtype=np.int64).reshape(len(x), -1)
    out = np.zeros((len(x), paths.shape[2]))
    for t in range(leaves.shape[1]):
        out += paths[t, leaves[:, t]]
    return out


_EMPTY_REASONS = {KEY: pl.String, "code": pl.String, "weight": pl.Float64, "evidence": pl.String}


@dataclass(frozen=True)
class Scored:
    """A batch as the model scored it before every reason was in (``prepare``): its keys, feature matrix,
    probabilities, and the reasons its ``reason__`` features were spread from."""

    keys: pl.Series
    x: np.ndarray  # rows × model.features, C order
    p: np.ndarray
    fired: pl.DataFrame  # shipment_id, code, weight: the reasons among the model's codes


def _reason_columns(model: Model, fired: pl.DataFrame, rows: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, weight) of each shipment's strongest reason of each code, as ``feature_table`` spreads them."""
    strongest = fired.group_by(KEY, "code").agg(pl.col("weight").max()).join(rows, on=KEY)
    at = {name: j for j, name in enumerate(model.features)}
    columns = strongest.get_column("code").replace_strict({c: at[f"reason__{c}"] for c in model.card["reason_codes"]},
                                                          return_dtype=pl.Int64)
    return strongest.get_column("row").to_numpy(), columns.to_numpy(), strongest.get_column("weight").to_numpy()


def prepare(model: Model, traffic: Traffic, history: History) -> Scored:
    """The features and probabilities of every shipment of ``traffic`` (the costly part of ``model_reasons``);
    ``finish`` adds reasons that came later and words the model's reasons."""
    codes, words = tuple(model.card["reason_codes"]), tuple(model.card["words"])
    table = feature_table(traffic, history, codes, words)
    fired = traffic.reasons.filter(pl.col("code").is_in(codes)).select(KEY, "code", pl.col("weight").cast(pl.Float64))
    if table.height == 0:
        return Scored(table[KEY], np.zeros((0, len(model.features))), np.zeros(0), fired)
    x = np.ascontiguousarray(model.matrix(table))  # LightGBM copies any other layout, batch after batch
    return Scored(table[KEY], x, np.asarray(model.booster().predict(x), dtype=np.float64), fired)


def finish(model: Model, scored: Scored, later: pl.DataFrame | None = None) -> pl.DataFrame:
    """``model_reasons`` of a prepared batch, with the reasons (``shipment_id, code, weight``) found after
    ``prepare``: the shipments they touch have their reason features counted again from all their reasons
    and are predicted again — the same features and probabilities as if every reason had been in at once."""
    if scored.keys.len() == 0:
        return pl.DataFrame(schema=_EMPTY_REASONS)
    booster = model.booster()
    x, p = scored.x, scored.p
    codes = tuple(model.card["reason_codes"])
    late = (later.filter(pl.col("code").is_in(codes)).select(KEY, "code", pl.col("weight").cast(pl.Float64))
            if later is not None else None)
    if late is not None and late.height:
        rows = scored.keys.to_frame().with_row_index("row").join(late.select(KEY).unique(), on=KEY)
        touched = rows.get_column("row").to_numpy()
        mine = pl.concat([scored.fired.join(rows, on=KEY, how="semi"), late])
        r, c, w = _reason_columns(model, mine, rows)
        x, p = x.copy(), p.copy()
        reason_columns = np.array([j for j, n in enumerate(model.features) if n.startswith("reason__")], dtype=np.intp)
        x[np.ix_(touched, reason_columns)] = 0.0
        x[r, c] = w
        p[touched] = np.asarray(booster.predict(x[touched]), dtype=np.float64)
    w = weights_of(p)
    keep = np.flatnonzero(w >= MIN_WEIGHT)
    contrib = path_contributions(booster, x[keep])
    names = model.features
    categories = model.card["categories"]
    evidence = []
    leaders = np.argsort(-contrib, axis=1, kind="stable")[:, :EVIDENCE_FEATURES]
    for row, i in enumerate(keep):
        top = [j for j in leaders[row] if contrib[row, j] > 0]
        said = []
        for j in top:
            name, value = names[j], x[i, j]
            if name in categories:
                kept = categories[name]
                code = int(value) if not np.isnan(value) else -1
                shown = kept[code] if 0 <= code < len(kept) else ("unknown" if code < 0 else "a rare value")
                said.append(f"{name.replace('_', ' ')} {shown}")
            else:
                said.append(_phrase(name, value))
        version = f" v{model.version}" if model.version is not None else ""
        evidence.append(f"risk model{version} ({100 * p[i]:.0f} % likely to be found): "
                        + ("; ".join(said) if said else "no single feature stands out"))
    ids = scored.keys.gather(keep)
    return pl.DataFrame({KEY: ids, "code": [CODE] * len(keep), "weight": w[keep], "evidence": evidence},
                        schema=_EMPTY_REASONS)


def model_reasons(model: Model, traffic: Traffic, history: History) -> pl.DataFrame:
    """``shipment_id, code, weight, evidence`` — one ``MODEL_RISK`` row for each shipment the model
    gives a weight of at least ``MIN_WEIGHT`` points, its evidence the features that pushed it up most, in words
    (LightGBM's own per-feature contributions)."""
    return finish(model, prepare(model, traffic, history))


def said_by_model(evidence: pl.Expr) -> list[pl.Expr]:
    """``model_version`` and ``model_probability`` (per cent) read back from a ``MODEL_RISK`` reason's
    evidence, as ``model_reasons`` writes it ("risk model v3 (52 % likely to be found): ...")."""
    return [evidence.str.extract(r"^risk model v(\d+) ", 1).cast(pl.Int64, strict=False).alias("model_version"),
            evidence.str.extract(r"^risk model[^(]*\((\d+) % likely", 1).cast(pl.Int64, strict=False)
            .alias("model_probability")]


@dataclass(frozen=True)
class Scorer:
    """What screening holds of a model: the model and the history its features are counted from."""

    model: Model
    history: History

    @property
    def version(self) -> str:
        return str(self.model.version)

    def ready(self) -> Scorer:
        """This scorer with its booster and its history's per-identifier tables made (once, as screening is
        set up, rather than in the first batch)."""
        self.model.booster()
        _ = self.history.kinds
        return self

    def reasons(self, traffic: Traffic) -> pl.DataFrame:
        return model_reasons(self.model, traffic, self.history)

    def prepare(self, traffic: Traffic) -> Scored:
        """A batch's features and probabilities from the reasons known so far (screening runs it beside the
        reasons still to come); ``finish`` with those reasons gives what ``reasons`` gives with all of them."""
        return prepare(self.model, traffic, self.history)

    def finish(self, scored: Scored, later: pl.DataFrame | None = None) -> pl.DataFrame:
        return finish(self.model, scored, later)


# --- validation ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Validation:
    cut: datetime
    rows: int
    positives: int
    candidate: float  # recall at the budget share, rules plus this model
    rules: float  # rules alone
    active: float | None  # rules plus the active model, when there is one

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"holdout_from": str(self.cut), "rows": self.rows, "positives": self.positives,
                               f"recall@{BUDGET_SHARE}%": {"model": round(self.candidate, 4),
                                                           "rules": round(self.rules, 4)}}
        if self.active is not None:
            out[f"recall@{BUDGET_SHARE}%"]["active"] = round(self.active, 4)
        return out

    @property
    def better(self) -> bool:
        """At least as good as what screens today (the active model, when there is one) and better than
        rules alone — or level with them on a holdout of at least ``TIED_POSITIVES`` finds.  A tie on a
        handful of finds is no evidence that the model helps, and a model trained on few outcomes speaks
        with too much confidence about shipments it has not learned: with few outcomes it stays inactive."""
        today = self.active if self.active is not None else self.rules
        beats_rules = self.candidate > self.rules or (self.candidate == self.rules and self.positives >= TIED_POSITIVES)
        return self.candidate >= today and beats_rules


def holdout_cut(traffic: Traffic, share: float = HOLDOUT_SHARE) -> datetime | None:
    """Where the newest ``share`` of the labelled rows begins (None when a side would have no positive)."""
    labelled = _labelled(traffic)
    if labelled.height < 2:
        return None
    cut = labelled["time"][int(labelled.height * (1 - share))]
    older, newer = labelled.filter(pl.col("time") < cut), labelled.filter(pl.col("time") >= cut)
    if not (older["label"] == 1).any() or not (newer["label"] == 1).any():
        return None
    assert isinstance(cut, datetime)
    return cut


def _recall(model: Model, traffic: Traffic, history: History, holdout: pl.DataFrame, y: np.ndarray) -> float:
    scores = holdout["score"].to_numpy()
    r = model_reasons(model, traffic, history).select(KEY, "weight")
    w = holdout.select(KEY).join(r, on=KEY, how="left", maintain_order="left")["weight"].fill_null(0.0).to_numpy()
    return at_shares(combined(scores, w), y, (BUDGET_SHARE,))[f"recall@{BUDGET_SHARE}%"]


def validate(traffic: Traffic, active: Model | None = None, *, seed: int = SEED, threads: int = THREADS,
             history: History | None = None) -> Validation:
    """Train on what was known before the holdout's start; rank every shipment of the holdout period
    by rules + model, by rules alone and by rules + the active model; recall at the budget share."""
    cut = holdout_cut(traffic)
    if cut is None:
        raise ModelError("too few outcomes to validate: the older and the newer part of the exams each need "
                         "at least one that found something")
    if history is None:  # features still see only what was known before each shipment's own time
        history = history_of(traffic)
    candidate = train_model(traffic, seed=seed, threads=threads, known_before=cut, history=history)
    later = traffic.shipments.filter(pl.col("time") >= cut)
    holdout = _subset(traffic, later[KEY])
    found = _labelled(holdout).filter(pl.col("label") == 1)[KEY]
    y = later[KEY].is_in(found.implode()).cast(pl.Int8).to_numpy()
    rules = at_shares(later["score"].to_numpy(), y, (BUDGET_SHARE,))[f"recall@{BUDGET_SHARE}%"]
    mine = _recall(candidate, holdout, history, later, y)
    theirs = _recall(active, holdout, history, later, y) if active is not None else None
    return Validation(cut, later.height, int(y.sum()), mine, rules, theirs)


# --- files ---------------------------------------------------------------------------------------

def load_model(text: str, card_json: str, version: int | None = None) -> Model:
    """A stored model, checked: its card must name this code's feature set and the text must be the
    one the card was written for. Raises ``ModelError`` saying what to do otherwise."""
    label = f"model v{version}" if version is not None else "the model"
    try:
        card = json.loads(card_json)
    except json.JSONDecodeError as exc:
        raise ModelError(f"{label}: its card is not JSON ({exc.msg}); train a new one with `interdictor learn`") from exc
    if not isinstance(card, dict) or card.get("kind") != "interdictor risk model":
        raise ModelError(f"{label}: its card is not an Interdictor risk model card; train a new one with "
                         "`interdictor learn`")
    if card.get("feature_set") != FEATURE_SET:
        raise ModelError(f"{label} was built for feature set {card.get('feature_set')!r}, this code computes "
                         f"{FEATURE_SET!r}: train a new one with `interdictor learn` (or deactivate it)")
    if hashlib.sha256(text.encode()).hexdigest() != card.get("sha256"):
        raise ModelError(f"{label}: the model text does not match its card (altered after training); "
                         "train a new one with `interdictor learn`")
    try:
        booster = _booster(text)
    except Exception as exc:  # LightGBM's own error type for an unreadable model
        raise ModelError(f"{label}: LightGBM cannot read it ({str(exc).splitlines()[0] if str(exc) else exc})") from exc
    expected = [_safe(n) for n in card.get("features", [])]
    if list(booster.feature_name()) != expected:
        raise ModelError(f"{label}: its trees use features {booster.feature_name()[:5]}…, its card lists "
                         f"{expected[:5]}…; train a new one with `interdictor learn`")
    return Model(text, card, version)

