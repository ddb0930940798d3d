"""OpenSanctions / FollowTheMoney entities as JSON lines.

Accepts both the flat export (one entity per line; ``Sanction`` and ``Address``
entities point at the party they belong to) and the nested one (sanctions and
addresses inlined as objects).  Parties are ``Person``, ``Company``,
``Organization``, ``LegalEntity``, ``PublicBody``, ``Vessel``, ``Airplane``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from interdictor.reference.watchlists.model import (
    Alias,
    Entry,
    EntryAddress,
    Problem,
    WatchList,
)

_KINDS = {
    "Person": "individual",
    "Company": "entity",
    "Organization": "entity",
    "LegalEntity": "entity",
    "PublicBody": "entity",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}


def _values(props: dict[str, Any], key: str) -> list[Any]:
    v = props.get(key)
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _strings(props: dict[str, Any], key: str) -> list[str]:
    return [
        str(x).strip() for x in _values(props, key) if isinstance(x, (str, int, float)) and str(x).strip()
    ]


def _address(obj: dict[str, Any]) -> EntryAddress:
    p = obj.get("properties") or {}

    def first(k: str) -> str | None:
        vals = _strings(p, k)
        return vals[0] if vals else None

    street = first("street") or first("full")
    return EntryAddress(
        street, first("city"), first("state") or first("region"), first("postalCode"), first("country")
    )


def _programs(sanction: dict[str, Any]) -> list[str]:
    p = sanction.get("properties") or {}
    return _strings(p, "programId") or _strings(p, "program")


def read_ftm(path: Path, list_id: str = "opensanctions") -> WatchList:
    parties: dict[str, dict[str, Any]] = {}
    sanctions: dict[str, list[str]] = defaultdict(list)
    addresses: dict[str, EntryAddress] = {}
    problems: list[Problem] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(Problem(n, None, f"not JSON: {exc.msg}"))
                continue
            if not isinstance(obj, dict) or not obj.get("id"):
                problems.append(Problem(n, "id", "not an entity (no id); skipped"))
                continue
            schema = obj.get("schema")
            props = obj.get("properties") or {}
            if schema == "Sanction":
                for ent in _strings(props, "entity"):
                    sanctions[ent].extend(_programs(obj))
            elif schema == "Address":
                addresses[str(obj["id"])] = _address(obj)
            elif schema in _KINDS:
                obj["_line"] = n
                parties[str(obj["id"])] = obj
    entries: list[Entry] = []
    for eid, obj in parties.items():
        props = obj.get("properties") or {}
        names = _strings(props, "name") or ([obj["caption"]] if obj.get("caption") else [])
        if not names:
            problems.append(Problem(obj.get("_line"), "name", f"entity {eid} has no name; skipped"))
            continue
        aliases = [Alias(a) for a in names[1:] + _strings(props, "alias") + _strings(props, "previousName")]
        aliases += [Alias(a, weak=True) for a in _strings(props, "weakAlias")]
        addrs = [EntryAddress(a) for a in _strings(props, "address")]
        for ref in _values(props, "addressEntity"):
            if isinstance(ref, dict):
                addrs.append(_address(ref))
            elif str(ref) in addresses:
                addrs.append(addresses[str(ref)])
        programs = list(sanctions.get(eid, []))
        for s in _values(props, "sanctions"):
            if isinstance(s, dict):
                programs += _programs(s)
        programs += _strings(props, "programId") or _strings(props, "program")
        countries = (
            _strings(props, "country") + _strings(props, "nationality") + _strings(props, "jurisdiction")
        )
        entries.append(
            Entry(
                list_id=list_id,
                uid=eid,
                name=names[0],
                kind=_KINDS[str(obj["schema"])],
                programs=tuple(dict.fromkeys(programs)),
                aliases=tuple(dict.fromkeys(aliases)),
                addresses=tuple(dict.fromkeys(a for a in addrs if a.text())),
                phones=tuple(dict.fromkeys(_strings(props, "phone"))),
                emails=tuple(dict.fromkeys(e.lower() for e in _strings(props, "email"))),
                countries=tuple(dict.fromkeys(c.upper() if len(c) == 2 else c for c in countries)),
                remarks="; ".join(_strings(props, "notes")) or None,
            )
        )
    return WatchList(list_id, tuple(entries), str(path), "ftm", None, tuple(problems))
