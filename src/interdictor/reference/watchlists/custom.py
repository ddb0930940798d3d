"""Custom CSV lists: indicted companies, internal lookouts, partner referrals.

One row per party.  Column names are matched case-insensitively, with the usual
synonyms; only one of name, phone, email or address is needed (a lookout may
be just a phone number).  Multi-valued cells are separated by ``;`` or ``|``.

    id, name, aliases, type, programs, address, city, state, postal_code, country,
    phone, email, remarks

A row without an id gets a stable one from its content, so re-importing the
same file adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
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

SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "uid", "entry_id", "ref", "reference"),
    "name": ("name", "party", "party_name", "company", "entity_name", "full_name"),
    "aliases": ("aliases", "alias", "aka", "alternate_names", "other_names"),
    "weak_aliases": ("weak_aliases", "weak_alias"),
    "type": ("type", "kind", "entity_type", "party_type"),
    "programs": ("programs", "program", "programme", "programmes", "basis", "category", "list"),
    "address": ("address", "street", "address_line", "addresses"),
    "city": ("city", "town"),
    "state": ("state", "province", "region"),
    "postal_code": ("postal_code", "postcode", "zip", "zip_code"),
    "country": ("country", "country_code"),
    "phone": ("phone", "phones", "telephone", "tel", "mobile"),
    "email": ("email", "emails", "e_mail", "mail"),
    "remarks": ("remarks", "notes", "note", "comment"),
}
_KINDS = {
    "individual": "individual",
    "person": "individual",
    "entity": "entity",
    "company": "entity",
    "organization": "entity",
    "organisation": "entity",
    "vessel": "vessel",
    "aircraft": "aircraft",
}


def _columns(header: list[str]) -> dict[str, str]:
    norm = {h.strip().lower().replace(" ", "_").replace("-", "_"): h for h in header}
    out: dict[str, str] = {}
    for field, names in SYNONYMS.items():
        for n in names:
            if n in norm:
                out[field] = norm[n]
                break
    return out


def read_custom_csv(path: Path, list_id: str, default_programs: tuple[str, ...] = ()) -> WatchList:
    entries: list[Entry] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = _columns(list(reader.fieldnames or []))
        if not {"name", "phone", "email", "address"} & set(cols):
            raise ValueError(
                f"{path}: a custom list needs a header with at least one of the columns "
                "name, phone, email, address (synonyms accepted: " + ", ".join(SYNONYMS["name"]) + ")"
            )
        for n, row in enumerate(reader, 2):

            def get(field: str, row: dict[str, str | None] = row) -> str | None:
                col = cols.get(field)
                v = (row.get(col) or "").strip() if col else ""
                return v or None

            name, phones, emails = get("name"), split_multi(get("phone")), split_multi(get("email"))
            addr = EntryAddress(get("address"), get("city"), get("state"), get("postal_code"), get("country"))
            if not (name or phones or emails or addr.address):
                problems.append(Problem(n, "name", "no name, phone, email or address; row skipped"))
                continue
            uid = (
                get("id")
                or hashlib.sha256("|".join([name or "", *phones, *emails, addr.text()]).encode()).hexdigest()[
                    :16
                ]
            )
            kind = _KINDS.get((get("type") or "").lower(), "unknown")
            aliases = [Alias(a) for a in split_multi(get("aliases"))]
            aliases += [Alias(a, weak=True) for a in split_multi(get("weak_aliases"))]
            entries.append(
                Entry(
                    list_id=list_id,
                    uid=uid,
                    name=name or "",
                    kind=kind,
                    programs=tuple(split_multi(get("programs"))) or default_programs,
                    aliases=tuple(aliases),
                    addresses=(addr,) if (addr.address or addr.city or addr.postal_code) else (),
                    phones=tuple(phones),
                    emails=tuple(e.lower() for e in emails),
                    countries=(addr.country,) if addr.country else (),
                    remarks=get("remarks"),
                )
            )
    entries, dupes = dedupe_entries(entries)
    return WatchList(list_id, tuple(entries), str(path), "custom", None, tuple(problems + dupes))
