"""Derive the workspace's basemap (country outlines for the route maps) from Natural Earth.

    mkdir /tmp/atlas && cd /tmp/atlas && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python tools/make_basemap.py /tmp/atlas/package/countries-110m.json \
        src/interdictor/reference/data/basemap_110m.json

Source: Natural Earth 1:110m Admin 0 countries (public domain, naturalearthdata.com), as the
TopoJSON ``countries-110m.json`` of the npm package ``world-atlas`` 2.0.2 (ISC licence,
Mike Bostock).  Run once; only the derived file is committed, and the workspace never fetches
map data at run time.

The output is our own compact JSON: each country's name, ISO 3166 numeric id and rings, every
ring a flat list ``[lon0, lat0, lon1, lat1, ...]`` in tenths of a degree (about 10 km — finer
than a 560-pixel map of a route can show), consecutive repeats dropped.  A ring that crosses the
antimeridian is kept continuous, so its longitudes may run past 180°.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SCALE = 10  # integers in tenths of a degree


def decode_arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs are quantised and delta-encoded; give them back in degrees."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], refs: list[int]) -> list[int]:
    pts: list[tuple[float, float]] = []
    for ref in refs:
        arc = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        pts.extend(arc if not pts else arc[1:])  # an arc starts where the previous one ended
    for i in range(1, len(pts)):  # keep a ring continuous where it crosses the antimeridian (Russia, Fiji)
        jump = pts[i][0] - pts[i - 1][0]
        if abs(jump) > 180:
            pts[i] = (pts[i][0] - 360 * round(jump / 360), pts[i][1])
    flat: list[int] = []
    for lon, lat in pts:
        p = (round(lon * SCALE), round(lat * SCALE))
        if len(flat) < 2 or (flat[-2], flat[-1]) != p:
            flat.extend(p)
    return flat


def derive(topo: dict[str, Any]) -> dict[str, Any]:
    arcs = decode_arcs(topo)
    countries = []
    for g in topo["objects"]["countries"]["geometries"]:
        polys = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"] if g["type"] == "MultiPolygon" else []
        rings = [r for poly in polys for r in (ring(arcs, refs) for refs in poly) if len(r) >= 6]
        if rings:
            countries.append({"id": g.get("id"), "name": g.get("properties", {}).get("name"), "rings": rings})
    return {
        "source": "Natural Earth 1:110m Admin 0 countries (public domain), via world-atlas 2.0.2 "
                  "countries-110m.json (ISC); derived by tools/make_basemap.py",
        "scale": SCALE,
        "countries": countries,
    }


def main(argv: list[str]) -> None:
    src, dst = Path(argv[1]), Path(argv[2])
    out = derive(json.loads(src.read_text()))
    dst.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"{dst}: {len(out['countries'])} countries, {dst.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv)
