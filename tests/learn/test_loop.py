"""The loop's risk model, pure: history features see only what was known before each shipment, a model
learns a planted signal and says why in words, a changed or foreign model refuses to load, and a
model is judged against what screens today."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from interdictor.learn import loop
from interdictor.learn.loop import (
    CODE,
    FEATURE_SET,
    History,
    ModelError,
    Traffic,
    Validation,
    history_features,
    history_of,
    load_model,
    model_reasons,
    train_model,
)

T0 = datetime(2026, 6, 1)


def traffic(rows: list[dict[str, object]], outcomes: list[tuple[str, datetime, str, str | None]]) -> Traffic:
    """Shipments from ``rows`` (shipment_id, time, shipper, and optionally desc, code, score)."""
    ships = pl.DataFrame({
        "shipment_id": [r["shipment_id"] for r in rows], "time": [r["time"] for r in rows],
        "corridor": ["c"] * len(rows), "score": [float(r.get("score", 10.0)) for r in rows],  # type: ignore[arg-type]
        "mode": ["air"] * len(rows), "origin_country": ["CN"] * len(rows), "destination_port": ["LAX"] * len(rows),
        "pieces": [1] * len(rows), "gross_weight_kg": [2.0] * len(rows), "declared_value": [50.0] * len(rows),
    }, schema_overrides={"time": pl.Datetime("us")})
    items = pl.DataFrame({"shipment_id": [r["shipment_id"] for r in rows], "item": [0] * len(rows),
                          "description": [r.get("desc", "cotton shirts") for r in rows],
                          "hs_code": ["620520"] * len(rows), "quantity": [1.0] * len(rows)},
                         schema_overrides={"item": pl.Int32})
    parties = pl.DataFrame({"shipment_id": [r["shipment_id"] for r in rows], "party": ["shipper"] * len(rows),
                            "name": [r["shipper"] for r in rows], "address": ["1 Road"] * len(rows),
                            "city": ["Shenzhen"] * len(rows), "phone": [None] * len(rows),
                            "email": [None] * len(rows)},
                           schema_overrides={"phone": pl.String, "email": pl.String})
    reasons = pl.DataFrame({"shipment_id": [r["shipment_id"] for r in rows if r.get("code")],
                            "code": [r["code"] for r in rows if r.get("code")],
                            "weight": [20.0 for r in rows if r.get("code")]},
                           schema={"shipment_id": pl.String, "code": pl.String, "weight": pl.Float64})
    out = pl.DataFrame(outcomes, schema={"shipment_id": pl.String, "at": pl.Datetime("us"), "result": pl.String,
                                         "pick_kind": pl.String}, orient="row")
    return Traffic(ships, items, parties, reasons, out)


def shipper_history(t: Traffic) -> dict[str, tuple[float, float, float]]:
    h = history_features(t.shipments, t.parties, history_of(t))
    return {r["shipment_id"]: (r["shipper__seen"], r["shipper__examined"], r["shipper__seized"])
            for r in h.iter_rows(named=True)}


@pytest.mark.parametrize(("outcome_at", "b_sees"), [
    (T0 + timedelta(hours=1), (1.0, 1.0, 1.0)),  # known before B was filed
    (T0 + timedelta(hours=2), (1.0, 0.0, 0.0)),  # recorded the moment B was filed: not before it
    (T0 + timedelta(hours=5), (1.0, 0.0, 0.0)),  # known only after B
])
def test_history_counts_only_what_was_known_before_the_shipment(outcome_at: datetime,
                                                                b_sees: tuple[float, float, float]) -> None:
    t = traffic([{"shipment_id": "A", "time": T0, "shipper": "Acme Ltd"},
                 {"shipment_id": "B", "time": T0 + timedelta(hours=2), "shipper": "ACME  ltd"},
                 {"shipment_id": "C", "time": T0 + timedelta(hours=9), "shipper": "Other"}],
                [("A", outcome_at, "seized", "exploit")])
    h = shipper_history(t)
    assert h["A"] == (0.0, 0.0, 0.0)  # never its own row or its own outcome
    assert h["B"] == b_sees
    assert h["C"] == (0.0, 0.0, 0.0)


def test_no_feature_of_a_row_changes_when_outcomes_at_or_after_its_time_change() -> None:
    rng = np.random.default_rng(1)
    rows = [{"shipment_id": f"S{i}", "time": T0 + timedelta(hours=int(h)), "shipper": f"shipper {s}"}
            for i, (h, s) in enumerate(zip(rng.integers(0, 200, 300), rng.integers(0, 12, 300), strict=True))]
    outcomes = [(r["shipment_id"], r["time"] + timedelta(hours=int(rng.integers(1, 48))),  # type: ignore[operator]
                 "seized" if rng.random() < 0.3 else "nothing_found", "exploit") for r in rows[::3]]
    cut = T0 + timedelta(hours=100)
    flipped = [(s, at, "nothing_found" if res == "seized" else "seized", p) if at >= cut else (s, at, res, p)
               for s, at, res, p in outcomes]
    later = [(s, at, res, p) for s, at, res, p in outcomes if at < cut]  # later outcomes never recorded at all
    base = traffic(rows, outcomes)
    before = pl.col("time") <= cut
    keys = base.shipments.filter(before)["shipment_id"]
    features = [history_features(t.shipments, t.parties, history_of(t)).filter(pl.col("shipment_id").is_in(keys.implode()))
                .sort("shipment_id") for t in (base, traffic(rows, flipped), traffic(rows, later))]
    assert features[0]["shipper__seized"].sum() > 0  # the test has something to see
    assert features[0].equals(features[1]) and features[0].equals(features[2])


def planted(n: int = 240, seed: int = 3) -> Traffic:
    """A day-by-day traffic where shipments of 'Bad Co' describing 'presses' are found; exams are the top
    scores plus random ones, and the rules' score does not know the signal."""
    rng = np.random.default_rng(seed)
    rows, outcomes = [], []
    for i in range(n):
        bad = i % 8 == 0
        time = T0 + timedelta(hours=3 * i)
        rows.append({"shipment_id": f"S{i:04d}", "time": time, "shipper": "Bad Co" if bad else f"good {i % 30}",
                     "desc": "tablet presses parts" if bad else "cotton shirts", "score": float(rng.uniform(0, 30)),
                     "code": "ROUTE_ORIGIN_CONCERN"})
        if bad or rng.random() < 0.3:
            outcomes.append((f"S{i:04d}", time + timedelta(hours=1), "seized" if bad else "nothing_found",
                             "explore_random" if not bad and rng.random() < 0.5 else "exploit"))
    return Traffic(*(f for f in (traffic(rows, outcomes).shipments, traffic(rows, outcomes).items,
                                 traffic(rows, outcomes).parties, traffic(rows, outcomes).reasons,
                                 traffic(rows, outcomes).outcomes)))


