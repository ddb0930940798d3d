"""Shipper, consignee and notify blocks of FWB and FHL, in both layouts.

FWB/17 and FHL/5 tag the sub-lines::

    CNE/4321            account (optional)
    NAM/AMERICAN MOTORS (a '/' line after NAM or ADR continues it)
    ADR/29 BAY JAMES ST
    LOC/BLOOMINGTON/MN  place / state
    /US/52601/TE/4653425  country / postcode / contact id / number ...

FWB/16 and FHL/4 write the same lines untagged, by position: ``/name``,
``/street``, ``/place/state``, ``/country/postcode/...``.  A block may use either,
whatever its version line says.
"""

from __future__ import annotations

import re
from typing import Any

from interdictor.intake import validate
from interdictor.intake.cimp.fields import Oci
from interdictor.intake.cimp.lines import Group, sub_fields
from interdictor.intake.records import Problems, clip
from interdictor.model import Address, Party

ROLES = {"SHP": "shipper", "CNE": "consignee", "NFY": "notify"}
_EMAIL = re.compile(r"^[^@\s/]{1,64}@[^@\s/]{1,255}\.[A-Z]{2,24}$", re.IGNORECASE)


def _coded(fields: list[str]) -> bool:
    """``/US/52601/TE/1`` looks like a coded location: a 2-letter country first."""
    return bool(fields) and len(fields[0].strip()) == 2 and fields[0].strip().isalpha()


class _Block:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.streets: list[str] = []
        self.place: str | None = None
        self.state: str | None = None
        self.coded: list[str] = []
        self.coded_line: int | None = None


def _tagged(subs: list[tuple[int, str]], b: _Block) -> None:
    where = ""
    for line, text in subs:
        if text[:4] in ("NAM/", "ADR/", "LOC/"):
            where, rest = text[:3], text[4:]
            if where == "NAM":
                b.names.append(rest)
            elif where == "ADR":
                b.streets.append(rest)
            else:
                loc = rest.split("/")
                b.place, b.state = loc[0], (loc[1] if len(loc) > 1 else None)
            continue
        f = sub_fields(text)
        if where == "LOC" or where == "CODED" or (where in ("NAM", "ADR", "") and _coded(f)):
            if where == "CODED":
                b.coded.extend(f)  # further contact pairs
            else:
                b.coded, b.coded_line, where = f, line, "CODED"
        elif where == "NAM":
            b.names.append("/".join(f))
        elif where == "ADR":
            b.streets.append("/".join(f))
        else:
            b.names.append("/".join(f))


def _positional(subs: list[tuple[int, str]], b: _Block) -> None:
    rows = [(line, sub_fields(text)) for line, text in subs]
    coded_at = next((i for i in range(len(rows) - 1, -1, -1) if _coded(rows[i][1])), None)
    body = rows if coded_at is None else rows[:coded_at]
    if coded_at is not None:
        b.coded_line, b.coded = rows[coded_at][0], rows[coded_at][1] + [
            x for _, f in rows[coded_at + 1:] for x in f]
    if body:
        b.names.append("/".join(body[0][1]))
    if len(body) >= 3:
        loc = body[-1][1]
        b.place, b.state = loc[0], (loc[1] if len(loc) > 1 else None)
        b.streets.extend("/".join(f) for _, f in body[1:-1])
    elif len(body) == 2:
        b.streets.append("/".join(body[1][1]))


def party(g: Group, problems: Problems, extra: dict[str, Any]) -> Party:
    """The party of a SHP/CNE/NFY group; contacts other than the first phone go to ``extra``."""
    role = ROLES[g.tag]
    b = _Block()
    if any(t[:4] in ("NAM/", "ADR/", "LOC/") for _, t in g.subs):
        _tagged(g.subs, b)
    else:
        _positional(g.subs, b)
    fld = role
    country, problem = validate.country(b.coded[0] if b.coded else None)
    if problem:
        problems.add(b.coded_line or g.line, f"{fld}.country", problem)
    postcode = b.coded[1].strip() if len(b.coded) > 1 else None
    phone = email = None
    contacts = []
    for i in range(2, len(b.coded) - 1, 2):
        kind, number = b.coded[i].strip(), b.coded[i + 1].strip()
        if not number:
            continue
        if kind == "TE" and phone is None:
            phone = number
        elif kind in ("EM", "EML") and email is None:
            email = _email(number)
        else:
            contacts.append(f"{kind}:{number}")
    info: dict[str, Any] = {}
    if g.fields and g.fields[0].strip():
        info["account"] = g.fields[0].strip()
    if contacts:
        info["contacts"] = contacts
    if info:
        extra.setdefault("parties", {})[role] = info
    return Party(
        role=role,
        name=clip(" ".join(b.names), problems, g.line, f"{fld}.name"),
        address=Address(
            lines=clip(" ".join(b.streets), problems, g.line, f"{fld}.address"),
            city=clip(b.place, problems, g.line, f"{fld}.city", 200),
            state=clip(b.state, problems, g.line, f"{fld}.state", 200),
            postal_code=clip(postcode, problems, g.line, f"{fld}.postal_code", 40),
            country=country,
        ),
        phone=clip(phone, problems, g.line, f"{fld}.phone", 60),
        email=email,
    )


def _email(value: str) -> str | None:
    """Cargo-IMP has no '@' in its character set; partners write (AT) or // instead."""
    v = value.strip().replace("(AT)", "@").replace(" AT ", "@")
    return v.lower() if _EMAIL.match(v) else None


def apply_oci(parties: list[Party], notes: list[Oci]) -> None:
    """Phones and e-mails from OCI lines (``/US/CNE/CT/...``, Enhanced ACAS ``EML``) fill gaps."""
    by_role = {p.role: p for p in parties}
    for n in notes:
        p = by_role.get(ROLES.get(n.info, ""))
        if p is None:
            continue
        if n.code == "CT" and not p.phone and n.value:
            p.phone = n.value[:60]
        elif (n.code in ("EML", "EM") or "@" in n.value or "(AT)" in n.value) and not p.email:
            p.email = _email(n.value)
