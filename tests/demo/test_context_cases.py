"""The context-case generator is a function of its seed and template set, and plants what it says."""

from __future__ import annotations

import datetime as dt

from interdictor.demo.context_cases import FAMILIES, TEMPLATES, consolidator_rows, plant

DAY = dt.date(2026, 6, 1)
LISTED = ["Hubei Vast Chemical Co., Limited", "Hebei Xiuna Trading Co., LTD"]


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    a, b = plant(5, False, DAY, 6, LISTED), plant(5, False, DAY, 6, LISTED)
    assert a.rows == b.rows and a.truth == b.truth
    assert plant(6, False, DAY, 6, LISTED).rows != a.rows


def test_every_family_is_planted_as_many_times_as_asked() -> None:
    p = plant(3, True, DAY, 7, LISTED)
    counts = {f: sum(1 for v in p.truth.values() if v == f) for f in FAMILIES}
    assert all(n == 7 for f, n in counts.items() if f != "commingled"), counts
    assert counts["commingled"] >= 7
    assert set(p.truth) == {r["shipment_id"] for r in p.rows}


def test_commingled_parcels_share_a_return_address_under_other_names() -> None:
    p = plant(9, False, DAY, 6, LISTED)
    rows = [r for r in p.rows if p.truth[r["shipment_id"]] == "commingled"]
    by_address: dict[str, set[str]] = {}
    for r in rows:
        by_address.setdefault(r["shipper_address"], set()).add(r["shipper_name"])
    assert all(len(names) >= 5 for names in by_address.values()), by_address


def test_typos_change_one_letter_of_a_listed_name() -> None:
    p = plant(2, False, DAY, 8, LISTED)
    for r in (r for r in p.rows if p.truth[r["shipment_id"]] == "listed_typo"):
        close = [n for n in LISTED if abs(len(n) - len(r["shipper_name"])) <= 1 and n != r["shipper_name"]]
        assert close, r["shipper_name"]


def test_holdout_templates_share_no_goods_or_city_with_the_tuning_set() -> None:
    tune, hold = TEMPLATES["tune"], TEMPLATES["holdout"]
    assert not {g for g, _ in tune.everyday} & {g for g, _ in hold.everyday}
    assert not set(tune.vague) & set(hold.vague)
    assert not {c for c, _, _ in tune.border} & {c for c, _, _ in hold.border}
    holdout_goods = {r["item_description"] for r in plant(4, True, DAY, 10, LISTED).rows}
    assert not holdout_goods & ({g for g, _ in tune.everyday} | set(tune.vague))


def test_a_consolidator_has_one_address_and_hundreds_of_sellers() -> None:
    rows = consolidator_rows(1, DAY, 200, False)
    assert len({r["shipper_address"] for r in rows}) == 1
    assert len({r["shipper_name"] for r in rows}) == 200