def test_a_model_learns_the_signal_and_says_why_in_words() -> None:
    t = planted()
    model = train_model(t)
    assert model.card["feature_set"] == FEATURE_SET and "shipper__seized" in model.card["features"]
    reasons = model_reasons(model, t, history_of(t))
    flagged = set(reasons["shipment_id"].to_list())
    bad = {f"S{i:04d}" for i in range(8, 240, 8)}
    assert bad <= flagged and len(flagged - bad) < len(bad)
    assert set(reasons["code"]) == {CODE} and reasons["weight"].max() <= loop.MAX_WEIGHT
    said = reasons.filter(pl.col("shipment_id") == "S0200")["evidence"][0]
    assert "likely to be found" in said
    assert "__" not in said  # words, not feature names
    assert any(words in said for words in ("shipper has", "the description says 'presses'", "the description says "
                                           "'tablet'", "the description says 'parts'", "the description lacks "
                                           "'cotton'", "return address has"))  # what tells Bad Co's shipments apart


def test_validation_ranks_the_newest_period_against_the_rules() -> None:
    check = loop.validate(planted())
    assert check.positives > 0 and check.rows > 0
    assert check.candidate > check.rules  # the rules' score knows nothing of the signal
    assert check.better


@pytest.mark.parametrize(("candidate", "rules", "active", "positives", "better"), [
    (0.5, 0.4, None, 1, True), (0.3, 0.4, None, 1, False),
    (0.4, 0.4, None, 1, False),  # level with the rules on one find: no evidence it helps
    (0.4, 0.4, None, loop.TIED_POSITIVES, True),  # level on enough finds: it may screen
    (0.5, 0.1, 0.6, 40, False),  # worse than the active model
    (0.6, 0.9, 0.6, 40, False),  # as good as the active model but worse than rules alone: never
    (0.95, 0.9, 0.6, 40, True),
])
def test_a_model_is_better_only_when_it_beats_rules_alone_and_is_no_worse_than_what_screens_today(
        candidate: float, rules: float, active: float | None, positives: int, better: bool) -> None:
    assert Validation(T0, 10, positives, candidate, rules, active).better is better


def stored() -> tuple[str, str]:
    model = train_model(planted())
    return model.text, json.dumps(model.card)


