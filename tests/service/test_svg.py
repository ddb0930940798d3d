"""The server-drawn charts and maps."""

from __future__ import annotations

import math
import re

from interdictor.service import svg


def _boxes(placed: list[tuple[float, float, str]], texts: list[str]) -> list[tuple[float, float, float, float]]:
    out = []
    for (x, y, anchor), t in zip(placed, texts, strict=True):
        w = 6.2 * len(t) + 2
        left = x if anchor == "start" else x - w
        out.append((left, y - 9, left + w, y + 3))
    return out


def test_labels_of_points_close_together_do_not_overlap() -> None:
    points = [(100.0, 100.0), (104.0, 103.0), (108.0, 98.0), (300.0, 40.0)]
    texts = ["JFK", "New York", "Newark EWR", "FRA"]
    boxes = _boxes(svg.place_labels(points, texts, 560, 300), texts)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not svg._overlaps(a, b), (a, b)
        assert a[0] >= 0 and a[2] <= 560


def test_route_map_draws_the_countries_and_the_border_under_the_route() -> None:
    stops = svg.route_stops(["PVG", "ANC", "LAX"], (32.58, -117.03), "San Diego")
    m = str(svg.route_map(stops))
    names = re.findall(r'class="land[^"]*"><title>([^<]+)</title>', m)
    assert {"China", "United States of America", "Mexico"} <= set(names)
    assert "Brazil" not in names  # only what the view shows
    assert m.index('class="land') < m.index('class="border"') < m.index('class="route"')


def test_route_map_across_the_antimeridian_keeps_alaska_east_of_asia() -> None:
    stops = svg.route_stops(["PVG", "ANC", "LAX"], None, "")
    m = str(svg.route_map(stops))
    china = re.search(r'<path d="M(-?[\d.]+),[^"]*" class="land"><title>China</title>', m)
    usa = re.search(r'<path d="M(-?[\d.]+),[^"]*" class="land home"><title>United States of America</title>', m)
    assert china and usa and float(usa.group(1)) > float(china.group(1))


def test_link_graph_has_a_legend_of_nodes_and_edges() -> None:
    links = [{"shipment_id": "A1", "via": ["name"], "disposition": "exam"},
             {"shipment_id": "B2", "via": ["name", "phone", "address"], "disposition": "clear"}]
    g = str(svg.link_graph("X", links))
    legend = g.split('class="legend"', 1)[1]
    for words in ("this shipment", "exam or hold recommended", "other shipment", "shares 1 detail", "shares 3 or more"):
        assert words in legend
    assert 'class="node hot"' in legend and 'class="edge w3"' in legend


def test_bars_grey_out_small_samples_and_draw_intervals() -> None:
    b = str(svg.bars([("A", 1.0, "1/1"), ("B", 0.3, "30/100")], max_value=1.0, faint={"A"},
                     spans={"A": (0.2, 1.0), "B": (0.21, 0.39)}))
    assert b.count('class="bar faint"') == 1 and b.count('class="span"') == 2


def _net(nodes: list[tuple[str, int, str, str]], hubs: list[tuple[str, str]]) -> str:
    from interdictor.service.svg import NetHub, NetNode, network_graph

    return str(network_graph("p/S", "seized", "/shipments/p/S",
                             [NetNode(k, k.split("/")[1], h, parent, f"shares phone {k}", kind, f"/shipments/{k}", "x")
                              for k, h, parent, kind in nodes],
                             [NetHub(f"address {t} <long> — used by 300 names", f"address used by {t}", near)
                              for t, near in hubs]))


def test_network_rings_by_hop_with_edges_from_parents_and_hubs_collapsed() -> None:
    nodes = [("p/A", 1, "p/S", "other"), ("q/B", 1, "p/S", "seized"), ("q/C", 2, "q/B", "hot"),
             ("q/D", 2, "q/B", "other"), ("p/E", 3, "q/C", "referred")]
    svg = _net(nodes, [("9 MARKET", "p/S"), ("1 DEPOT", "q/C")])
    assert svg == _net(nodes, [("9 MARKET", "p/S"), ("1 DEPOT", "q/C")])  # deterministic
    size = 640
    c = size / 2
    at = {k: (float(x), float(y)) for k, x, y in re.findall(
        r'data-key="([^"]+)"><circle cx="([\d.]+)" cy="([\d.]+)"', svg)}
    assert at["p/S"] == (c, c)
    radius = {k: math.dist(v, (c, c)) for k, v in at.items()}
    step = radius["p/A"]
    for k, h, _, _ in nodes:  # each shipment on the ring of its hop count
        assert abs(radius[k] - h * step) < 0.2, k
    lines = {(float(a), float(b), float(x), float(y)) for a, b, x, y in re.findall(
        r'<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)" class="edge">', svg)}
    for k, _, parent, _ in nodes:  # joined to the shipment it was reached from
        assert any(math.dist((a, b), at[parent]) < 0.2 and math.dist((x, y), at[k]) < 0.2 for a, b, x, y in lines), k
    assert 'class="node seized"' in svg and 'class="node referred"' in svg and 'class="node center seized"' in svg
    hubs = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="18" height="18" rx="3" class="node hub" data-hub="([^"]+)"',
                      svg)
    assert len(hubs) == 2 and all("&lt;long&gt;" in h[2] for h in hubs)  # escaped
    for x, y, _ in hubs:  # on the outermost ring, beyond every shipment
        assert abs(math.dist((float(x) + 9, float(y) + 9), (c, c)) - 4 * step) < 0.5
    assert ">address used by 9 MARKET</text>" in svg and ">3 hops</text>" in svg and ">hubs</text>" in svg
    assert all(f'href="/shipments/{k}"' in svg for k, *_ in nodes)
