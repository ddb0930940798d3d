"""Ranking linked shipments by closeness and risk, and their paths in words.

``score`` = 100 × (0.6 × closeness + 0.4 × risk): closeness is 2 / the path's cost (1 for two
shipments of one actor, less through an identifier, less again with every hop); risk is 1 for a
seizure, 0.7 for a referral, else the shipment's latest assessment score / 100.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from interdictor.network.graph import CODE_NAMES, Found, Graph

RESULT_COLUMNS = ("rank", "partner", "shipment_id", "score", "hops", "path")
RISK_SCHEMA = pl.Schema({"partner": pl.String, "shipment_id": pl.String, "risk": pl.Float64, "note": pl.String})


def rank(found: Found, risk: pl.DataFrame, limit: int) -> pl.DataFrame:
    """The linked shipments ranked (score, then fewer hops), at most ``limit``; ``risk``: RISK_SCHEMA."""
    scored = found.links.join(risk, on=["partner", "shipment_id"], how="left").with_columns(
        (100 * (0.6 * (2 / pl.col("distance")).clip(upper_bound=1.0) + 0.4 * pl.col("risk").fill_null(0.0)))
        .round(1).alias("score"))
    return scored.sort(["score", "hops", "partner", "shipment_id"], descending=[True, False, False, False]).head(
        limit).with_row_index("rank", offset=1)


def describe(graph: Graph, ranked: pl.DataFrame) -> pl.DataFrame:
    """``ranked`` with ``path`` in words: each step from one shipment to the next, and what is known of it."""
    on_path = sorted({n for p in ranked["path"].to_list() for n in p if n < graph.shipments})
    seen = graph.parties_of(np.array(on_path, dtype=np.int64))
    named = {(r["partner"], r["shipment_id"], r["actor_id"]): r for r in seen.iter_rows(named=True)}
    notes = {(r["partner"], r["shipment_id"]): r["note"] for r in ranked.iter_rows(named=True) if r.get("note")}
    paths = ranked["path"].to_list()
    on = np.array(sorted({n for p in paths for n in p}), dtype=np.int64)
    rows = graph.nodes[on].select("key", "label", "partner", "shipment_id").rows()
    nodes = dict(zip(on.tolist(), rows, strict=True))  # the nodes on the paths: one gather, then dict look-ups
    text = [_path(graph, path, nodes, named, notes) for path in paths]
    return ranked.with_columns(pl.Series("path", text, dtype=pl.String)).select(list(RESULT_COLUMNS))


def _path(graph: Graph, path: list[int], nodes: dict[int, tuple[Any, ...]],
          named: dict[tuple[str, str, str], dict[str, Any]], notes: dict[tuple[str, str], str]) -> str:
    key, label = 0, 1
    steps: list[str] = []
    start = 0
    for i in range(1, len(path)):
        if path[i] >= graph.shipments:
            continue
        s0, s1, between = path[start], path[i], path[start + 1:i]
        _, _, p0, id0 = nodes[s0]
        _, _, p1, id1 = nodes[s1]
        a0, a1 = nodes[between[0]][key], nodes[between[-1]][key]
        first, last = named.get((p0, id0, a0), {}), named.get((p1, id1, a1), {})
        text = f"{CODE_NAMES[graph.edge_code(s0, between[0])]} '{first.get('name', nodes[between[0]][label])}'"
        for j in range(1, len(between) - 1, 2):
            text += f" shares {nodes[between[j]][label]} with '{nodes[between[j + 1]][label]}'"
        if len(between) == 1 and last.get("name") != first.get("name"):
            why = last.get("evidence") or first.get("evidence") or "one actor"
            text += f" = '{last.get('name')}' (same actor: {why})"
        text += f", {CODE_NAMES[graph.edge_code(between[-1], s1)]} on {p1}/{id1}"
        if (p1, id1) in notes:
            text += f" ({notes[(p1, id1)]})"
        steps.append(text)
        start = i
    return " → ".join(steps)