@pytest.mark.parametrize(("change", "message"), [
    (lambda text, card: (text.replace("learning_rate", "learning_rate", 1) + "\n", card), "altered after training"),
    (lambda text, card: (text, card.replace(f'"{FEATURE_SET}"', '"loop-0"')), "built for feature set 'loop-0'"),
    (lambda text, card: (text, card[:-2]), "card is not JSON"),
    (lambda text, card: (text, json.dumps({"kind": "something else"})), "not an Interdictor risk model card"),
])
def test_a_changed_or_foreign_model_refuses_to_load(change: object, message: str) -> None:
    text, card = stored()
    assert load_model(text, card, 4).card["sha256"]
    bad_text, bad_card = change(text, card)  # type: ignore[operator]
    with pytest.raises(ModelError, match=message):
        load_model(bad_text, bad_card, 4)


def test_a_model_with_no_positive_outcome_is_refused() -> None:
    t = traffic([{"shipment_id": "A", "time": T0, "shipper": "x"}], [("A", T0 + timedelta(hours=1), "nothing_found", None)])
    with pytest.raises(ModelError, match="nothing to learn"):
        train_model(t)
    assert isinstance(history_of(t), History)


def test_reasons_that_come_after_the_prediction_give_what_all_reasons_at_once_give() -> None:
    """Screening predicts beside the network's reasons: ``finish`` with the later reasons must give the
    same reasons, weights and evidence as ``model_reasons`` with every reason in at once."""
    rng = np.random.default_rng(5)
    rows: list[dict[str, object]] = []
    outcomes: list[tuple[str, datetime, str, str | None]] = []
    late: list[tuple[str, str, float]] = []
    for i in range(240):
        bad = i % 8 == 0  # only the network's reason tells these apart
        time = T0 + timedelta(hours=3 * i)
        rows.append({"shipment_id": f"S{i:04d}", "time": time, "shipper": f"good {i % 30}",
                     "score": float(rng.uniform(0, 30)), "code": "ROUTE_ORIGIN_CONCERN" if i % 3 else None})
        if bad or i % 20 == 1:
            late.append((f"S{i:04d}", "NETWORK_SEIZED_SHIPPER", 30.0 if bad else 5.0))
        if bad or rng.random() < 0.3:
            outcomes.append((f"S{i:04d}", time + timedelta(hours=1), "seized" if bad else "nothing_found", "exploit"))
    early = traffic(rows, outcomes)
    later = pl.DataFrame(late, schema={"shipment_id": pl.String, "code": pl.String, "weight": pl.Float64},
                         orient="row")
    # one shipment has the code early too, weaker: its feature is the strongest of both
    early = Traffic(early.shipments, early.items, early.parties,
                    pl.concat([early.reasons, pl.DataFrame({"shipment_id": ["S0016"], "code": ["NETWORK_SEIZED_SHIPPER"],
                                                            "weight": [4.0]})]), early.outcomes)
    full = Traffic(early.shipments, early.items, early.parties, pl.concat([early.reasons, later]), early.outcomes)
    model = train_model(full)
    history = history_of(full)
    whole = model_reasons(model, full, history)
    assert whole.height and whole["evidence"].str.contains("NETWORK_SEIZED_SHIPPER").any()
    scored = loop.prepare(model, early, history)
    assert_frame_equal(loop.finish(model, scored, later), whole)
    assert not loop.finish(model, scored).equals(whole)  # without them the model would say something else
    assert_frame_equal(loop.finish(model, scored, later.head(0)), loop.finish(model, scored))


def test_path_contributions_add_up_to_the_models_own_score_and_lead_with_the_signal() -> None:
    t = planted()
    model = train_model(t)
    table = loop.feature_table(t, history_of(t), tuple(model.card["reason_codes"]), tuple(model.card["words"]))
    x = model.matrix(table)
    booster = model.booster()
    contrib = loop.path_contributions(booster, x)
    roots = sum(tree["tree_structure"].get("internal_value", tree["tree_structure"].get("leaf_value", 0.0))
                for tree in booster.dump_model()["tree_info"])
    assert np.allclose(contrib.sum(axis=1) + roots, booster.predict(x, raw_score=True))
    shap = np.asarray(booster.predict(x, pred_contrib=True))[:, :-1]
    bad = table["shipment_id"].is_in([f"S{i:04d}" for i in range(8, 240, 8)]).to_numpy()
    names = model.features
    # on the planted shipments both attributions put a feature of the signal first, and the same sign on it
    for row in np.flatnonzero(bad):
        lead = int(np.argmax(contrib[row]))
        assert names[lead].startswith(("word__", "shipper__", "return_address__", "phone__", "email__")), names[lead]
        assert np.sign(shap[row, lead]) == np.sign(contrib[row, lead])
