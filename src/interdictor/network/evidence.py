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
    nodes = _gather(graph, paths)
    text = [_path(graph, path, nodes, named, notes) for path in paths]
    return ranked.with_columns(pl.Series("path", text, dtype=pl.String)).select(list(RESULT_COLUMNS))


_KEY, _LABEL, _PARTNER, _SHIPMENT = 0, 1, 2, 3  # the fields of a node as ``_gather`` gives it


def _gather(graph: Graph, paths: list[list[int]]) -> dict[int, tuple[Any, ...]]:
    """The nodes on the paths (key, label, partner, shipment_id): one gather, then dict look-ups."""
    on = np.array(sorted({n for p in paths for n in p}), dtype=np.int64)
    rows = graph.nodes[on].select("key", "label", "partner", "shipment_id").rows()
    return dict(zip(on.tolist(), rows, strict=True))


def _segments(graph: Graph, path: list[int]) -> list[tuple[int, int, list[int]]]:
    """A path's shipment-to-shipment steps: (from shipment, to shipment, the actor/identifier nodes between)."""
    out = []
    start = 0
    for i in range(1, len(path)):
        if path[i] < graph.shipments:
            out.append((path[start], path[i], path[start + 1:i]))
            start = i
    return out


def _tie(nodes: dict[int, tuple[Any, ...]], between: list[int]) -> str:
    """What ties two neighbouring shipments, in a few words: one actor, or the identifiers shared."""
    if len(between) == 1:
        return f"same party '{nodes[between[0]][_LABEL]}'"
    return "; ".join(str(nodes[n][_LABEL]) for n in between[1::2])


_STEP: dict[str, pl.DataType | type[pl.DataType]] = {"rank": pl.UInt32, "partner": pl.String, "shipment_id": pl.String, "score": pl.Float64,
               "hops": pl.Int64, "risk": pl.Float64, "note": pl.String, "chain": pl.List(pl.String), "tie": pl.String}
STEP_SCHEMA = pl.Schema(_STEP)


def steps(graph: Graph, ranked: pl.DataFrame) -> pl.DataFrame:
    """``ranked`` (before ``describe``) as the drawing needs it: each row's ``chain`` of shipments from the
    start (``partner/shipment_id``, the start left out, the row's own last) and the ``tie`` of its last step."""
    paths = ranked["path"].to_list()
    nodes = _gather(graph, paths)
    chains, ties = [], []
    for path in paths:
        seg = _segments(graph, path)
        chains.append([f"{nodes[b][_PARTNER]}/{nodes[b][_SHIPMENT]}" for _, b, _ in seg])
        ties.append(_tie(nodes, seg[-1][2]) if seg else "")

    def col(name: str, dtype: type[pl.DataType]) -> pl.Series:
        return ranked[name] if name in ranked.columns else pl.Series(name, [None] * ranked.height, dtype)

    return pl.DataFrame({"rank": ranked["rank"], "partner": ranked["partner"], "shipment_id": ranked["shipment_id"],
                         "score": ranked["score"], "hops": ranked["hops"], "risk": col("risk", pl.Float64),
                         "note": col("note", pl.String),
                         "chain": pl.Series(chains, dtype=pl.List(pl.String)), "tie": ties}, schema=STEP_SCHEMA)


def _path(graph: Graph, path: list[int], nodes: dict[int, tuple[Any, ...]],
          named: dict[tuple[str, str, str], dict[str, Any]], notes: dict[tuple[str, str], str]) -> str:
    parts: list[str] = []
    for s0, s1, between in _segments(graph, path):
        _, _, p0, id0 = nodes[s0]
        _, _, p1, id1 = nodes[s1]
        a0, a1 = nodes[between[0]][_KEY], nodes[between[-1]][_KEY]
        first, last = named.get((p0, id0, a0), {}), named.get((p1, id1, a1), {})
        text = f"{CODE_NAMES[graph.edge_code(s0, between[0])]} '{first.get('name', nodes[between[0]][_LABEL])}'"
        for j in range(1, len(between) - 1, 2):
            text += f" shares {nodes[between[j]][_LABEL]} with '{nodes[between[j + 1]][_LABEL]}'"
        if len(between) == 1 and last.get("name") != first.get("name"):
            why = last.get("evidence") or first.get("evidence") or "one actor"
            text += f" = '{last.get('name')}' (same actor: {why})"
        text += f", {CODE_NAMES[graph.edge_code(between[-1], s1)]} on {p1}/{id1}"
        if (p1, id1) in notes:
            text += f" ({notes[(p1, id1)]})"
        parts.append(text)
    return " → ".join(parts)
