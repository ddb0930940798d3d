"""Watches: identifiers an organisation cares about, and the hits a screened batch makes on them.

An organisation registers an account, a name (a supplier, a customer), an address, a phone or an
e-mail; each is keyed as the party matcher keys parties (``screen/parties``): names by their sorted
folded words, phones by their last ten digits, e-mails lower case, addresses by their street key
(with postal code and country when the watch gives them).  An account is the filer account a
shipment carries (``filer``), compared folded.

Hits are computed for a whole batch at once (one polars join) when it is stored, and raise
``watch.hit`` for the watch's organisation in the same transaction (``store/events.py``), scoped as
its reads are: a partner's watch hits only its own shipments, a law-enforcement organisation's only
its corridors', the authority's every shipment.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, delete, insert, select

from interdictor.screen.parties.addresses import address_key, annotate
from interdictor.screen.parties.keys import name_key
from interdictor.screen.parties.part import email_key, phone_key
from interdictor.store import schema_service as sv
from interdictor.store import schema_sharing as sh
from interdictor.store.audit import audit
from interdictor.store.db import Store
from interdictor.store.events import outbox_frame

KINDS = ("account", "name", "address", "phone", "email")
WATCH_SCHEMA = pl.Schema({"watch_id": pl.String, "org_id": pl.String, "kind": pl.String, "value": pl.String,
                          "key": pl.String, "org_kind": pl.String, "partner_code": pl.String,
                          "corridors": pl.List(pl.String)})  # type: ignore[arg-type]


class WatchError(ValueError):
    """A watch that cannot be registered (its value has no usable key)."""


def account_key(col: pl.Expr) -> pl.Expr:
    return col.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


def watch_key(kind: str, value: str, *, postal_code: str | None = None, country: str | None = None) -> str:
    """The key a watch matches on; ``WatchError`` when the value gives none (a phone of three digits)."""
    if kind not in KINDS:
        raise WatchError(f"a watch is one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "address":
        key = address_key(value, postal_code, country)
    else:
        expr = {"account": account_key, "name": name_key, "phone": phone_key, "email": email_key}[kind]
        key = pl.select(expr(pl.lit(value, pl.String))).item()
    if not key:
        raise WatchError(f"{kind} {value!r} gives nothing to match on")
    return str(key)


def add_watch(conn: Connection, actor: str, org_id: str, kind: str, value: str, *, note: str | None = None,
              postal_code: str | None = None, country: str | None = None) -> dict[str, Any]:
    key = watch_key(kind, value, postal_code=postal_code, country=country)
    w: dict[str, Any] = {"watch_id": str(uuid.uuid4()), "org_id": org_id, "kind": kind, "value": value.strip(), "key": key,
         "note": note, "created_by": actor, "created_at": datetime.now(UTC)}
    conn.execute(insert(sh.watches).values(**w))
    audit(conn, actor, "watch.create", "watch", w["watch_id"], {"org": org_id, "kind": kind, "value": w["value"]})
    return w


def list_watches(conn: Connection, org_id: str | None = None) -> list[dict[str, Any]]:
    w = sh.watches
    q = select(w)
    if org_id is not None:
        q = q.where(w.c.org_id == org_id)
    return [dict(r) for r in conn.execute(q.order_by(w.c.org_id, w.c.kind, w.c.value)).mappings()]


def remove_watch(conn: Connection, actor: str, watch_id: str, org_id: str | None = None) -> bool:
    w = sh.watches
    q = delete(w).where(w.c.watch_id == watch_id)
    if org_id is not None:
        q = q.where(w.c.org_id == org_id)
    done = conn.execute(q).rowcount
    if done:
        audit(conn, actor, "watch.remove", "watch", watch_id)
    return bool(done)


def watch_table(store: Store) -> pl.DataFrame:
    """Every watch with its organisation's kind, partner code and granted corridors (``WATCH_SCHEMA``)."""
    w, o, g = sh.watches, sv.organisations, sv.grants
    with store.connect() as conn:
        rows = conn.execute(select(w.c.watch_id, w.c.org_id, w.c.kind, w.c.value, w.c.key, o.c.kind.label("org_kind"),
                                   o.c.partner_code).join(o, o.c.org_id == w.c.org_id)
                            .where(o.c.active.is_(True))).mappings().all()
        if not rows:
            return pl.DataFrame(schema=WATCH_SCHEMA)
        grants: dict[str, list[str]] = {}
        for org_id, corridor in conn.execute(select(g.c.org_id, g.c.corridor)):
            grants.setdefault(org_id, []).append(corridor)
    return pl.DataFrame([{**r, "corridors": sorted(grants.get(r["org_id"], []))} for r in rows], schema=WATCH_SCHEMA)


