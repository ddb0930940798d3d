"""Reasons from the lists: a party's name, phone, e-mail or address on a watchlist.

Names are screened once per distinct name in the batch; everything per hit runs
only for the (few) parties that hit.  A hit is graded by the programme's
severity and by what corroborates it:

* a drug programme (E.O. 14059, Kingpin, TCO, indicted suppliers) on a company
  name, or on a person whose country agrees -> PARTY_SANCTIONED (at least exam);
  the same with the entry's address, phone or e-mail on the party as well ->
  PARTY_SANCTIONED_CONFIRMED (hold);
* a person's name alone, any other programme, or a name made only of tokens
  common on the list ("Maria Garcia", "Wei Zhang") -> PARTY_WATCHLIST_MATCH,
  or PARTY_WATCHLIST_POSSIBLE below the match threshold;
* a lookout list -> PARTY_LOOKOUT.

Dismissed pairs (this party is not that entry) are dropped until the party or
the entry changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import polars as pl

from interdictor.model import empty
from interdictor.reference.watchlists.model import Entry
from interdictor.screen.parties.index import LONE_WORD_MIN, NameHit
from interdictor.screen.parties.part import PartiesPart, country_group, email_key, phone_key
from interdictor.screen.parties.similarity import phonetic_key
from interdictor.screen.parties.text import NAME, normalise, vocab

WEIGHTS = {
    "PARTY_SANCTIONED_CONFIRMED": 90.0,
    "PARTY_SANCTIONED": 70.0,
    "PARTY_LOOKOUT": 45.0,
    "PARTY_WATCHLIST_MATCH": 30.0,
    "PARTY_WATCHLIST_POSSIBLE": 12.0,
    "ADDRESS_LISTED_PARTY": 40.0,
}


def party_key(name: str | None, addr_key: str | None) -> str:
    """Identity of a party for suppression: its folded name and address."""
    base = f"{normalise(name or '').key}|{addr_key or ''}"
    return hashlib.sha256(base.encode()).hexdigest()[:32]


def list_label(entry: Entry) -> str:
    return {"ofac-sdn": "OFAC SDN"}.get(entry.list_id, entry.list_id)


def _entry_text(entry: Entry) -> str:
    programs = ", ".join(entry.programs) or "no programme"
    return f"{list_label(entry)} {entry.uid} '{entry.name}' [{programs}]"


def _common_only(hit: NameHit, common: frozenset[str]) -> bool:
    """Every distinctive token that matched is common on the list, and the entry has more."""
    c = hit.comparison
    matched = [p for p in c.pairs if p.kind == NAME]
    if not matched or not all(p.right in common for p in matched):
        return False
    v = vocab()
    entry_extra = [t for t in c.right_only if v.kind_of(t) is None and len(t) > 1]
    return bool(entry_extra) or len(matched) <= 2


def _kind(token: str) -> str | None:
    return vocab().kind_of(token)


def _one_short_word(hit: NameHit) -> str | None:
    """Why a hit on a list name with one short distinctive word ("SUN", "PEARL", "VAST") is no
    evidence, or None when it is.  Such a word is everyday vocabulary: it counts only when the
    list name's other words (trade words included) are on the party too ("Vast Chemical
    Trading" for "HUBEI VAST CHEMICAL"), never as one word of a longer name ("Golden Pearl
    Manufacturing" is not "PEARL SHIPPING AND TRADING")."""
    c = hit.comparison
    entry_names = {t for f in hit.name.forms for t in f.distinctive if len(t) > 1}
    if len(entry_names) != 1 or len(next(iter(entry_names))) >= LONE_WORD_MIN:
        return None
    entry_rest = [t for t in c.right_only if len(t) > 1 and _kind(t) not in ("legal", "place")]
    if entry_rest:
        return "the list name's other words are not on the party"
    party_names = [t for t in c.left_only if len(t) > 1 and _kind(t) is None]
    if party_names:
        return "one word of the list name inside a longer party name"
    return None


def _short_word_with_extras(hit: NameHit) -> bool:
    """A one-short-word list name whose party adds trade words ("Falcon Pacific Group" for
    "GRUPO FALCON"): a possible match at most."""
    c = hit.comparison
    entry_names = {t for f in hit.name.forms for t in f.distinctive if len(t) > 1}
    if len(entry_names) != 1 or len(next(iter(entry_names))) >= LONE_WORD_MIN:
        return False
    return any(len(t) > 1 and _kind(t) not in ("legal", "place") for t in c.left_only)


