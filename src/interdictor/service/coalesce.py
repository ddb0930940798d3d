"""Reading many small manifest-CSV submissions as one file.

The CSV reader, like the detectors, costs about the same for one row as for a
hundred: most of its time is per call, not per row.  When many partners' systems
each send one shipment, the writer thread joins the waiting submissions that
share a header into one CSV, reads it once, and hands every submission back its
own shipments, rejects (renumbered to its own lines) and verbatim raw payload.

Only bodies that cannot leak into each other are joined: plain UTF-8, ``\\n``
line ends, no NUL, an even number of quotes on every line (so no quoted field
spans a line, and none can stay open across the join), and shipment ids that no
other body of the group uses.  Anything else is read on its own, as before.
"""

from __future__ import annotations

import bisect
import csv
import io
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl

from interdictor.intake.base import IntakeChunk, RawPayload, ReadOptions
from interdictor.model import Batch, Reject

MAX_BODY = 256 * 1024


@dataclass
class Pending:
    """A CSV body waiting to be read with others: its header line and data lines."""

    header: str
    rows: list[str]
    ids: set[str]
    payload: bytes


@dataclass
class Coalesced:
    """What one submission gets back from a joined read."""

    ids: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def pending(payload: bytes, fmt: str | None, profile: str | None) -> Pending | None:
    """The body as a ``Pending`` when it can safely be joined with others, else None."""
    if profile or fmt not in (None, "manifest-csv") or len(payload) > MAX_BODY:
        return None
    if payload.startswith(b"\xef\xbb\xbf") or b"\r" in payload or b"\x00" in payload:
        return None
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = [ln for ln in text.split("\n") if ln != ""]
    if len(lines) < 2 or any(ln.count('"') % 2 for ln in lines):
        return None
    names = [h.strip() for h in next(csv.reader([lines[0]]))]
    if "shipment_id" not in names or len(set(names)) != len(names):
        return None
    col = names.index("shipment_id")
    ids = set()
    for ln in lines[1:]:
        cells = next(csv.reader([ln]), [])
        if col < len(cells) and cells[col].strip():
            ids.add(cells[col].strip())
    return Pending(lines[0], lines[1:], ids, payload)


def groups(items: list[tuple[str, Pending]]) -> list[list[int]]:
    """Indexes of bodies that can be read together: same partner and header, no shared shipment id."""
    out: list[list[int]] = []
    keys: list[tuple[str, str]] = []
    seen: list[set[str]] = []
    for i, (partner, p) in enumerate(items):
        for g, key in enumerate(keys):
            if key == (partner, p.header) and not (seen[g] & p.ids):
                out[g].append(i)
                seen[g] |= p.ids
                break
        else:
            out.append([i])
            keys.append((partner, p.header))
            seen.append(set(p.ids))
    return out


def read_joined(bodies: list[Pending], sources: list[str], options: ReadOptions) -> tuple[list[IntakeChunk], list[Coalesced]]:
    """Read the bodies as one CSV; chunks carry one raw payload per body, each body gets its ids and rejects."""
    from interdictor.intake.csv_manifest import read_manifest_csv

    starts: list[int] = []  # first line of each body in the joined file (the header is line 1)
    lines = [bodies[0].header]
    for b in bodies:
        starts.append(len(lines) + 1)
        lines.extend(b.rows)
    joined = ("\n".join(lines) + "\n").encode("utf-8")
    chunks = list(read_manifest_csv(io.BytesIO(joined), replace(options, source_name=sources[0])))
    per = [Coalesced() for _ in bodies]
    raws = [RawPayload(raw_id=f"b{i}", source=sources[i], first_line=1, last_line=len(b.rows) + 1, content=b.payload)
            for i, b in enumerate(bodies)]
    offsets = np.asarray(starts, dtype=np.int64)

    def owner(line: int | None) -> int | None:
        if line is None or line < starts[0]:
            return None
        return bisect.bisect_right(starts, line) - 1

    out: list[IntakeChunk] = []
    for chunk in chunks:
        ships = chunk.batch.shipments
        lines_of = ships.get_column("line").fill_null(starts[0]).to_numpy()
        who = np.searchsorted(offsets, lines_of, side="right") - 1
        ids = ships.get_column("shipment_id").to_list()
        body_of = dict(zip(ids, who.tolist(), strict=True))
        for sid, w in body_of.items():
            per[w].ids.append(sid)
        mine: list[Reject] = []
        for r in chunk.rejects:
            w = owner(r.line)
            if w is None and r.shipment_id in body_of:
                w = body_of[r.shipment_id]
            if w is None:  # about the joined file as a whole: every body hears of it
                mine.append(r)
                for p in per:
                    p.rejects.append(r)
                continue
            moved = replace(r, line=r.line - starts[w] + 2 if r.line is not None else None, source=sources[w])
            mine.append(moved)
            per[w].rejects.append(moved)
        for p in per:
            p.notices.extend(chunk.notices)
        # the bodies' bytes travel with the first chunk only: later chunks point at them by raw id
        out.append(IntakeChunk(batch=_renumber(chunk.batch, offsets), rejects=mine, raw=raws if not out else [],
                               rows=chunk.rows,
                               raw_of={sid: f"b{w}" for sid, w in body_of.items()}, notices=chunk.notices))
    return out, per


def _renumber(batch: Batch, offsets: np.ndarray[Any, Any]) -> Batch:
    """Line numbers as each body counts them (its header is its line 1)."""
    def fix(df: pl.DataFrame) -> pl.DataFrame:
        if "line" not in df.columns or df.is_empty():
            return df
        ln = df.get_column("line").fill_null(0).to_numpy()
        start = offsets[np.clip(np.searchsorted(offsets, ln, side="right") - 1, 0, len(offsets) - 1)]
        fixed = pl.Series("line", ln - start + 2, dtype=pl.Int64)
        return df.with_columns(pl.when(pl.col("line").is_null()).then(None).otherwise(fixed).alias("line"))

    return Batch(fix(batch.shipments), fix(batch.items), batch.parties, batch.legs)
