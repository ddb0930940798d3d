"""Parties into actors: which fields tie two parties (and say so), hubs tie nobody, and a later batch joins
the stored actors it touches."""

from __future__ import annotations

import polars as pl
import pytest

from interdictor.network.actors import key_parties, resolve

COLS = ("partner", "shipment_id", "version", "party", "name", "address", "postal_code", "country", "phone", "email")
EMPTY_KNOWN = pl.DataFrame(schema={"variant": pl.String, "actor_id": pl.String, "name_key": pl.String})
EMPTY_USES = pl.DataFrame(schema={"variant": pl.String, "actor_id": pl.String, "kind": pl.String, "value": pl.String})
NO_HUBS = pl.DataFrame(schema={"kind": pl.String, "value": pl.String, "names": pl.Int64})


def parties(*rows: tuple[str | None, ...]) -> pl.DataFrame:
    return pl.DataFrame([("p", f"S{i}", 1, *r) for i, r in enumerate(rows)], schema=list(COLS), orient="row")


# (case, party a, party b, same actor?, evidence contains): (role, name, address, postal, country, phone, email)
CASES = [
    ("same phone, other digits", ("consignee", "JOHN MILLER", "12 ELM ST", "92154", "US", "+1 619 555 0101", None),
     ("consignee", "J MILLER", "77 BAY RD", "92154", "US", "619-555-0101", None), True, "same phone 6195550101"),
    ("same e-mail, other case", ("consignee", "PEDRO RUIZ", "40 PINE AVE", "92101", "US", None, "PR@x.com"),
     ("consignee", "P RUIZ", "3 HARBOR DR", "92102", "US", None, "pr@X.COM"), True, "same e-mail pr@x.com"),
    ("company moved", ("shipper", "HUBEI XINYU CHEMICAL CO LTD", "1 A RD", "430000", "CN", None, None),
     ("shipper", "Hubei Xinyu Chemical Co., Ltd.", "5 B RD", "430010", "CN", None, None), True, "same company name"),
    ("same person's name elsewhere", ("consignee", "JOHN SMITH", "1 A ST", "10001", "US", None, None),
     ("consignee", "JOHN SMITH", "9 Z ST", "60601", "US", None, None), False, None),
    ("same address only", ("consignee", "ANNA LEE", "1 A ST", "10001", "US", None, None),
     ("consignee", "BOB KIM", "1 A ST", "10001", "US", None, None), False, None),
    ("same mail domain only", ("consignee", "ANNA LEE", "1 A ST", "10001", "US", None, "anna@gmail.com"),
     ("consignee", "BOB KIM", "2 B ST", "10002", "US", None, "bob@gmail.com"), False, None),
]


@pytest.mark.parametrize(("case", "a", "b", "same", "why"), CASES, ids=[c[0] for c in CASES])
def test_which_fields_tie_two_parties(case: str, a: tuple[str | None, ...], b: tuple[str | None, ...], same: bool,
                                      why: str | None) -> None:
    res = resolve(key_parties(parties(a, b)), EMPTY_KNOWN, EMPTY_USES, NO_HUBS)
    assert res.variants.height == 2
    assert (res.variants["actor_id"].n_unique() == 1) is same
    if why:
        assert all(why in e for e in res.variants["evidence"].to_list())


def test_a_hub_phone_ties_nobody() -> None:
    a = ("consignee", "JOHN MILLER", "12 ELM ST", "92154", "US", "+1 619 555 0101", None)
    b = ("consignee", "MARY STONE", "77 BAY RD", "92154", "US", "619 555 0101", None)
    hub = pl.DataFrame({"kind": ["phone"], "value": ["6195550101"], "names": [400]})
    assert resolve(key_parties(parties(a, b)), EMPTY_KNOWN, EMPTY_USES, hub).variants["actor_id"].n_unique() == 2


def test_a_later_party_joins_the_stored_actor_and_merges_two() -> None:
    first = key_parties(parties(("consignee", "JOHN MILLER", "12 ELM ST", "92154", "US", "6195550101", None),
                                ("consignee", "MARY STONE", "3 OAK ST", "92101", "US", None, "ms@x.com")))
    stored = resolve(first, EMPTY_KNOWN, EMPTY_USES, NO_HUBS).variants
    assert stored["actor_id"].n_unique() == 2
    # one new party with John's phone and Mary's e-mail: both stored actors are now one, the smaller id
    later = key_parties(parties(("notify", "J STONE", "8 SEA RD", "92102", "US", "+16195550101", "MS@x.com")))
    known_uses = first.uses.join(stored.select("variant", "actor_id"), on="variant").select(
        "variant", "actor_id", "kind", "value").filter(pl.col("kind").is_in(["phone", "email"]))
    res = resolve(later, stored.select("variant", "actor_id", "name_key").clear(), known_uses, NO_HUBS)
    ids = sorted(stored["actor_id"].to_list())
    assert res.variants["actor_id"].to_list() == [ids[0]]
    assert res.merges == {ids[1]: ids[0]}