def _lone_word(hit: NameHit) -> bool:
    """The list name's only distinctive word met inside a party name with other words of its own."""
    c = hit.comparison
    matched = [p for p in c.pairs if p.kind == NAME]
    entry_names = {t for f in hit.name.forms for t in f.distinctive if len(t) > 1}
    party_extra = [t for t in c.left_only if _kind(t) is None and len(t) > 1]
    return len(entry_names) == 1 and len(matched) == 1 and bool(party_extra)


def _person_subset(hit: NameHit) -> bool:
    """Two words of a person's longer listed name ("Gabriela Lopez" in "FAVELA LOPEZ, Maria
    Gabriela"): the same two words name many people."""
    c = hit.comparison
    if hit.name.entry.kind != "individual":
        return False
    matched = [p for p in c.pairs if p.kind == NAME]
    entry_extra = [t for t in c.right_only if len(t) > 1 and _kind(t) is None]
    return len(matched) <= 2 and len(entry_extra) >= 2


def skeleton(token: str) -> str:
    """Consonants of a token's sound-alike key: "guanleng" and "guanlang" agree (a vowel is a
    romanisation slip), "yuanlang" and "guanlang" do not (another syllable, another name)."""
    key = phonetic_key(token)
    return key[:1] + "".join(ch for ch in key[1:] if ch not in "aeiou")


def near_spelling_only(hit: NameHit) -> bool:
    """Every distinctive token that matched is the same up to vowels, doubled letters, and
    the usual romanisation swaps (w/v, q/k, zh/j ...)."""
    return all(
        p.left == p.right or skeleton(p.left) == skeleton(p.right)
        for p in hit.comparison.pairs
        if p.kind == NAME
    )


def grade(hit: NameHit, part: PartiesPart, country: str | None, corroborated: bool) -> tuple[str, str] | None:
    """(code, note) for one name hit, or None when the hit is no evidence at all."""
    entry = hit.name.entry
    cfg = part.config
    sev = part.severity.of(entry)
    strong = hit.score >= cfg.threshold
    notes = []
    if _one_short_word(hit):
        return None
    if _short_word_with_extras(hit):
        strong = False
        notes.append("one short word of the list name, with words of the party's own")
    if _lone_word(hit):
        # a long coined word of a one-word list name inside a longer party name
        # ("Guanlang Zhang Trading" for "Hebei Guanlang") is worth a look, no more
        strong = False
        notes.append("one word of the list name met inside a longer party name")
    if strong and _person_subset(hit):
        strong = False
        notes.append("two words of a longer listed person's name")
    if strong and _common_only(hit, part.index.common):
        strong = False
        notes.append("only names common on the list matched")
    listed = part.entry_countries(entry)
    cc = country_group(country.upper()) if country else None
    if cc and listed:
        notes.append(
            f"country {cc} {'agrees' if cc in listed else 'differs from ' + '/'.join(sorted(listed))}"
        )
    if not strong:
        return "PARTY_WATCHLIST_POSSIBLE", "; ".join(notes)
    if sev == "lookout":
        return "PARTY_LOOKOUT", "; ".join(notes)
    if sev == "drug":
        person = entry.kind == "individual"
        if not corroborated and not near_spelling_only(hit):
            # "Dongguan Yuanlang Biotech" is one consonant from "Hubei Guanlang Biotechnology":
            # worth a look, not an exam on its own
            return "PARTY_WATCHLIST_MATCH", "; ".join(
                [*notes, "a distinctive word differs by more than spelling"]
            )
        if corroborated and hit.score >= cfg.confirmed:
            return "PARTY_SANCTIONED_CONFIRMED", "; ".join([*notes, "address or contact also listed"])
        if person and not (cc and cc in listed) and not corroborated:
            return "PARTY_WATCHLIST_MATCH", "; ".join([*notes, "a person's name alone"])
        return "PARTY_SANCTIONED", "; ".join(notes)
    return "PARTY_WATCHLIST_MATCH", "; ".join(notes)


def name_evidence(role: str, name: str, hit: NameHit, code: str, note: str, part: PartiesPart) -> str:
    entry = hit.name.entry
    alias = (
        f" via {'weak ' if hit.name.weak else ''}alias '{hit.name.raw}'" if hit.name.raw != entry.name else ""
    )
    threshold = part.config.threshold if code != "PARTY_WATCHLIST_POSSIBLE" else part.config.possible
    text = (
        f"{role} '{name}' matches {_entry_text(entry)}{alias} — {hit.comparison.explain()}; "
        f"score {hit.score:.2f} (threshold {threshold:.2f})"
    )
    return f"{text}; {note}" if note else text