def _batch_keys(shipments: pl.DataFrame, parties: pl.DataFrame) -> pl.DataFrame:
    """shipment_id, party, kind, key: every identifier of the batch, keyed as watches are."""
    p = parties.select("shipment_id", "party", *[pl.col(c).cast(pl.String) for c in
                                                  ("name", "address", "postal_code", "country", "phone", "email")])
    p = annotate(p)
    base = ("shipment_id", "party")
    keyed = pl.concat([
        p.select(*base, pl.lit("name").alias("kind"), name_key(pl.col("name")).alias("key")),
        p.select(*base, pl.lit("phone").alias("kind"), phone_key(pl.col("phone")).alias("key")),
        p.select(*base, pl.lit("email").alias("kind"), email_key(pl.col("email")).alias("key")),
        p.select(*base, pl.lit("address").alias("kind"), pl.col("addr_key").alias("key")),
    ])
    if "filer" in shipments.columns:
        keyed = pl.concat([keyed, shipments.select(
            "shipment_id", pl.lit(None, pl.String).alias("party"), pl.lit("account").alias("kind"),
            account_key(pl.col("filer").cast(pl.String)).alias("key"))])
    return keyed.filter(pl.col("key").is_not_null() & (pl.col("key") != ""))


def _matches(keys: pl.DataFrame, watches: pl.DataFrame) -> pl.DataFrame:
    exact = keys.filter(pl.col("kind") != "address").join(watches.filter(pl.col("kind") != "address"),
                                                          on=["kind", "key"], how="inner")
    # an address watch matches on its street; its postal code and country only when it gives them
    part = pl.col("key").str.split("|")
    wa = watches.filter(pl.col("kind") == "address").with_columns(
        part.list.get(0, null_on_oob=True).alias("_street"), part.list.get(1, null_on_oob=True).alias("_wpostal"),
        part.list.get(2, null_on_oob=True).alias("_wcountry")).drop("key")
    ka = keys.filter(pl.col("kind") == "address").with_columns(
        part.list.get(0, null_on_oob=True).alias("_street"), part.list.get(1, null_on_oob=True).alias("_postal"),
        part.list.get(2, null_on_oob=True).alias("_country"))
    addr = ka.join(wa, on=["kind", "_street"], how="inner").filter(
        ((pl.col("_wpostal").fill_null("") == "") | (pl.col("_wpostal") == pl.col("_postal")))
        & ((pl.col("_wcountry").fill_null("") == "") | (pl.col("_wcountry") == pl.col("_country"))))
    cols = ["shipment_id", "party", "watch_id", "org_id", "kind", "value", "org_kind", "partner_code", "corridors"]
    return pl.concat([exact.select(cols), addr.select(cols)])


def hits(watches: pl.DataFrame, partner: str, shipments: pl.DataFrame, parties: pl.DataFrame,
         assessed: pl.DataFrame) -> pl.DataFrame:
    """The watch hits of a batch filed by ``partner`` that each watch's organisation may see: shipment_id,
    corridor, org_id, watch_id, kind, value, party."""
    if watches.is_empty() or shipments.is_empty():
        return pl.DataFrame(schema={"shipment_id": pl.String, "corridor": pl.String, "org_id": pl.String,
                                    "watch_id": pl.String, "kind": pl.String, "value": pl.String, "party": pl.String})
    m = _matches(_batch_keys(shipments, parties), watches)
    m = m.join(assessed.select("shipment_id", pl.col("corridor").cast(pl.String)), on="shipment_id", how="left")
    visible = (pl.when(pl.col("org_kind") == "authority").then(True)
               .when(pl.col("org_kind") == "law_enforcement")
               .then(pl.col("corridors").list.contains(pl.col("corridor").fill_null("")))
               .otherwise(pl.col("partner_code") == partner))
    return (m.filter(visible.fill_null(False))
            .select("shipment_id", "corridor", "org_id", "watch_id", "kind", "value", "party")
            .unique(maintain_order=True))


def hit_events(found: pl.DataFrame, partner: str, shipments: pl.DataFrame) -> pl.DataFrame:
    """One ``watch.hit`` outbox row per (organisation, shipment) of ``found`` (``hits``)."""
    if found.is_empty():
        return outbox_frame(pl.DataFrame(schema={c: pl.String for c in (
            "event", "partner", "shipment_id", "corridor", "orgs", "data")}))
    ids = [c for c in ("hawb", "mawb", "postal_item_id") if c in shipments.columns]
    info: dict[str, dict[str, Any]] = {r["shipment_id"]: r for r in shipments.select("shipment_id", *ids).iter_rows(named=True)}
    rows = []
    for (org_id, sid), g in found.group_by(["org_id", "shipment_id"], maintain_order=True):
        corridor = g["corridor"][0]
        known = info.get(str(sid), {})
        shipment: dict[str, Any] = {"partner": partner, "shipment_id": sid, **{c: known.get(c) for c in ids}}
        matches = g.select("watch_id", "kind", "value", "party").to_dicts()
        rows.append({"event": "watch.hit", "partner": partner, "shipment_id": sid, "corridor": corridor,
                     "orgs": json.dumps([org_id]),
                     "data": json.dumps({"org_id": org_id, "corridor": corridor, "matches": matches,
                                         "shipment": shipment}, ensure_ascii=False, default=str)})
    return outbox_frame(pl.DataFrame(rows, schema={c: pl.String for c in (
        "event", "partner", "shipment_id", "corridor", "orgs", "data")}))
