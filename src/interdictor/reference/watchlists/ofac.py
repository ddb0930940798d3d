"""OFAC's SDN list as CSV: the flattened shape (uid, name, type, programs, aliases),
OFAC's official headerless SDN.CSV / ALT.CSV / ADD.CSV trio, and ADD.CSV alone
to add addresses to the flattened shape.

Readers never raise on a bad row: they keep the good rows and report each bad
one (line, field, reason) in ``WatchList.problems``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from interdictor.reference.watchlists.model import (
    Alias,
    Entry,
    EntryAddress,
    Problem,
    WatchList,
    dedupe_entries,
    split_multi,
)

LIST_ID = "ofac-sdn"
_EMPTY = "-0-"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?:Phone(?: Number)?|Telephone|Tel\.?|Fax)[:\s]+(\+?[\d][\d\s().\-/]{5,}\d)", re.I)
_NATIONALITY = re.compile(r"(?:nationality|citizen)\s+([A-Z][A-Za-z .'-]+?)(?:;|$)")
_POSTAL_TAIL = re.compile(r"\s+([A-Z]{0,3}-?\d[\dA-Z -]{1,9})$")
_KINDS = {"individual": "individual", "vessel": "vessel", "aircraft": "aircraft", "entity": "entity"}


def _cell(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip().strip("\x1a").strip()
    return None if not v or v == _EMPTY else v


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    for n, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if row and any(c.strip().strip("\x1a") for c in row):
            yield n, row


def _kind(raw: str | None) -> str:
    return _KINDS.get((raw or "entity").strip().lower(), "entity")


def remarks_contacts(remarks: str | None) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Emails, phone numbers and nationalities OFAC writes into an entry's remarks."""
    if not remarks:
        return (), (), ()
    emails = tuple(dict.fromkeys(m.lower() for m in _EMAIL.findall(remarks)))
    phones = tuple(dict.fromkeys(m.strip() for m in _PHONE.findall(remarks)))
    nats = tuple(dict.fromkeys(m.strip() for m in _NATIONALITY.findall(remarks)))
    return emails, phones, nats


def split_city_line(value: str | None) -> tuple[str | None, str | None, str | None]:
    """ADD.CSV's 'city, state postal' cell: ('Wuhan', 'Hubei Province', '430000')."""
    v = _cell(value)
    if not v:
        return None, None, None
    postal = None
    m = _POSTAL_TAIL.search(v)
    if m and any(ch.isdigit() for ch in m.group(1)):
        postal = m.group(1).strip()
        v = v[: m.start()].strip().rstrip(",")
    parts = [p.strip() for p in v.split(",") if p.strip()]
    city = parts[0] if parts else None
    state = ", ".join(parts[1:]) or None
    return city, state, postal


def read_addresses(path: Path) -> tuple[dict[str, list[EntryAddress]], list[Problem]]:
    """OFAC ADD.CSV (headerless: ent_num, add_num, address, city/state/postal, country, remarks)."""
    out: dict[str, list[EntryAddress]] = defaultdict(list)
    problems: list[Problem] = []
    for n, row in _rows(path):
        if len(row) < 5 or not row[0].strip().isdigit():
            problems.append(Problem(n, None, f"{path.name}: expected 6 fields starting with an entry number"))
            continue
        city, state, postal = split_city_line(row[3])
        addr = EntryAddress(_cell(row[2]), city, state, postal, _cell(row[4]))
        if addr.text():
            out[row[0].strip()].append(addr)
    return dict(out), problems


def _with_addresses(entries: list[Entry], addresses: dict[str, list[EntryAddress]]) -> list[Entry]:
    out = []
    for e in entries:
        addrs = tuple(addresses.get(e.uid, ()))
        countries = tuple(dict.fromkeys([*e.countries, *(a.country for a in addrs if a.country)]))
        out.append(
            Entry(
                e.list_id,
                e.uid,
                e.name,
                e.kind,
                e.programs,
                e.aliases,
                addrs or e.addresses,
                e.phones,
                e.emails,
                countries,
                e.remarks,
            )
        )
    return out


def read_shared_csv(path: Path, add_path: Path | None = None, list_id: str = LIST_ID) -> WatchList:
    """The flattened SDN shape: ``uid,name,type,programs,alternate_names`` (``; ``-separated)."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"uid", "name"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(
                f"{path}: not the flattened SDN shape; missing column(s) {', '.join(sorted(missing))}"
            )
        for n, row in enumerate(reader, 2):
            uid, name = (row.get("uid") or "").strip(), (row.get("name") or "").strip()
            if not uid or not name:
                problems.append(Problem(n, "uid" if not uid else "name", "empty; row skipped"))
                continue
            entries.append(
                Entry(
                    list_id=list_id,
                    uid=uid,
                    name=name,
                    kind=_kind(row.get("type")),
                    programs=tuple(split_multi(row.get("programs"))),
                    aliases=tuple(Alias(a) for a in split_multi(row.get("alternate_names"), ("; ",))),
                )
            )
    if add_path is not None:
        addresses, add_problems = read_addresses(add_path)
        entries = _with_addresses(entries, addresses)
        problems += add_problems
    entries, dupes = dedupe_entries(entries)
    return WatchList(list_id, tuple(entries), str(path), "ofac-csv", None, tuple(problems + dupes))


def _programs(cell: str | None) -> tuple[str, ...]:
    # SDN.CSV writes several programmes as "SDGT] [IFSR"
    v = _cell(cell)
    if not v:
        return ()
    return tuple(p.strip(" []") for p in re.split(r"\]\s*\[", v) if p.strip(" []"))


def read_official(
    sdn: Path, alt: Path | None = None, add: Path | None = None, list_id: str = LIST_ID
) -> WatchList:
    """OFAC's published SDN.CSV (+ ALT.CSV aliases, + ADD.CSV addresses), all headerless."""
    problems: list[Problem] = []
    aliases: dict[str, list[Alias]] = defaultdict(list)
    if alt is not None:
        for n, row in _rows(alt):
            if len(row) < 4 or not row[0].strip().isdigit():
                problems.append(
                    Problem(n, None, f"{alt.name}: expected ent_num, alt_num, alt_type, alt_name")
                )
                continue
            name = _cell(row[3])
            if name:
                weak = "weak" in (_cell(row[4]) or "").lower() if len(row) > 4 else False
                aliases[row[0].strip()].append(Alias(name, weak))
    entries: list[Entry] = []
    for n, row in _rows(sdn):
        if len(row) < 4 or not row[0].strip().isdigit():
            problems.append(Problem(n, None, f"{sdn.name}: expected 12 fields starting with an entry number"))
            continue
        uid, name = row[0].strip(), _cell(row[1])
        if not name:
            problems.append(Problem(n, "SDN_Name", "empty; row skipped"))
            continue
        remarks = _cell(row[11]) if len(row) > 11 else None
        emails, phones, nats = remarks_contacts(remarks)
        entries.append(
            Entry(
                list_id=list_id,
                uid=uid,
                name=name,
                kind=_kind(_cell(row[2])),
                programs=_programs(row[3]),
                aliases=tuple(aliases.get(uid, ())),
                phones=phones,
                emails=emails,
                countries=nats,
                remarks=remarks,
            )
        )
    if add is not None:
        addresses, add_problems = read_addresses(add)
        entries = _with_addresses(entries, addresses)
        problems += add_problems
    entries, dupes = dedupe_entries(entries)
    return WatchList(list_id, tuple(entries), str(sdn), "ofac-official", None, tuple(problems + dupes))