def contact_hits(parties: pl.DataFrame, part: PartiesPart) -> pl.DataFrame:
    """Parties whose phone, e-mail or street address is an entry's (exact after folding)."""
    schema = {
        "shipment_id": pl.String,
        "party": pl.String,
        "kind": pl.String,
        "raw": pl.String,
        "list_id": pl.String,
        "uid": pl.String,
        "value": pl.String,
    }
    if part.contacts.is_empty() or parties.is_empty():
        return empty(schema)
    keyed = parties.select(
        "shipment_id",
        "party",
        phone_key(pl.col("phone")).alias("phone_k"),
        email_key(pl.col("email")).alias("email_k"),
        pl.col("street_key"),
        pl.col("postal_code"),
        pl.col("country").str.to_uppercase().alias("cc"),
        pl.col("phone"),
        pl.col("email"),
        pl.col("address"),
    )
    c = part.contacts
    out = []
    for kind, col, shown in (("phone", "phone_k", "phone"), ("email", "email_k", "email")):
        sub = c.filter(pl.col("kind") == kind)
        if sub.height:
            j = keyed.filter(pl.col(col).is_not_null()).join(sub, left_on=col, right_on="key")
            out.append(
                j.select(
                    "shipment_id", "party", "kind", "raw", "list_id", "uid", pl.col(shown).alias("value")
                )
            )
    sub = c.filter(pl.col("kind") == "address")
    if sub.height:
        j = keyed.filter(pl.col("street_key").is_not_null()).join(sub, left_on="street_key", right_on="key")
        # same street text; the country (when both have one) must agree as well
        j = j.filter(
            pl.col("country").is_null() | pl.col("cc").is_null() | (pl.col("country") == pl.col("cc"))
        )
        out.append(
            j.select(
                "shipment_id", "party", "kind", "raw", "list_id", "uid", pl.col("address").alias("value")
            )
        )
    frames = [f for f in out if f.height]
    return pl.concat(frames).unique() if frames else empty(schema)


def list_reasons(parties: pl.DataFrame, part: PartiesPart) -> list[dict[str, Any]]:
    """Reason rows for name and contact hits.  ``parties`` is annotated (addresses.annotate)."""
    rows: list[dict[str, Any]] = []
    contacts = contact_hits(parties, part)
    corroborating: set[tuple[str, str, str, str]] = set()
    for r in contacts.iter_rows(named=True):
        entry = part.entry(r["list_id"], r["uid"])
        if entry is None:
            continue
        corroborating.add((r["shipment_id"], r["party"], entry.list_id, entry.uid))
        sev = part.severity.of(entry)
        if r["kind"] == "address":
            code = "ADDRESS_LISTED_PARTY"
        else:
            code = {"drug": "PARTY_SANCTIONED", "lookout": "PARTY_LOOKOUT"}.get(sev, "PARTY_WATCHLIST_MATCH")
        rows.append(
            _row(
                r["shipment_id"],
                r["party"],
                code,
                f"{r['party']} {r['kind']} '{r['value']}' is that of {_entry_text(entry)} ('{r['raw']}')",
                entry,
                None,
            )
        )
    names = parties.filter(pl.col("name").is_not_null())
    if names.is_empty():
        return rows
    hits = part.index.match_many(names["name"].unique())
    if not hits:
        return rows
    by_query: dict[str, list[NameHit]] = {}
    for h in hits:
        by_query.setdefault(h.query, []).append(h)
    hit_names = pl.Series("name", list(by_query), dtype=pl.String)
    involved = names.filter(pl.col("name").is_in(hit_names.implode()))
    for p in involved.iter_rows(named=True):
        for hit in by_query[p["name"]]:
            entry = hit.name.entry
            corr = (p["shipment_id"], p["party"], entry.list_id, entry.uid) in corroborating
            graded = grade(hit, part, p["country"], corr)
            if graded is None:
                continue
            code, note = graded
            key = party_key(p["name"], p["addr_key"])
            if part.dismissed and (key, entry.list_id, entry.uid, part.fingerprint(entry)) in part.dismissed:
                continue
            rows.append(
                _row(
                    p["shipment_id"],
                    p["party"],
                    code,
                    name_evidence(p["party"], p["name"], hit, code, note, part),
                    entry,
                    hit.score,
                )
            )
    return rows


def _row(sid: str, role: str, code: str, evidence: str, entry: Entry, score: float | None) -> dict[str, Any]:
    return {
        "shipment_id": sid,
        "code": code,
        "weight": WEIGHTS[code],
        "evidence": evidence,
        "item": None,
        "party": role,
        "_list": entry.list_id,
        "_uid": entry.uid,
        "_score": score,
    }


def strongest_per_entry(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One reason per (shipment, party, code, list entry): the best-scoring one."""
    best: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        k = (r["shipment_id"], r["party"], r["code"], r["_list"], r["_uid"])
        if k not in best or (r["_score"] or 0) > (best[k]["_score"] or 0):
            best[k] = r
    return list(best.values())
