"""Charts and maps as inline SVG, drawn on the server: no chart library, no tile server, works offline.

Every function returns markup that is safe to insert (all text is escaped).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from typing import Any

from markupsafe import Markup


def _fmt(v: float) -> str:
    return f"{v:.1f}"


def bars(rows: Sequence[tuple[str, float, str]], *, width: int = 520, bar_h: int = 18, label_w: int = 230,
         max_value: float | None = None, title: str = "") -> Markup:
    """Horizontal bars: (label, value, caption) — value in 0..max_value."""
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
        out.append(f'<rect x="{label_w}" y="{y}" width="{_fmt(w)}" height="{bar_h}" class="bar"/>')
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
    """The route as points on an equirectangular projection, with the US–Mexico border for reference."""
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
        out.append(f'<text x="{_fmt(a + 7)}" y="{_fmt(b - 6)}" class="lbl">{escape(s.label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def link_graph(center: str, links: Sequence[dict[str, Any]], *, size: int = 420) -> Markup:
    """The shipment in the middle, shipments sharing a party around it; edge labels say what they share."""
    c = size / 2
    r = size / 2 - 60
    out = [f'<svg class="graph" role="img" viewBox="0 0 {size} {size}" width="100%" aria-label="linked shipments">',
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
               f'<text x="{c}" y="{c + 28}" text-anchor="middle" class="lbl strong">{escape(center)}</text></svg>')
    return Markup("".join(out))
