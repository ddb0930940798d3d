from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from interdictor.reference.corridors import Corridor, assign_corridor

CORRIDORS = (
    Corridor("laredo", ports=frozenset({"LRD", "2304"}), area=(26.0, 28.5, -100.5, -98.0)),
    Corridor("south-texas", ports=frozenset({"HRL"}), area=(25.5, 30.0, -101.0, -97.0)),  # holds Laredo's area
    Corridor("el-paso", ports=frozenset({"ELP"}), area=(31.0, 32.5, -107.0, -105.5)),
    Corridor("air-hubs", ports=frozenset({"LAX", "ORD"})),
)
POINTS = ["LRD", "2304", "HRL", "ELP", "LAX", "ORD", "PVG", "ICN", None]


def expected(dest: str | None, legs: list[str], lat: float | None, lon: float | None) -> str:
    """The first corridor, in order, holding the port of entry, a routing point or the consignee."""
    for c in CORRIDORS:
        if (dest is not None and dest.upper() in c.ports) or any(p in c.ports for p in legs):
            return c.name
        if c.area is not None and lat is not None and lon is not None:
            s, n, w, e = c.area
            if s <= lat <= n and w <= lon <= e:
                return c.name
    return "other"


shipment = st.tuples(st.sampled_from(POINTS), st.lists(st.sampled_from(POINTS[:-1]), max_size=3),
                     st.one_of(st.none(), st.tuples(st.floats(24.0, 33.0), st.floats(-108.0, -96.0))))


@settings(max_examples=150, deadline=None)
@given(st.lists(shipment, max_size=8))
def test_each_shipment_gets_the_first_corridor_that_holds_it(ships: list) -> None:
    ids = [f"S{i}" for i in range(len(ships))]
    shipments = pl.DataFrame({"shipment_id": ids, "destination_port": [d.lower() if d else d for d, _, _ in ships]},
                             schema={"shipment_id": pl.String, "destination_port": pl.String})
    legs = pl.DataFrame([(sid, p) for sid, (_, ls, _) in zip(ids, ships, strict=True) for p in ls],
                        schema={"shipment_id": pl.String, "point": pl.String}, orient="row")
    coords = pl.DataFrame([(sid, *xy) for sid, (_, _, xy) in zip(ids, ships, strict=True) if xy is not None],
                          schema={"shipment_id": pl.String, "lat": pl.Float64, "lon": pl.Float64}, orient="row")
    got = assign_corridor(shipments, legs, coords, CORRIDORS, "other")
    assert got["shipment_id"].to_list() == ids
    want = [expected(d, ls, *(xy if xy else (None, None))) for d, ls, xy in ships]
    assert got["corridor"].to_list() == want
