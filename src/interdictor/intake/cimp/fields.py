"""Cargo-IMP elements shared by FWB, FHL and FFM: the AWB line, quantities, CVD, OCI, RTG.

Every pattern is anchored with bounded repetition, so a hostile line costs linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interdictor.intake import validate
from interdictor.intake.cimp.lines import Group, sub_fields
from interdictor.intake.records import Problems

AWB_LINE = re.compile(r"^(\d{3})-?(\d{8})([A-Z]{3})([A-Z]{3})(?:/(.*))?$")
QUANTITY = re.compile(
    r"^([TPSD])(\d{1,6})([A-Z])(\d{1,9}(?:[.,]\d{1,3})?)"
    r"(?:(MC|CI|CF|DC)(\d{1,9}(?:[.,]\d{1,4})?))?(?:DG(\d{1,2}))?(?:T(\d{1,6}))?$"
)
NO_VALUE = frozenset({"NVD", "NCV", "XXX", ""})


@dataclass(slots=True)
class AwbLine:
    awb: str | None  # "020-12345675", None when unreadable
    origin: str
    destination: str
    rest: list[str]  # fields after the first '/'


@dataclass(slots=True)
class Quantity:
    code: str  # T total, P part, S split, D divided
    pieces: int | None
    weight_kg: float | None
    total_pieces: int | None = None
    volume: str | None = None


def awb_line(text: str, line: int, problems: Problems, fld: str = "awb") -> AwbLine | None:
    """``555-64264793SVOREN/T114K2380`` -> AWB, origin, destination, the rest; None if unreadable.

    A wrong check digit keeps the number (with a reject naming it); a wrong shape does not.
    """
    m = AWB_LINE.match(text)
    if m is None:
        return None
    value, problem = validate.awb(f"{m.group(1)}-{m.group(2)}")
    if problem:
        problems.add(line, fld, problem)
    rest = m.group(5).split("/") if m.group(5) is not None else []
    return AwbLine(value, m.group(3), m.group(4), rest)


def quantity(text: str, line: int, problems: Problems, fld: str = "quantity") -> Quantity | None:
    """``T114K2380DG6``, ``T2L150``, ``S1K25MC0.06T13`` -> pieces, weight in kg, total pieces."""
    m = QUANTITY.match(text.replace(" ", ""))
    if m is None:
        if text:
            problems.add(line, fld, f"quantity '{text[:40]}' is not <T|P|S|D><pieces><K|L><weight>")
        return None
    pieces, p_problem = validate.pieces(m.group(2))
    if p_problem:
        problems.add(line, f"{fld}.pieces", p_problem)
    kg, w_problem = validate.weight_kg(m.group(4), m.group(3))
    if w_problem:
        problems.add(line, f"{fld}.weight", w_problem)
    total = int(m.group(8)) if m.group(8) else None
    volume = f"{m.group(5)}{m.group(6)}" if m.group(5) else None
    return Quantity(m.group(1), pieces, kg, total, volume)


@dataclass(slots=True)
class Values:
    currency: str | None = None
    customs: float | None = None
    carriage: float | None = None
    no_customs_value: bool = False


def cvd(g: Group, problems: Problems, fld: str = "cvd") -> Values:
    """``CVD/USD//PP/NVD/5696.00/6346.00``: currency; the last three fields are the declared
    values for carriage, for customs and insurance (FHL leaves out the charge code field)."""
    out = Values()
    f = g.fields
    if not f:
        return out
    cur, problem = validate.currency(f[0])
    if problem:
        problems.add(g.line, f"{fld}.currency", problem)
    out.currency = cur
    if len(f) >= 4:
        carriage, customs = f[-3].strip(), f[-2].strip()
        out.no_customs_value = customs in NO_VALUE
        if not out.no_customs_value:
            out.customs, problem = validate.number(customs, "declared value for customs")
            if problem:
                problems.add(g.line, f"{fld}.customs_value", problem)
        if carriage not in NO_VALUE:
            out.carriage, _ = validate.number(carriage, "declared value for carriage")
    return out


@dataclass(slots=True)
class Oci:
    country: str
    info: str  # SHP, CNE, NFY, ISS, AGT, DNR, ...
    code: str  # T tax id, CT contact phone, CP contact person, EML e-mail, RA, ED, SM, ...
    value: str
    line: int

    def as_dict(self) -> dict[str, str | int]:
        return {"country": self.country, "info": self.info, "code": self.code, "value": self.value,
                "line": self.line}


def oci(g: Group) -> list[Oci]:
    """OCI lines: ``/country/information id/customs information id/value`` each."""
    out = []
    for line, fields in [(g.line, g.fields), *[(ln, sub_fields(t)) for ln, t in g.subs]]:
        f = [*fields, "", "", "", ""]
        value = "/".join(fields[3:]).strip() if len(fields) > 3 else ""
        if any(x.strip() for x in f[:3]) or value:
            out.append(Oci(f[0].strip(), f[1].strip(), f[2].strip(), value, line))
    return out


@dataclass(slots=True)
class Routing:
    points: list[str] = field(default_factory=list)
    carriers: list[str] = field(default_factory=list)


def rtg(g: Group) -> Routing:
    """``RTG/SVORU/AMSRU/LGG``: airport + carrier pairs (the first airport may be left out)."""
    out = Routing()
    for part in g.fields:
        part = part.strip()
        if len(part) >= 3 and part[:3].isalpha():
            out.points.append(part[:3])
            if len(part) >= 5:
                out.carriers.append(part[3:5])
        elif len(part) == 2:
            out.carriers.append(part)
    return out


def flights(g: Group) -> list[str]:
    """``FLT/SU1244/01/SU1008/01`` -> ``["SU1244/01", "SU1008/01"]``."""
    f = [x.strip() for x in g.fields]
    return [f"{f[i]}/{f[i + 1]}" if i + 1 < len(f) else f[i] for i in range(0, len(f), 2) if f[i]]


def text_of(g: Group) -> str:
    """All the text of a free-text group (SSR, OSI, TXT): fields and continuation lines."""
    parts = ["/".join(g.fields)] if g.fields else []
    parts.extend(t[1:] if t.startswith("/") else t for _, t in g.subs)
    return " ".join(" ".join(parts).split())
