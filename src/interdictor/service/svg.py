"""Charts and maps as inline SVG, drawn on the server: no chart library, no tile server, works offline.

Every function returns markup that is safe to insert (all text is escaped).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import Any

from markupsafe import Markup


def _fmt(v: float) -> str:
    return f"{v:.1f}"


def bars(rows: Sequence[tuple[str, float, str]], *, width: int = 520, bar_h: int = 18, label_w: int = 230,
         max_value: float | None = None, title: str = "", faint: Collection[str] = (),
         spans: Mapping[str, tuple[float, float]] | None = None) -> Markup:
    """Horizontal bars: (label, value, caption) — value in 0..max_value.  Labels in ``faint`` are drawn pale
    (too few cases to trust); ``spans`` draws an interval (low, high) over a label's bar."""
    top = max_value or max((v for _, v, _ in rows), default=1.0) or 1.0
    h = len(rows) * (bar_h + 6) + 24
    span = width - label_w - 110
    out = [f'<svg class="chart" role="img" viewBox="0 0 {width} {h}" width="100%" aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>"]
    for i, (label, value, caption) in enumerate(rows):
        y = 12 + i * (bar_h + 6)
        w = max(0.0, min(1.0, value / top)) * span
        out.append(f'<text x="{label_w - 6}" y="{y + bar_h - 5}" text-anchor="end" class="lbl">{escape(label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y}" width="{span}" height="{bar_h}" class="track"/>')
        out.append(f'<rect x="{label_w}" y="{y}" width="{_fmt(w)}" height="{bar_h}" '
                   f'class="bar{" faint" if label in faint else ""}"/>')
        if spans and label in spans:
            low, high = spans[label]
            lo, hi = (label_w + max(0.0, min(1.0, v / top)) * span for v in (low, high))
            mid = y + bar_h / 2
            out.append(f'<path d="M{_fmt(lo)},{_fmt(mid)}H{_fmt(hi)}M{_fmt(lo)},{_fmt(mid - 4)}V{_fmt(mid + 4)}'
                       f'M{_fmt(hi)},{_fmt(mid - 4)}V{_fmt(mid + 4)}" class="span">'
                       f"<title>interval {low:.2f}–{high:.2f}</title></path>")
        out.append(f'<text x="{label_w + span + 6}" y="{y + bar_h - 5}" class="val">{escape(caption)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def columns(rows: Sequence[tuple[str, float, str]], *, width: int = 520, height: int = 180, title: str = "") -> Markup:
    """Vertical columns with labels underneath (score bands)."""
    n = max(len(rows), 1)
    top = max((v for _, v, _ in rows), default=1.0) or 1.0
    slot = (width - 20) / n
    base = height - 30
    out = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>", f'<line x1="10" y1="{base}" x2="{width - 10}" y2="{base}" class="axis"/>']
    for i, (label, value, caption) in enumerate(rows):
        x = 10 + i * slot + slot * 0.15
        w = slot * 0.7
        hgt = (base - 20) * max(0.0, value / top)
        out.append(f'<rect x="{_fmt(x)}" y="{_fmt(base - hgt)}" width="{_fmt(w)}" height="{_fmt(hgt)}" class="bar"/>')
        out.append(f'<text x="{_fmt(x + w / 2)}" y="{_fmt(base - hgt - 4)}" text-anchor="middle" class="val">'
                   f"{escape(caption)}</text>")
        out.append(f'<text x="{_fmt(x + w / 2)}" y="{base + 14}" text-anchor="middle" class="lbl">{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def lines(series: dict[str, list[tuple[str, float | None]]], *, width: int = 520, height: int = 200,
          title: str = "") -> Markup:
    """One polyline per series over shared x labels (periods); values 0..1 (yields)."""
    labels = sorted({x for pts in series.values() for x, _ in pts})
    if not labels:
        return Markup('<p class="muted">No periods with exams yet.</p>')
    left, right, top, base = 40, width - 10, 10, height - 30
    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (right - left) * (i / max(len(labels) - 1, 1))
        return x, base - (base - top) * v
    out = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>"]
    for frac in (0.0, 0.5, 1.0):
        _, y = xy(0, frac)
        out.append(f'<line x1="{left}" y1="{_fmt(y)}" x2="{right}" y2="{_fmt(y)}" class="grid"/>'
                   f'<text x="{left - 4}" y="{_fmt(y + 4)}" text-anchor="end" class="lbl">{int(frac * 100)}%</text>')
    for k, (name, pts) in enumerate(series.items()):
        idx = {x: v for x, v in pts if v is not None}
        coords = [xy(i, idx[x]) for i, x in enumerate(labels) if x in idx]
        if not coords:
            continue
        path = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coords)
        out.append(f'<polyline points="{path}" class="series s{k % 6}"><title>{escape(name)}</title></polyline>')
        for x, y in coords:
            out.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="3" class="dot s{k % 6}"/>')
    for i, label in enumerate(labels):
        if len(labels) <= 8 or i % math.ceil(len(labels) / 8) == 0:
            lx, _ = xy(i, 0)
            out.append(f'<text x="{_fmt(lx)}" y="{base + 14}" text-anchor="middle" class="lbl">{escape(label[5:])}</text>')
    out.append("</svg>")
    return Markup("".join(out))


@cache
def _airports() -> dict[str, tuple[float, float]]:
    import airportsdata

    return {k: (float(v["lat"]), float(v["lon"])) for k, v in airportsdata.load("IATA").items()}


@cache
def _border() -> list[tuple[float, float, float, float]]:
    from interdictor.reference.geo import border_segments

    return [tuple(map(float, s)) for s in border_segments()]  # type: ignore[misc]


@cache
def _basemap() -> list[tuple[str, tuple[float, float, float, float], list[list[tuple[float, float]]]]]:
    """Country outlines (Natural Earth 1:110m, public domain; see tools/make_basemap.py), shipped with the
    package: (name, bounding box, rings in degrees)."""
    from interdictor.reference import data_path

    raw = json.loads(data_path("basemap_110m.json").read_text(encoding="utf-8"))
    k = float(raw["scale"])
    out = []
    for c in raw["countries"]:
        rings = [[(r[i] / k, r[i + 1] / k) for i in range(0, len(r) - 1, 2)] for r in c["rings"]]
        lons = [p[0] for ring in rings for p in ring]
        lats = [p[1] for ring in rings for p in ring]
        out.append((str(c["name"]), (min(lons), min(lats), max(lons), max(lats)), rings))
    return out


def _land(view: tuple[float, float, float, float], shift: bool,
          px: Callable[[float, float], tuple[float, float]]) -> list[str]:
    """One path per country whose outline meets the view; rings wholly west of 0° move east by 360° on a
    map that crosses the antimeridian."""
    x0, y0, x1, y1 = view
    out = []
    for name, _, rings in _basemap():
        d = []
        for ring in rings:
            off = 360.0 if shift and max(p[0] for p in ring) <= 0 else 0.0
            lons = [p[0] + off for p in ring]
            lats = [p[1] for p in ring]
            if max(lons) < x0 or min(lons) > x1 or max(lats) < y0 or min(lats) > y1:
                continue
            pts = [px(lo, la) for lo, la in zip(lons, lats, strict=True)]
            d.append("M" + "L".join(f"{_fmt(a)},{_fmt(b)}" for a, b in pts) + "Z")
        if d:
            cls = "land home" if name in ("United States of America", "Mexico") else "land"
            out.append(f'<path d="{"".join(d)}" class="{cls}"><title>{escape(name)}</title></path>')
    return out


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(points: Sequence[tuple[float, float]], texts: Sequence[str], width: float, height: float,
                 *, char_w: float = 6.2, line_h: float = 12.0) -> list[tuple[float, float, str]]:
    """Each label beside its point where it overlaps no label placed before it and no other point: try the
    four corners, then step further out (simple collision nudging).  Returns (x, y of the baseline, anchor)."""
    placed: list[Box] = []
    dots = [(x - 5, y - 5, x + 5, y + 5) for x, y in points]
    out = []
    for i, ((x, y), text) in enumerate(zip(points, texts, strict=True)):
        w = char_w * len(text) + 2
        chosen: tuple[float, float, str, Box] | None = None
        fallback: tuple[float, float, str, Box] | None = None
        for step in range(6):
            dy = 4 + step * line_h
            for dx, up, anchor in ((7, True, "start"), (7, False, "start"), (-7, True, "end"), (-7, False, "end")):
                left = x + dx if anchor == "start" else x + dx - w
                top = y - dy - line_h if up else y + dy
                box = (left, top, left + w, top + line_h)
                if box[0] < 0 or box[2] > width or box[1] < 0 or box[3] > height:
                    continue
                spot = (x + dx, top + line_h - 3, anchor, box)
                fallback = fallback or spot
                if not any(_overlaps(box, o) for o in placed) and not any(
                        _overlaps(box, d) for j, d in enumerate(dots) if j != i):
                    chosen = spot
                    break
            if chosen is not None:
                break
        spot = chosen or fallback or (x + 7, y - 6, "start", (x + 7, y - 6 - line_h, x + 7 + w, y - 6))
        placed.append(spot[3])
        out.append(spot[:3])
    return out


@dataclass(frozen=True)
class Stop:
    label: str
    lat: float
    lon: float
    kind: str  # origin | transit | entry | consignee


def route_stops(points: Sequence[str], consignee: tuple[float, float] | None, consignee_label: str) -> list[Stop]:
    ap = _airports()
    stops = []
    for i, p in enumerate(points):
        code = p.strip().upper()
        if len(code) == 5 and code[2:] in ap:  # UN/LOCODE: country + IATA-like location code
            code = code[2:]
        if code in ap:
            kind = "origin" if i == 0 else ("entry" if i == len(points) - 1 else "transit")
            stops.append(Stop(p, *ap[code], kind))
    if consignee is not None:
        stops.append(Stop(consignee_label, consignee[0], consignee[1], "consignee"))
    return stops


def route_map(stops: Sequence[Stop], *, width: int = 560, height: int = 300) -> Markup:
    """The route as points on an equirectangular projection, over the countries (the shipped Natural Earth
    basemap) and the US–Mexico border; labels are nudged so they do not overlap."""
    if not stops:
        return Markup('<p class="muted">No known route points to draw.</p>')
    lons = [s.lon for s in stops]
    shift = max(lons) - min(lons) > 180  # crosses the antimeridian (Asia → Alaska → US)
    def lon_of(v: float) -> float:
        return v + 360 if shift and v < 0 else v
    xs = [lon_of(s.lon) for s in stops]
    ys = [s.lat for s in stops]
    # room for labels; a route that is mostly east-west still gets some height
    x0, x1 = min(xs) - 10.0, max(xs) + 12.0
    y0, y1 = min(ys) - 8.0, max(ys) + 8.0
    if (y1 - y0) < (x1 - x0) / 2.2:
        grow = ((x1 - x0) / 2.2 - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    k = min(width / max(x1 - x0, 1e-6), height / max(y1 - y0, 1e-6))
    def px(lon: float, lat: float) -> tuple[float, float]:
        return (lon - x0) * k, (y1 - lat) * k
    w, h = (x1 - x0) * k, (y1 - y0) * k
    out = [f'<svg class="map" role="img" viewBox="0 0 {_fmt(w)} {_fmt(h)}" width="100%" aria-label="route map">',
           "<title>Route of the shipment</title>", f'<rect width="{_fmt(w)}" height="{_fmt(h)}" class="sea"/>']
    out.extend(_land((x0, y0, x1, y1), shift, px))
    for g in range(-180, 541, 30):
        if x0 <= g <= x1:
            gx, _ = px(g, 0)
            out.append(f'<line x1="{_fmt(gx)}" y1="0" x2="{_fmt(gx)}" y2="{_fmt(h)}" class="grid"/>')
    for g in range(-90, 91, 15):
        if y0 <= g <= y1:
            _, gy = px(0, g)
            out.append(f'<line x1="0" y1="{_fmt(gy)}" x2="{_fmt(w)}" y2="{_fmt(gy)}" class="grid"/>')
    seg = []
    for lo1, la1, lo2, la2 in _border():
        (a, b), (c, d) = px(lon_of(lo1), la1), px(lon_of(lo2), la2)
        seg.append(f"M{_fmt(a)},{_fmt(b)}L{_fmt(c)},{_fmt(d)}")
    out.append(f'<path d="{"".join(seg)}" class="border"><title>US–Mexico border</title></path>')
    pts = [px(x, s.lat) for x, s in zip(xs, stops, strict=True)]
    out.append('<polyline points="' + " ".join(f"{_fmt(a)},{_fmt(b)}" for a, b in pts) + '" class="route"/>')
    for (a, b), s in zip(pts, stops, strict=True):
        out.append(f'<circle cx="{_fmt(a)}" cy="{_fmt(b)}" r="5" class="stop {s.kind}"><title>{escape(s.label)} '
                   f"({s.kind})</title></circle>")
    for (lx, ly, anchor), s in zip(place_labels(pts, [s.label for s in stops], w, h), stops, strict=True):
        out.append(f'<text x="{_fmt(lx)}" y="{_fmt(ly)}" text-anchor="{anchor}" class="lbl halo">{escape(s.label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def link_graph(center: str, links: Sequence[dict[str, Any]], *, size: int = 420) -> Markup:
    """The shipment in the middle, shipments sharing a party around it; edge labels say what they share."""
    c = size / 2
    r = size / 2 - 60
    out = [f'<svg class="graph" role="img" viewBox="0 0 {size} {size + LEGEND_H}" width="100%" '
           'aria-label="linked shipments">',
           "<title>Shipments linked through shared names, addresses, phones and emails</title>"]
    n = max(len(links), 1)
    for i, link in enumerate(links):
        ang = 2 * math.pi * i / n - math.pi / 2
        x, y = c + r * math.cos(ang), c + r * math.sin(ang)
        out.append(f'<line x1="{c}" y1="{c}" x2="{_fmt(x)}" y2="{_fmt(y)}" class="edge w{min(len(link["via"]), 4)}">'
                   f"<title>{escape(', '.join(link['via']))}</title></line>")
        cls = "node hot" if link.get("disposition") in ("exam", "hold") else "node"
        out.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="8" class="{cls}"/>')
        out.append(f'<text x="{_fmt(x)}" y="{_fmt(y + 20)}" text-anchor="middle" class="lbl">'
                   f"{escape(str(link['shipment_id']))}</text>")
    out.append(f'<circle cx="{c}" cy="{c}" r="12" class="node center"/>'
               f'<text x="{c}" y="{c + 28}" text-anchor="middle" class="lbl strong">{escape(center)}</text>')
    out.append(_graph_legend(size))
    out.append("</svg>")
    return Markup("".join(out))


LEGEND_H = 58
NODE_KEYS = (("node center", "this shipment"), ("node hot", "exam or hold recommended"), ("node", "other shipment"))
EDGE_KEYS = (("edge w1", "shares 1 detail"), ("edge w2", "shares 2"), ("edge w3", "shares 3 or more"))


def _graph_legend(size: int) -> str:
    """What the marks mean: node kinds on one line, edge kinds (how many party details are shared) on the next."""
    y = size + 6
    out = [f'<g class="legend" aria-label="legend"><rect x="4" y="{y}" width="{size - 8}" height="{LEGEND_H - 10}" '
           'class="box" rx="4"/>']
    for i, (cls, text) in enumerate(NODE_KEYS):
        x = 16 + i * 135
        out.append(f'<circle cx="{x}" cy="{y + 15}" r="6" class="{cls}"/>'
                   f'<text x="{x + 10}" y="{y + 19}">{escape(text)}</text>')
    for i, (cls, text) in enumerate(EDGE_KEYS):
        x = 10 + i * 135
        out.append(f'<line x1="{x}" y1="{y + 35}" x2="{x + 22}" y2="{y + 35}" class="{cls}"/>'
                   f'<text x="{x + 28}" y="{y + 39}">{escape(text)}</text>')
    out.append("</g>")
    return "".join(out)


@dataclass(frozen=True)
class NetNode:
    """A shipment of a backtrack as the network drawing needs it."""

    key: str  # partner/shipment_id
    label: str  # the shipment id
    hops: int  # shipment-to-shipment hops from the start (its ring)
    parent: str  # the drawn shipment it was reached from (the start's key for the first ring)
    tie: str  # what ties it to its parent, in a few words
    kind: str  # seized | referred | hot | other
    href: str
    caption: str  # its line in the node's tooltip (rank, score, note)


@dataclass(frozen=True)
class NetHub:
    """A hub or crowded node a backtrack did not follow, collapsed into one labelled node."""

    label: str  # "address 88 MARKET ST — used by 312 names, not followed" (its tooltip)
    short: str  # what the drawing writes beside it: "address used by 312 names — not followed"
    near: str  # the drawn shipment (key) whose party touches it


NET_KEYS = (("node center", "start"), ("node seized", "seized"), ("node referred", "referred"),
            ("node hot", "assessed 60 or more"), ("node", "linked shipment"), ("node hub", "hub: not followed"))


def _widest_gap(angles: Sequence[float]) -> float:
    """The middle of the widest empty arc between these angles (straight down when there are none)."""
    if not angles:
        return math.pi / 2
    ring = sorted({round(a % (2 * math.pi), 9) for a in angles})
    arcs = [((ring[(i + 1) % len(ring)] - a) % (2 * math.pi) or 2 * math.pi, a) for i, a in enumerate(ring)]
    width, a = max(arcs, key=lambda x: (round(x[0], 9), -x[1]))
    return a + width / 2


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def network_graph(start: str, start_kind: str, start_href: str, nodes: Sequence[NetNode], hubs: Sequence[NetHub], *,
                  size: int = 640) -> Markup:
    """A backtrack as rings by hop: the start in the middle, each linked shipment on the ring of its hop count,
    joined to the shipment it was reached from (the edge's tooltip says what ties them), placed in the order of
    its parent's angle so that branches stay together.  Seized and referred shipments are marked; each hub is
    one collapsed node on the outermost ring beside the shipment that touches it.  Every shipment links
    through to its page.  Deterministic: the same backtrack draws the same picture."""
    c = size / 2
    rings = max([n.hops for n in nodes] + [0]) + (1 if hubs else 0)
    step = (size / 2 - 70) / max(rings, 1)
    angle: dict[str, float] = {}
    pos: dict[str, tuple[float, float]] = {start: (c, c)}
    by_ring: dict[int, list[NetNode]] = {}
    for n in nodes:
        by_ring.setdefault(n.hops, []).append(n)
    order = {n.key: i for i, n in enumerate(nodes)}
    taken: dict[int, list[float]] = {}  # the angles used on each ring
    for ring in sorted(by_ring):
        members = sorted(by_ring[ring], key=lambda n: (angle.get(n.parent, -math.pi / 2) if n.parent != start
                                                        else -math.pi / 2, order[n.key]))
        gap = 2 * math.pi / len(members)
        if ring == 1:  # the first ring: evenly round the start, in rank order
            spots = [-math.pi / 2 + gap * i for i in range(len(members))]
        else:  # further out: each beside the shipment it was reached from, no closer than a minimum gap
            gap = min(gap, 0.45)
            spots = []
            for n in members:
                sibs = [m.key for m in members if m.parent == n.parent]
                want = angle.get(n.parent, -math.pi / 2) + gap * (sibs.index(n.key) - (len(sibs) - 1) / 2)
                spots.append(max(want, spots[-1] + gap) if spots else want)
        for n, a in zip(members, spots, strict=True):
            angle[n.key] = a
            pos[n.key] = (c + ring * step * math.cos(a), c + ring * step * math.sin(a))
            taken.setdefault(ring, []).append(a)
    hub_at: list[tuple[float, float]] = []
    for h in hubs:
        used = [a for ring_angles in taken.values() for a in ring_angles]
        a = angle[h.near] + 0.3 * sum(1 for x in taken.get(rings, []) if abs(x - angle[h.near]) < 0.6) \
            if h.near in angle and h.near != start else _widest_gap(used)
        taken.setdefault(rings, []).append(a)
        hub_at.append((c + rings * step * math.cos(a), c + rings * step * math.sin(a)))
    out = [f'<svg class="graph network" role="img" viewBox="0 0 {size} {size + LEGEND_H}" width="100%" '
           'aria-label="network of linked shipments">',
           "<title>Shipments linked to this one, ring by ring: one ring per hop</title>"]
    for r in range(1, rings + 1):
        a = _widest_gap(taken.get(r, []))
        out.append(f'<circle cx="{c}" cy="{c}" r="{_fmt(r * step)}" class="ring"/>'
                   f'<text x="{_fmt(c + r * step * math.cos(a))}" y="{_fmt(c + r * step * math.sin(a) - 3)}" '
                   'text-anchor="middle" class="ring-lbl">'
                   f'{"hubs" if hubs and r == rings else f"{r} hop" + ("s" if r > 1 else "")}</text>')
    for n in nodes:
        (x1, y1), (x2, y2) = pos.get(n.parent, pos[start]), pos[n.key]
        out.append(f'<line x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}" class="edge">'
                   f"<title>{escape(n.tie)}</title></line>")
    for h, (x, y) in zip(hubs, hub_at, strict=True):
        x1, y1 = pos.get(h.near, pos[start])
        out.append(f'<line x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x)}" y2="{_fmt(y)}" class="edge hub"/>')
    points: list[tuple[float, float]] = []
    texts: list[str] = []
    for h, (x, y) in zip(hubs, hub_at, strict=True):
        out.append(f'<rect x="{_fmt(x - 9)}" y="{_fmt(y - 9)}" width="18" height="18" rx="3" class="node hub" '
                   f'data-hub="{escape(h.label)}"><title>{escape(h.label)}</title></rect>')
        points.append((x, y))
        texts.append(_short(h.short, 48))
    for n in nodes:
        x, y = pos[n.key]
        cls = "node" if n.kind == "other" else f"node {n.kind}"
        out.append(f'<a href="{escape(n.href)}" class="ship" data-key="{escape(n.key)}">'
                   f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="8" class="{cls}"/>'
                   f"<title>{escape(n.key)} — {escape(n.caption)}; {escape(n.tie)}</title></a>")
        points.append((x, y))
        texts.append(n.label)
    cls = "node center" + (f" {start_kind}" if start_kind in ("seized", "referred") else "")
    out.append(f'<a href="{escape(start_href)}" class="ship start" data-key="{escape(start)}">'
               f'<circle cx="{c}" cy="{c}" r="12" class="{cls}"/><title>{escape(start)} (start)</title></a>')
    points.append((c, c))
    texts.append(start.split("/", 1)[-1])
    for (lx, ly, anchor), text in zip(place_labels(points, texts, size, size), texts, strict=True):
        out.append(f'<text x="{_fmt(lx)}" y="{_fmt(ly)}" text-anchor="{anchor}" class="lbl halo">{escape(text)}</text>')
    y = size + 6
    out.append(f'<g class="legend" aria-label="legend"><rect x="4" y="{y}" width="{size - 8}" height="{LEGEND_H - 10}" '
               'class="box" rx="4"/>')
    for i, (cls, text) in enumerate(NET_KEYS):
        x = 16 + (i % 3) * 200
        yy = y + 15 + (i // 3) * 20
        mark = (f'<rect x="{x - 6}" y="{yy - 6}" width="12" height="12" rx="2" class="{cls}"/>' if "hub" in cls
                else f'<circle cx="{x}" cy="{yy}" r="6" class="{cls}"/>')
        out.append(f'{mark}<text x="{x + 10}" y="{yy + 4}">{escape(text)}</text>')
    out.append("</g></svg>")
    return Markup("".join(out))
