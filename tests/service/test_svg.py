"""The server-drawn charts and maps."""

from __future__ import annotations

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
