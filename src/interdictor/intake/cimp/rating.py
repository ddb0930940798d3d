"""FWB rate description (RTD) lines -> goods items.

::

    RTD/1/P4/K37.0/CQ/W37.0/R7.5/T277.5     rate line: pieces, weight, class, charges
    /NG/TABLET PRESS SPARE PARTS            nature of goods (continued by /2/NG/...)
    /2/NC/CONSOLIDATION AS PER ATTACHED     consolidation text
    /3/NH/847989                            HS code (may repeat)
    /4/NO/CN                                country of origin of the goods
    /5/ND//CMT50-40-30/4                    dimensions; NV volume, NU ULD, NS SLAC

A numbered continuation line that carries pieces or weight again (``/2/P1/K120``)
starts another rate line, so one RTD block can hold several goods lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from interdictor.intake import validate
from interdictor.intake.cimp.lines import Group, sub_fields
from interdictor.intake.limits import MAX_ITEMS
from interdictor.intake.records import Problems, clip
from interdictor.model import Item

GOODS_CODES = frozenset({"NG", "NC", "ND", "NV", "NU", "NS", "NH", "NO"})


@dataclass
class _Line:
    line: int
    pieces: int | None = None
    weight_kg: float | None = None
    text: list[str] = field(default_factory=list)
    hs: list[tuple[int, str]] = field(default_factory=list)
    origin: str | None = None
    origin_line: int | None = None

    @property
    def empty(self) -> bool:
        return not self.text and not self.hs and self.pieces is None and self.weight_kg is None


def _rating(tokens: list[str], cur: _Line, line: int, problems: Problems) -> bool:
    """Read rating tokens (P4, K37.0, L80); True when they carried pieces or weight."""
    found = False
    for t in tokens:
        t = t.strip()
        if len(t) < 2:
            continue
        head, body = t[0], t[1:]
        if head == "P" and body.isdigit():
            cur.pieces, problem = validate.pieces(body)
            found = True
            if problem:
                problems.add(line, "rtd.pieces", problem)
        elif head in ("K", "L") and body[:1].isdigit():
            cur.weight_kg, problem = validate.weight_kg(body, head)
            found = True
            if problem:
                problems.add(line, "rtd.weight", problem)
    return found


def items(groups: list[Group], problems: Problems, extra: dict[str, Any]) -> list[Item]:
    lines: list[_Line] = []
    consolidation = False
    notes: dict[str, list[str]] = {}
    for g in groups:
        cur = _Line(g.line)
        lines.append(cur)
        _rating(g.fields[1:], cur, g.line, problems)
        for line, text in g.subs:
            f = sub_fields(text)
            if f and f[0].strip().isdigit():
                f = f[1:]
            if not f:
                continue
            code = f[0].strip()
            if code not in GOODS_CODES:
                probe = _Line(line)
                if _rating(f, probe, line, problems):
                    if not cur.empty:
                        cur = probe
                        lines.append(cur)
                    else:
                        cur.pieces, cur.weight_kg = probe.pieces, probe.weight_kg
                continue
            value = "/".join(f[1:]).strip()
            if code in ("NG", "NC"):
                consolidation |= code == "NC"
                if value:
                    cur.text.append(value)
            elif code == "NH":
                if value:
                    cur.hs.append((line, value))
            elif code == "NO":
                cur.origin, cur.origin_line = value, line
            elif value:
                notes.setdefault(code, []).append(value)
    if consolidation:
        extra["consolidation"] = True
    for code, values in notes.items():
        extra.setdefault("rtd", {})[code] = values[:50]
    return _to_items(lines, problems)


def _to_items(lines: list[_Line], problems: Problems) -> list[Item]:
    out: list[Item] = []
    for ln in lines:
        if ln.empty:
            continue
        origin, problem = validate.country(ln.origin)
        if problem:
            problems.add(ln.origin_line, "rtd.origin_country", problem)
        desc = clip(" ".join(ln.text), problems, ln.line, "rtd.description")
        codes: list[str | None] = []
        for line, raw in ln.hs:
            code, problem = validate.hs_code(raw)
            if problem:
                problems.add(line, "rtd.hs_code", problem)
            if code and code not in codes:
                codes.append(code)
        for i, code in enumerate(codes or [None]):
            # several HS codes under one description: one item each, the amounts on the first
            out.append(Item(description=desc, hs_code=code,
                            quantity=float(ln.pieces) if i == 0 and ln.pieces is not None else None,
                            weight_kg=ln.weight_kg if i == 0 else None,
                            origin_country=origin, line=ln.line))
            if len(out) >= MAX_ITEMS:
                problems.add(ln.line, "rtd", f"more than {MAX_ITEMS:,} goods lines; the rest were ignored")
                return out
    return out
