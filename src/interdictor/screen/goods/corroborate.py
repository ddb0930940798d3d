"""When weak equipment evidence counts: a declared-instead word, or a press or die heading.

"Mould", "compressor", "candy machine", and the headings 8479.89, 8207.30 and 8480 name far more
ordinary goods than press tooling: an injection mould for bottle caps, a tyre inflator, a die for sheet
metal.  Such a word or code counts only when the line itself corroborates it —

* tablet words beside it (tablet, pill, capsule, a TDP or ZP model number), or tool words (press,
  punch, die, mould) with nothing naming another use;
* or, where weight tells the two apart, a weight per unit that fits the equipment (a die set weighs
  grams to a few kilograms, an industrial mould tens of kilograms and more) with nothing naming
  another use;
* or, for a press or die heading only, a description that names no particular machine or tool at
  all ("machine", "die set") with a weight that fits — any other word ("vacuum sealer", "knockout
  punch for conduit") says what the goods are.

Whatever names an ordinary use — the workpiece (plastic, sheet metal, leather), the product (soap,
cake, ice), an ordinary phrase ("hole punch", "heat press") — explains the line.  Signals from other
detectors (seller, route, address) corroborate in the score, where a weak reason joins them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from interdictor.reference.kb import DeclaredAs, Equipment, Heading

Row = dict[str, Any]


@dataclass(frozen=True)
class Signals:
    tablet_words: bool = False
    tool_words: bool = False
    ordinary_use: bool = False
    generic: bool = False  # the description names no particular machine or tool


def signals(flags: pl.DataFrame, dids: list[int], generic: set[int]) -> dict[int, Signals]:
    """Signals of the given descriptions (``flags``: the resolved per-description flags)."""
    if not dids:
        return {}
    sub = flags.filter(pl.col("did").is_in(dids)).select("did", "tablet_words", "tool_words", "ordinary_use")
    out = {did: Signals(bool(t), bool(w), bool(u), did in generic) for did, t, w, u in sub.iter_rows()}
    for did in dids:
        out.setdefault(did, Signals(generic=did in generic))
    return out


def unit_kg(r: Row) -> float | None:
    """Weight of one unit of the line: its weight over its quantity, else its shipment's weight per piece."""
    w, q, per_piece = r.get("w"), r.get("quantity"), r.get("kg_per_piece")
    if w is not None and w > 0:
        return float(w) / float(q) if q is not None and q >= 1 else float(w)
    return float(per_piece) if per_piece is not None and per_piece > 0 else None


def _fits(e: Equipment, r: Row) -> str | None:
    kg = unit_kg(r)
    if kg is None or e.unit_kg is None or not e.fits_weight(kg):
        return None
    lo, hi = e.unit_kg
    return f"{kg:.3g} kg a unit fits {e.name.lower()} ({lo:g}–{hi:g} kg) and the line names no other use"


def declared_as_support(e: Equipment, d: DeclaredAs, r: Row, s: Signals) -> str | None:
    """Why a declared-instead word on this line counts (None: it does not)."""
    if s.tablet_words:
        return "the description also speaks of tablets, pills or a press model"
    if s.ordinary_use:
        return None
    if s.tool_words:
        return "the description also speaks of press tooling (press, punch, die) and of no other use"
    # weight tells only where the ordinary goods of these words weigh otherwise (industrial moulds)
    return _fits(e, r) if d.by_weight else None


def watched_support(h: Heading, e: Equipment | None, r: Row, s: Signals) -> str | None:
    """Why a press, die or parts heading on a line that names no such equipment still counts."""
    if s.tablet_words:
        return "the description speaks of tablets, pills or a press model"
    if s.ordinary_use:
        return None
    if h.role == "equipment" and s.generic and e is not None:
        fit = _fits(e, r)
        return f"the description names no particular machine; {fit}" if fit else None
    return None
