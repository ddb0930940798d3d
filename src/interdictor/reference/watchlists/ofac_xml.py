"""OFAC's SDN list as published in XML (``SDN.XML``, namespace-agnostic).

Read entry by entry (iterparse) with entity resolution and network access off,
so a hostile file can neither expand entities nor reach out.  Aliases keep OFAC's
strong/weak category; e-mail addresses and phone numbers come from the id list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from interdictor.reference.watchlists.model import (
    Alias,
    Entry,
    EntryAddress,
    Problem,
    WatchList,
    dedupe_entries,
)
from interdictor.reference.watchlists.ofac import LIST_ID, remarks_contacts

_KINDS = {"individual": "individual", "entity": "entity", "vessel": "vessel", "aircraft": "aircraft"}


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _child(el: Any, name: str) -> Any | None:
    for c in el:
        if _local(c) == name:
            return c
    return None


def _text(el: Any, name: str) -> str | None:
    c = _child(el, name)
    if c is None or c.text is None:
        return None
    v = c.text.strip()
    return v or None


def _items(el: Any, list_name: str) -> list[Any]:
    lst = _child(el, list_name)
    return list(lst) if lst is not None else []


def _person_name(el: Any) -> str:
    last, first = _text(el, "lastName"), _text(el, "firstName")
    return f"{last}, {first}" if last and first else (last or first or "")


def _entry(el: Any, list_id: str) -> Entry | None:
    uid, name = _text(el, "uid"), _person_name(el)
    if not uid or not name:
        return None
    aliases = []
    for aka in _items(el, "akaList"):
        alias = _person_name(aka)
        if alias:
            aliases.append(Alias(alias, (_text(aka, "category") or "").lower() == "weak"))
    addresses = []
    for a in _items(el, "addressList"):
        lines = ", ".join(x for x in (_text(a, "address1"), _text(a, "address2"), _text(a, "address3")) if x)
        addr = EntryAddress(
            lines or None,
            _text(a, "city"),
            _text(a, "stateOrProvince"),
            _text(a, "postalCode"),
            _text(a, "country"),
        )
        if addr.text():
            addresses.append(addr)
    emails: list[str] = []
    phones: list[str] = []
    for i in _items(el, "idList"):
        kind, number = (_text(i, "idType") or "").lower(), _text(i, "idNumber")
        if number and "email" in kind:
            emails.append(number.lower())
        elif number and ("phone" in kind or "telephone" in kind):
            phones.append(number)
    countries = [a.country for a in addresses if a.country]
    for lst in ("nationalityList", "citizenshipList"):
        countries += [c for n in _items(el, lst) if (c := _text(n, "country"))]
    remarks = _text(el, "remarks")
    r_emails, r_phones, r_nats = remarks_contacts(remarks)
    return Entry(
        list_id=list_id,
        uid=uid,
        name=name,
        kind=_KINDS.get((_text(el, "sdnType") or "entity").lower(), "entity"),
        programs=tuple(p.text.strip() for p in _items(el, "programList") if p.text and p.text.strip()),
        aliases=tuple(aliases),
        addresses=tuple(addresses),
        phones=tuple(dict.fromkeys([*phones, *r_phones])),
        emails=tuple(dict.fromkeys([*emails, *r_emails])),
        countries=tuple(dict.fromkeys([*countries, *r_nats])),
        remarks=remarks,
    )


def read_sdn_xml(path: Path, list_id: str = LIST_ID) -> WatchList:
    entries: list[Entry] = []
    problems: list[Problem] = []
    published = None
    try:
        for _event, el in etree.iterparse(
            str(path),
            events=("end",),
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
        ):
            name = _local(el)
            if name == "Publish_Date" and el.text:
                published = el.text.strip()
            elif name == "sdnEntry":
                entry = _entry(el, list_id)
                if entry is None:
                    problems.append(
                        Problem(el.sourceline, "uid/lastName", "entry without uid or name; skipped")
                    )
                else:
                    entries.append(entry)
                el.clear()
    except etree.XMLSyntaxError as exc:
        problems.append(Problem(getattr(exc, "lineno", None), None, f"XML stops being readable here: {exc}"))
    entries, dupes = dedupe_entries(entries)
    return WatchList(list_id, tuple(entries), str(path), "ofac-xml", published, tuple(problems + dupes))
