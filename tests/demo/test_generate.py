"""The synthetic traffic generator: contract, determinism, realism, planted cases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import yaml

from interdictor.demo.generate import GenerationStats, generate_manifest, main
from interdictor.demo.identifiers import valid_awb, valid_s10
from interdictor.demo.sources import load

HERE = Path(__file__).resolve().parent
EXPECT: dict[str, Any] = yaml.safe_load((HERE / "expectations.yaml").read_text("utf-8"))
SIZE = 20_000
# the manifest CSV contract (README; docs/architecture.md), in order
CONTRACT = [
    "shipment_id", "mode", "filer", "mawb", "hawb", "postal_item_id", "filed_at", "carrier",
    "origin_country", "origin_port", "destination_port", "routing",
    "shipper_name", "shipper_address", "shipper_city", "shipper_postal_code", "shipper_country", "shipper_phone",
    "shipper_email",
    "consignee_name", "consignee_address", "consignee_city", "consignee_state", "consignee_postal_code",
    "consignee_country", "consignee_phone", "consignee_email",
    "pieces", "gross_weight_kg", "declared_value", "currency",
    "item_description", "hs_code", "item_quantity", "item_weight_kg", "item_value", "cas_number",
]  # fmt: skip


@dataclass
class Day:
    path: Path
    stats: GenerationStats
    rows: pl.DataFrame
    shipments: pl.DataFrame
    progress: list[int]


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Day:
    path = tmp_path_factory.mktemp("demo") / "day.csv"
    seen: list[int] = []
    stats = generate_manifest(path, size=SIZE, seed=11, progress=seen.append)
    rows = pl.read_csv(path, infer_schema_length=0)
    return Day(path, stats, rows, rows.unique("shipment_id", keep="first", maintain_order=True), seen)


def cas_ok(cas: str) -> bool:
    digits = cas.replace("-", "")
    body, check = digits[:-1], int(digits[-1])
    return sum(int(d) * (i + 1) for i, d in enumerate(reversed(body))) % 10 == check


# ---------------------------------------------------------------- contract


def test_header_is_the_contract(day: Day) -> None:
    assert day.path.read_text("utf-8").splitlines()[0].split(",") == CONTRACT


def test_counts_match_the_file(day: Day) -> None:
    assert day.shipments.height == SIZE == day.stats.shipments
    assert day.rows.height == day.stats.rows == day.stats.items
    assert day.progress == sorted(day.progress) and day.progress[-1] == SIZE


def test_rows_of_a_shipment_are_contiguous(day: Day) -> None:
    ids = day.rows["shipment_id"]
    runs = int((ids != ids.shift(1)).fill_null(True).sum())
    assert runs == ids.n_unique() == SIZE


def test_shipment_fields_repeat_on_every_row(day: Day) -> None:
    per = day.rows.group_by("shipment_id").agg(pl.col(c).n_unique() for c in CONTRACT[1:31])
    assert per.select(pl.exclude("shipment_id").max()).row(0) == (1,) * 30


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    generate_manifest(a, size=2_000, seed=3)
    generate_manifest(b, size=2_000, seed=3)
    generate_manifest(c, size=2_000, seed=4)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_empty_and_bad_arguments(tmp_path: Path) -> None:
    stats = generate_manifest(tmp_path / "empty.csv", size=0)
    assert (tmp_path / "empty.csv").read_text("utf-8").strip().split(",") == CONTRACT
    assert stats.rows == 0 and not stats.cases
    with pytest.raises(ValueError, match="size"):
        generate_manifest(tmp_path / "x.csv", size=-1)
    with pytest.raises(ValueError, match="seeded_share"):
        generate_manifest(tmp_path / "x.csv", size=10, seeded_share=2.0)


def test_command_line_writes_manifest_and_truth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, truth = tmp_path / "m.csv", tmp_path / "truth.csv"
    assert (
        main([str(out), "--size", "1500", "--seed", "5", "--seeded-share", "0.02", "--truth", str(truth)])
        == 0
    )
    manifest = pl.read_csv(out, infer_schema_length=0)
    cases = pl.read_csv(truth, infer_schema_length=0)
    assert manifest["shipment_id"].n_unique() == 1500
    assert cases.height == 30 and set(cases["shipment_id"]) <= set(manifest["shipment_id"])
    assert "1,500 shipments" in capsys.readouterr().out
    assert main([str(out), "--size", "-3"]) == 2


# ---------------------------------------------------------------- identifiers


def test_postal_ids_carry_valid_s10_check_digits(day: Day) -> None:
    postal = day.shipments.filter(pl.col("mode") == "postal")
    assert postal.height > 0
    assert (postal["shipment_id"] == postal["postal_item_id"]).all()
    bad = [i for i in postal["postal_item_id"] if not valid_s10(i)]
    assert not bad, bad[:5]
    # the S10 country is the origin country
    assert (postal["postal_item_id"].str.slice(11, 2) == postal["origin_country"]).all()


def test_master_awbs_carry_valid_check_digits_and_group_house_bills(day: Day) -> None:
    cons = day.shipments.filter(pl.col("mode").is_in(["air", "express"]))
    assert cons["mawb"].null_count() == 0
    assert cons["mawb"].str.contains(r"^\d{3}-\d{8}$").all()
    bad = [m for m in cons["mawb"].unique() if not valid_awb(m)]
    assert not bad, bad[:5]
    houses = day.shipments.filter(pl.col("mode") == "air").group_by("mawb").len()["len"].to_numpy()
    assert houses.max() >= 5 and houses.mean() > 2
    # every house bill under one master flies the same route
    per_master = cons.group_by("mawb").agg(
        pl.col("routing", "carrier", "filer", "destination_port").n_unique()
    )
    assert per_master.select(pl.exclude("mawb").max()).row(0) == (1, 1, 1, 1)


def test_shipment_ids_are_unique_and_shaped_by_mode(day: Day) -> None:
    s = day.shipments
    assert s["shipment_id"].n_unique() == s.height
    express = s.filter(pl.col("mode") == "express")["shipment_id"]
    assert express.str.contains(
        r"^(\d{10}|\d{12}|1Z[0-9A-Z]{16}|SF\d{13}|YT\d{16}|4PX\d{13}CN|LP\d{14})$"
    ).all()
    assert (
        s.filter(pl.col("mode") != "postal")["hawb"] == s.filter(pl.col("mode") != "postal")["shipment_id"]
    ).all()


def test_filing_times_are_iso_utc_within_the_day(day: Day) -> None:
    t = day.shipments["filed_at"]
    assert t.str.contains(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$").all()
    assert t.str.slice(0, 10).unique().to_list() == [day.stats.day.isoformat()]
    assert t.is_sorted()


def test_cas_numbers_have_valid_check_digits(day: Day) -> None:
    cas = day.rows["cas_number"].drop_nulls()
    assert cas.len() > 0
    assert all(cas_ok(c) for c in cas.unique())


# ---------------------------------------------------------------- realism


def test_mode_mix(day: Day) -> None:
    shares = day.shipments["mode"].value_counts(normalize=True)
    got = dict(zip(shares["mode"], shares["proportion"], strict=True))
    for mode, (lo, hi) in EXPECT["mode_shares"].items():
        assert lo <= got[mode] <= hi, (mode, got[mode])
    assert day.stats.modes == dict(day.shipments["mode"].value_counts().iter_rows())


def test_items_per_shipment(day: Day) -> None:
    n = day.rows.group_by("shipment_id").len()["len"]
    lo, hi = EXPECT["items_mean"]
    assert lo <= n.to_numpy().mean() <= hi
    assert (n == 1).mean() >= EXPECT["single_item_share_min"]
    assert n.to_numpy().max() >= EXPECT["items_max_at_least"]


def test_most_consignees_appear_once(day: Day) -> None:
    key = day.shipments.select(
        pl.concat_str("consignee_name", "consignee_address", "consignee_postal_code", separator="|")
    )
    counts = key.to_series().value_counts()["count"]
    assert (counts == 1).mean() >= EXPECT["consignee_once_share_min"]
    assert counts.to_numpy().max() >= 20  # some warehouses and repeat buyers receive many
    assert day.stats.distinct_consignees >= 0.7 * SIZE


def test_shipper_volumes_are_skewed(day: Day) -> None:
    counts = day.shipments["shipper_address"].value_counts()["count"].to_numpy()
    lo, hi = EXPECT["top_shipper_share"]
    assert lo <= counts.max() / SIZE <= hi
    assert (counts <= 5).sum() > 0.3 * len(counts)
    assert day.stats.distinct_shippers > 100


def test_origins_and_corridor(day: Day) -> None:
    s = day.shipments
    assert set(EXPECT["origins_present"]) <= set(s["origin_country"])
    assert s["origin_country"].is_in(["CN", "HK"]).mean() >= EXPECT["origins_cn_hk_share_min"]
    assert set(EXPECT["consignee_cities_present"]) <= set(s["consignee_city"])
    assert {"LAX", "SFO"} <= set(s["destination_port"]) and {"2720"} <= set(s["destination_port"])


def test_origin_port_and_routing_agree_with_origin_country(day: Day) -> None:
    airports = {
        c: {a for city in spec["cities"] for a in city[6]} for c, spec in load("origins")["countries"].items()
    }
    for country, port, routing in (
        day.shipments.select("origin_country", "origin_port", "routing").unique().iter_rows()
    ):
        assert port in airports[country], (country, port)
        assert routing.startswith(port + "-") and re.fullmatch(r"[A-Z]{3}(-[A-Z]{3}){1,2}", routing)


def test_weights_and_values_add_up(day: Day) -> None:
    sums = (
        day.rows.with_columns(
            pl.col(c).cast(pl.Float64)
            for c in ("item_weight_kg", "item_value", "gross_weight_kg", "declared_value")
        )
        .group_by("shipment_id")
        .agg(
            pl.col("item_weight_kg").sum(),
            pl.col("item_value").sum(),
            pl.col("gross_weight_kg").first(),
            pl.col("declared_value").first(),
        )
    )
    assert (sums["gross_weight_kg"] >= sums["item_weight_kg"]).all()
    assert ((sums["declared_value"] - sums["item_value"]).abs() < 0.05).all()


def test_hs_codes_are_written_in_filer_styles(day: Day) -> None:
    hs = day.rows["hs_code"].drop_nulls()
    assert hs.str.contains(r"^(\d{4}|\d{6}|\d{10}|\d{4}\.\d{2}|\d{4}\.\d{2}\.\d{4})$").all()
    assert {4, 6, 7, 10, 12} <= set(hs.str.len_chars().unique())
    assert 0.02 < day.rows["hs_code"].null_count() / day.rows.height < 0.15


# ---------------------------------------------------------------- planted cases


def test_seeded_share_kinds_and_ids(day: Day) -> None:
    stats = day.stats
    assert len(stats.cases) == round(SIZE * 0.004) == len(stats.seeded)
    assert set(stats.seeded) <= set(day.shipments["shipment_id"])
    kinds = set(load("seeded")["kinds"])
    assert set(stats.seeded_by_kind) == kinds
    assert sum(stats.seeded_by_kind.values()) == len(stats.cases)
    assert stats.decoys and stats.positives and not (stats.decoys & stats.positives)
    assert {stats.seeded[i] for i in stats.decoys} == set(load("seeded")["decoy_kinds"])


def test_planted_item_indexes_point_at_rows(day: Day) -> None:
    lines = day.rows.group_by("shipment_id", maintain_order=True).agg(pl.col("item_description"))
    by_id = dict(lines.iter_rows())
    for case in day.stats.cases:
        assert case.items and max(case.items) < len(by_id[case.shipment_id])
        if case.kind == "commingled":
            assert len(by_id[case.shipment_id]) >= 3 and len(case.items) == 1


def test_no_planted_case_is_labelled(day: Day) -> None:
    words = re.compile(r"\b(" + "|".join(re.escape(w) for w in EXPECT["label_words"]) + r")\b", re.IGNORECASE)
    text = day.rows.select(pl.concat_str(pl.all().fill_null(""), separator="|").alias("t"))["t"]
    hits = text.filter(text.str.contains(words.pattern))
    assert hits.len() == 0, hits.head(3).to_list()
    assert day.rows.columns == CONTRACT  # no extra column carries the truth


def test_planted_lines_follow_their_filer_style(day: Day) -> None:
    """A planted line is written like its neighbours: HS shape and letter case come from the filer."""
    rows = day.rows.with_columns(
        shape=pl.col("hs_code").str.replace_all(r"\d", "9"),
        planted=pl.col("shipment_id").is_in(list(day.stats.seeded)),
    )
    shapes = rows.filter(~pl.col("planted")).group_by("filer").agg(pl.col("shape").unique())
    allowed = {f: set(s) for f, s in shapes.iter_rows()}
    for filer, shape in rows.filter(pl.col("planted")).select("filer", "shape").unique().iter_rows():
        assert shape in allowed[filer], (filer, shape)
    upper_filers = (
        rows.filter(~pl.col("planted"))
        .group_by("filer")
        .agg((pl.col("item_description") == pl.col("item_description").str.to_uppercase()).all())
        .filter(pl.col("item_description"))["filer"]
    )
    planted_upper = rows.filter(pl.col("planted") & pl.col("filer").is_in(upper_filers.implode()))
    assert (planted_upper["item_description"] == planted_upper["item_description"].str.to_uppercase()).all()


def test_split_consignment_goes_to_one_consignee_from_related_shippers(day: Day) -> None:
    groups: dict[str, list[str]] = {}
    for case in day.stats.cases:
        if case.kind == "split_consignment":
            groups.setdefault(str(case.group), []).append(case.shipment_id)
    assert groups
    for ids in groups.values():
        g = day.shipments.filter(pl.col("shipment_id").is_in(ids))
        assert len(ids) >= 12
        assert g.select("consignee_name", "consignee_address").n_unique() == 1
        assert g["shipper_name"].n_unique() >= 2  # the seller files under several names
        assert g.select(pl.col("gross_weight_kg").cast(pl.Float64).max()).item() <= 8


def test_planted_chemicals_are_small_low_value_parcels(day: Day) -> None:
    ids = [c.shipment_id for c in day.stats.cases if c.kind in ("precursor_generic", "precursor_named")]
    g = day.shipments.filter(pl.col("shipment_id").is_in(ids)).with_columns(
        pl.col("gross_weight_kg").cast(pl.Float64), pl.col("declared_value").cast(pl.Float64)
    )
    weight = g["gross_weight_kg"].to_numpy()
    assert weight.min() >= 0.5 and weight.max() <= 80
    assert np.median(g.filter(pl.col("currency") == "USD")["declared_value"].to_numpy()) < 100
    assert g["origin_country"].is_in(["CN", "HK"]).all()
