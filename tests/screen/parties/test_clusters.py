"""Clusters within a day: a fake return address fires, a consolidator's hundreds of sellers do not, and a
later file of the day raises the cluster for the earlier, stored shipments."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import polars as pl

from interdictor.model import Batch
from interdictor.reference.geo import load_geo
from interdictor.screen.context import Context
from interdictor.screen.parties import PartiesPart, build_part, detect
from interdictor.screen.parties.clusters import grown, stored_day
from interdictor.screen.parties.hubs import add_counts, hubs, identifier_uses, name_counts
from interdictor.screen.route import RoutePart

DAY = datetime(2026, 5, 12, 8, tzinfo=UTC)
BORDER = [("El Paso", "TX", "79901"), ("Laredo", "TX", "78040"), ("Calexico", "CA", "92231"), ("Nogales", "AZ", "85621")]
INLAND = [("Columbus", "OH", "43215"), ("Denver", "CO", "80202"), ("Seattle", "WA", "98101"), ("Atlanta", "GA", "30303"),
          ("Chicago", "IL", "60601"), ("Boston", "MA", "02108"), ("Omaha", "NE", "68102"), ("Portland", "OR", "97204")]
WORDS = ["Sun", "Bright", "Jade", "River", "Golden", "Peak", "Ocean", "Lotus", "Star", "Cloud", "Maple", "Harbor",
         "Crane", "Pine", "Silver", "Orchid"]
GOODS = [("wireless earbuds", 0.4, 35.0), ("yoga mat", 1.2, 22.0), ("phone case", 0.2, 9.0), ("led desk lamp", 1.5, 28.0),
         ("ceramic mug set", 2.0, 24.0), ("kids backpack", 0.8, 19.0), ("bluetooth speaker", 0.9, 40.0),
         ("stainless water bottle", 0.5, 15.0), ("hair dryer", 1.1, 30.0), ("car seat cover", 2.5, 45.0)]


def _name(r: random.Random, i: int) -> str:
    return f"{r.choice(WORDS)} {r.choice(WORDS)}{i} {r.choice(['Trading', 'Technology', 'Commerce', 'Industrial'])} Co Ltd"


def fake_cluster(r: random.Random, n: int, prefix: str, start: datetime = DAY) -> list[dict[str, Any]]:
    """``n`` express parcels, each from another company name at one return address, vague goods, heavy
    and cheap, to two consignees in the border area."""
    receivers = [(f"{r.choice(WORDS)} Logistics LLC", f"{100 + k} Industrial Way", *BORDER[k]) for k in range(2)]
    out = []
    for i in range(n):
        name, street, city, state, zip5 = receivers[i % 2]
        kg = r.uniform(14, 30)
        out.append({
            "id": f"{prefix}{i}", "at": start + timedelta(minutes=7 * i), "kg": kg, "value": kg * r.uniform(1.5, 3.5),
            "shipper": {"name": _name(r, i), "address": "Room 1208, No. 66 Jinshui Road", "city": "Zhengzhou",
                        "postal_code": "450000", "country": "CN"},
            "consignee": {"name": name, "address": street, "city": city, "state": state, "postal_code": zip5,
                          "country": "US"},
            "items": [{"description": r.choice(["household items", "daily necessities", "general goods"]),
                       "weight_kg": kg}],
        })
    return out


def consolidator(r: random.Random, n: int, prefix: str) -> list[dict[str, Any]]:
    """``n`` parcels of ``n`` small sellers at one market-district address: varied ordinary goods at
    ordinary weights and values to consignees all over the country."""
    out = []
    for i in range(n):
        desc, kg, usd = r.choice(GOODS)
        city, state, zip5 = r.choice(INLAND + BORDER[:1])
        out.append({
            "id": f"{prefix}{i}", "at": DAY + timedelta(minutes=i), "kg": kg, "value": usd,
            "shipper": {"name": _name(r, i), "address": "Building 3, 18 Futian Logistics Park", "city": "Yiwu",
                        "postal_code": "322000", "country": "CN"},
            "consignee": {"name": f"{r.choice(['Ana', 'John', 'Mei', 'Raj'])} {r.choice(['Lee', 'Diaz', 'Khan'])}{i}",
                          "address": f"{r.randint(1, 999)} Main St", "city": city, "state": state,
                          "postal_code": zip5, "country": "US"},
            "items": [{"description": desc, "weight_kg": kg, "value": usd}],
        })
    return out


def batch_of(cases: list[dict[str, Any]]) -> Batch:
    ships = [{"shipment_id": c["id"], "filed_at": c["at"], "gross_weight_kg": c["kg"], "declared_value": c["value"],
              "mode": "express"} for c in cases]
    parties = [{"shipment_id": c["id"], "party": role, **c[role]} for c in cases for role in ("shipper", "consignee")]
    items = [{"shipment_id": c["id"], "item": j, **it} for c in cases for j, it in enumerate(c["items"])]
    return Batch.build(pl.DataFrame(ships), pl.DataFrame(items), pl.DataFrame(parties))


@cache
def part() -> PartiesPart:
    return build_part([])


def ctx(p: PartiesPart | None = None) -> Context:
    return Context().with_part("parties", p or part()).with_part("route", RoutePart(geo=load_geo()))


def cluster_reasons(b: Batch, p: PartiesPart | None = None) -> pl.DataFrame:
    return detect(b, ctx(p)).filter(pl.col("code").str.starts_with("CLUSTER_"))


def test_fake_return_address_fires_and_names_the_cluster() -> None:
    r = random.Random(3)
    b = batch_of(fake_cluster(r, 9, "F") + consolidator(r, 40, "C"))
    out = cluster_reasons(b)
    fired = set(out["shipment_id"].to_list())
    assert fired == {f"F{i}" for i in range(9)}, out
    ev = out.filter(pl.col("shipment_id") == "F0")["evidence"][0]
    assert "one of 9 parcels" in ev and "9 shipper names" in ev and "Jinshui Road" in ev, ev
    assert "2 receivers" in ev and "100% near the border" in ev, ev


def test_consolidator_hundreds_of_sellers_never_fires() -> None:
    r = random.Random(5)
    assert cluster_reasons(batch_of(consolidator(r, 300, "C"))).is_empty()


def test_few_names_at_an_address_is_no_cluster() -> None:
    r = random.Random(7)
    assert cluster_reasons(batch_of(fake_cluster(r, 3, "F"))).is_empty()


def test_an_address_with_a_long_history_of_names_is_a_hub() -> None:
    r = random.Random(3)
    b = batch_of(fake_cluster(r, 9, "F"))
    from interdictor.screen.parties.addresses import annotate

    key = annotate(b.parties)["addr_key"].drop_nulls()[0]
    counts = pl.DataFrame({"kind": ["address"], "value": [key], "names": [400]})
    p = replace(part(), day=replace(part().day, counts=counts))
    out = cluster_reasons(b, p)
    # the return address is a hub; the two consignees still gather many names but need every sign
    assert not out.filter(pl.col("party") == "shipper").height, out


def test_a_later_file_raises_the_cluster_for_earlier_stored_shipments() -> None:
    r = random.Random(11)
    cases = fake_cluster(r, 10, "F")
    morning, afternoon = batch_of(cases[:3]), batch_of(cases[3:])
    assert cluster_reasons(morning).is_empty()  # three names: not yet a cluster
    # the morning's file is in the store: the day's history as the loader builds it
    stored = morning.shipments.with_columns(pl.lit("courier-a").alias("partner"))
    day = stored_day(stored, morning.items, morning.parties.with_columns(pl.lit("courier-a").alias("partner")),
                     pl.DataFrame(schema={"kind": pl.String, "value": pl.String, "names": pl.Int64}), load_geo(), 100.0)
    p = replace(part(), day=day)
    out = cluster_reasons(afternoon, p)
    assert set(out["shipment_id"].to_list()) == {f"F{i}" for i in range(3, 10)}
    assert "one of 10 parcels" in out["evidence"][0]
    again = grown(afternoon, ctx(p))
    assert sorted(again.rows()) == [("courier-a", f"F{i}") for i in range(3)]
    # a batch that adds nothing to the cluster grows nothing
    other = batch_of(consolidator(r, 5, "C"))
    assert grown(other, ctx(p)).is_empty()


def test_hub_measure_counts_distinct_names_per_identifier() -> None:
    from interdictor.screen.parties.addresses import annotate

    parties = pl.DataFrame({
        "shipment_id": ["1", "2", "3", "4"], "party": ["shipper"] * 4,
        "name": ["Wei Wang", "WANG, Wei", "Acme Ltd", "Acme Ltd"],
        "address": ["5 Long Rd"] * 3 + ["9 Other Rd"], "postal_code": ["1"] * 4, "country": ["CN"] * 4,
        "phone": ["+86 10 5555 0001", "0086 10 5555 0001", None, None], "email": [None, None, "a@acme.cn", "A@acme.cn "],
    })
    counts = name_counts(identifier_uses(annotate(parties)))
    got = {(k, n) for k, _v, n in counts.rows()}
    # "Wei Wang" and "WANG, Wei" are one name; the phone written two ways is one phone
    assert got == {("address", 2), ("address", 1), ("phone", 1), ("email", 1)}
    both = add_counts(counts, counts)
    assert hubs(both, 4)["kind"].to_list() == ["address"]
