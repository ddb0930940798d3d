"""Watchlists as data: entries with names, aliases, programmes, addresses, phones, emails.

Every reader (OFAC in its several shapes, OpenSanctions FollowTheMoney, custom
CSV lookouts) returns a ``WatchList``; the repository stores each import as a
new version and reports what it added, removed and changed.  An entry's
``fingerprint`` is a hash of its content, so a changed entry is a new entry for
suppression purposes (a dismissal holds only until the entry changes).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

EntryKind = Literal["individual", "entity", "vessel", "aircraft", "unknown"]
KINDS: tuple[str, ...] = ("individual", "entity", "vessel", "aircraft", "unknown")


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    weak: bool = False  # OFAC "weak" / FtM weakAlias: matched only when (nearly) exact


@dataclass(frozen=True, slots=True)
class EntryAddress:
    address: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None  # as published (a name or a code)

    def text(self) -> str:
        parts = (self.address, self.city, self.state, self.postal_code, self.country)
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Entry:
    list_id: str
    uid: str
    name: str
    kind: str = "unknown"
    programs: tuple[str, ...] = ()
    aliases: tuple[Alias, ...] = ()
    addresses: tuple[EntryAddress, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    remarks: str | None = None

    def names(self) -> list[tuple[str, bool]]:
        """(name, weak) for the primary name and every alias, primary first."""
        out = [(self.name, False)] if self.name else []
        out.extend((a.name, a.weak) for a in self.aliases if a.name)
        return out

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("list_id")
        return d

    @classmethod
    def from_json(cls, list_id: str, d: dict[str, Any]) -> Entry:
        return cls(
            list_id=list_id,
            uid=str(d["uid"]),
            name=str(d.get("name") or ""),
            kind=str(d.get("kind") or "unknown"),
            programs=tuple(d.get("programs") or ()),
            aliases=tuple(Alias(a["name"], bool(a.get("weak"))) for a in d.get("aliases") or ()),
            addresses=tuple(EntryAddress(**a) for a in d.get("addresses") or ()),
            phones=tuple(d.get("phones") or ()),
            emails=tuple(d.get("emails") or ()),
            countries=tuple(d.get("countries") or ()),
            remarks=d.get("remarks"),
        )

    @property
    def fingerprint(self) -> str:
        blob = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Problem:
    """A row the reader could not use, and why (the rest of the file is still read)."""

    line: int | None
    field: str | None
    reason: str


@dataclass(frozen=True)
class WatchList:
    list_id: str
    entries: tuple[Entry, ...]
    source: str = ""
    fmt: str = ""
    published: str | None = None
    problems: tuple[Problem, ...] = field(default=())

    @property
    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for fp in sorted(e.fingerprint + e.uid for e in self.entries):
            h.update(fp.encode())
        return h.hexdigest()


@dataclass(frozen=True)
class Diff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    unchanged: int

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_entries(old: dict[str, str], new: Iterable[Entry]) -> Diff:
    """Compare {uid: fingerprint} of the previous version with the new entries."""
    added: list[str] = []
    changed: list[str] = []
    seen: set[str] = set()
    unchanged = 0
    for e in new:
        seen.add(e.uid)
        before = old.get(e.uid)
        if before is None:
            added.append(e.uid)
        elif before != e.fingerprint:
            changed.append(e.uid)
        else:
            unchanged += 1
    removed = sorted(set(old) - seen)
    return Diff(tuple(added), tuple(removed), tuple(changed), unchanged)


def split_multi(value: str | None, seps: Sequence[str] = ("; ", ";", "|")) -> list[str]:
    """Split a multi-valued cell on the first separator it contains."""
    if not value:
        return []
    for sep in seps:
        if sep in value:
            return [v.strip() for v in value.split(sep) if v.strip()]
    return [value.strip()] if value.strip() else []


def dedupe_entries(entries: Iterable[Entry]) -> tuple[list[Entry], list[Problem]]:
    """Keep the first entry of each uid; a repeated uid is reported, not silently merged."""
    out: dict[str, Entry] = {}
    problems: list[Problem] = []
    for e in entries:
        if e.uid in out:
            problems.append(Problem(None, "uid", f"uid {e.uid} appears more than once; the first is kept"))
            continue
        out[e.uid] = e
    return list(out.values()), problems
