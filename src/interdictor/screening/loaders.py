"""Build the screening context: one loader per part, run before screening.

A loader takes an open connection (or None when screening without a store) and
the settings, and returns its part.  With no connection it must still return a
working part from shipped data (cold start).  Add a part by adding a line to
``LOADERS``.

This module is the glue between the store and the pure parts (for now: it
moves to the screening assembly): each glue function reads plain values from a
``store`` repository and hands them to the part's pure builder.  A part whose
stored data cannot be read is built without it, and says so in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from interdictor.score.calibration import Calibration
from interdictor.score.rules import RuleSet
from interdictor.screen.context import Context
from interdictor.settings import Settings

if TYPE_CHECKING:
    from interdictor.network.risk import SeizureMarks
    from interdictor.screen.goods.context import GoodsContext
    from interdictor.screen.parties.continuous import Hit
    from interdictor.screen.parties.part import DayHistory, PartiesPart

log = logging.getLogger(__name__)

Loader = Callable[[Connection | None, Settings], Any]


def _route(conn: Connection | None, settings: Settings) -> Any:
    from interdictor.reference.geo import load_geo
    from interdictor.screen.route import RoutePart

    return RoutePart(geo=load_geo(), border_area_km=settings.border_area_km)


def _consistency(conn: Connection | None, settings: Settings) -> Any:
    from interdictor.screen.consistency import ConsistencyPart

    return ConsistencyPart()


def parties_part(conn: Connection | None, settings: Any) -> PartiesPart:
    """The parties part from the stored watchlists, dismissals and history (the shipped list alone
    without a store)."""
    from interdictor.screen.parties.loader import history_from, load_parties
    from interdictor.store import parties, watchlists

    if conn is None:
        return load_parties(settings)
    entries, versions = [], {}
    try:
        entries, versions = watchlists.current_entries(conn), watchlists.current_versions(conn)
    except SQLAlchemyError as exc:
        log.warning("watchlists could not be read from the store (%s); using the shipped list only", exc)
    try:
        history = history_from(parties.shared_shipper_addresses(conn), parties.seen_consignees(conn),
                               parties.shipments_seen(conn))
        dismissed = parties.active_dismissals(conn)
    except SQLAlchemyError as exc:
        log.warning("party history could not be read (%s); screening without it", exc)
        history, dismissed = None, frozenset()
    part = load_parties(settings, entries=entries, versions=versions, history=history, dismissed=dismissed)
    return replace(part, day=day_history(conn, settings, part.clusters.window_days))


def day_history(conn: Connection, settings: Any, window_days: float) -> DayHistory:
    """The day's earlier stored files and their identifiers' names before them, for clusters (empty, and
    logged, when the store cannot say)."""
    from interdictor.reference.geo import load_geo
    from interdictor.screen.parties.clusters import history_counts, stored_day
    from interdictor.screen.parties.part import DayHistory
    from interdictor.store import clusters

    since = datetime.now(UTC) - timedelta(days=window_days)
    try:
        ships, items, parties = clusters.recent_shipments(conn, since)
        counts = history_counts(clusters.identifier_history(conn, since))
    except SQLAlchemyError as exc:
        log.warning("the day's stored shipments could not be read (%s); clusters see this batch only", exc)
        return DayHistory()
    return stored_day(ships, items, parties, counts, load_geo(), float(getattr(settings, "border_area_km", 100.0)))


def goods_part(conn: Connection | None, settings: Any) -> GoodsContext:
    """The goods part with the stored licence registry and the latest learned profile set (the knowledge
    base and built-in priors without a store, or before ``interdictor profiles learn`` ran)."""
    from interdictor.screen.goods.loader import load_goods, stored_profiles
    from interdictor.store import goods, learned

    notes: list[str] = []
    registry = profiles = None
    if conn is not None:
        try:
            registry = goods.registry(conn)
        except Exception as exc:
            notes.append(f"licence registry not loaded ({type(exc).__name__}); every controlled good will be unnotified")
            log.warning(notes[-1])
        try:
            latest = learned.latest_set(conn)
            profiles = stored_profiles(*latest) if latest is not None else None
        except Exception as exc:
            notes.append(f"learned profiles not read from the store ({type(exc).__name__}); built-in priors used")
            log.warning(notes[-1])
    return load_goods(settings, registry=registry, profiles=profiles, notes=notes)


def stored_goods_profiles(conn: Connection, version: int) -> Any | None:
    """Learned set ``version`` as the goods part's profiles (over the built-in priors); None when it is gone."""
    from interdictor.screen.goods.loader import stored_profiles
    from interdictor.store import learned

    rows = learned.set_rows(conn, version)
    return stored_profiles(version, rows) if rows is not None else None


class Superseded(Exception):
    """Another process stored a learned set while this one was learning: this one is not stored."""


def learn_profiles(conn: Connection, settings: Any, *, actor: str = "cli", days: float | None = 90.0,
                   min_n: int | None = None, ruleset: RuleSet | None = None, score_min_n: int | None = None,
                   after: Callable[[Connection], bool] | None = None) -> tuple[int, dict[str, int]]:
    """Learn a profile set from the current lines of the last ``days`` (all when None) — counted in SQL,
    each distinct description read for its family of goods — with each corridor's calibrated exam score
    (``score.calibration``) from the same days' latest assessments, those an exam or hold floor of ``ruleset``
    (default: the one screening would use) put there left out; store it as the next version.
    Returns (version, {"lines", "codes", "families", "scores", "corridors"}).  ``after``, asked just before
    the set is stored: False raises ``Superseded`` (a background learner finding that another stored one)."""
    from interdictor.score.calibration import MIN_N, hard_floors, learn_exam_scores
    from interdictor.screen.goods.detector import describe
    from interdictor.screen.goods.loader import PROFILE_MIN_N, load_goods
    from interdictor.screen.goods.profiles import chapter_shares, learn_from_histograms
    from interdictor.screening.assembly import choose_ruleset
    from interdictor.store import learned

    since = datetime.now(UTC) - timedelta(days=days) if days is not None else None
    hist = learned.line_histograms(conn, since)
    g = load_goods(settings)
    families = describe(hist["description"], g)
    need = PROFILE_MIN_N if min_n is None else min_n
    rs = ruleset if ruleset is not None else choose_ruleset(conn, settings)
    scores = learned.recent_scores(conn, since, hard_floors(rs))
    calibrated = learn_exam_scores(scores, min_n=MIN_N if score_min_n is None else score_min_n)
    table = pl.concat([learn_from_histograms(hist, families, need), chapter_shares(hist, families), calibrated])
    lines = int(hist.filter(pl.col("metric") == "usd_per_kg")["n"].sum()) if hist.height else 0
    if after is not None and not after(conn):
        raise Superseded("another learned set was stored meanwhile")
    version = learned.save_set(conn, table, actor=actor, lines=lines, min_n=need, knowledge_base=g.kb.version,
                               since=since)
    kinds = table.group_by("kind").agg(pl.col("key").n_unique())
    counts = dict(kinds.iter_rows())
    return version, {"lines": lines, "codes": int(counts.get("hs", 0)), "families": int(counts.get("family", 0)),
                     "scores": scores.height, "corridors": int(counts.get("score", 0))}


def calibration(conn: Connection | None, ctx: Context) -> Calibration:
    """The calibrated exam thresholds of the learned set the goods part read (the latest without it); none
    without a store, before any was learned, or when the store cannot say (logged)."""
    from interdictor.score.calibration import KIND, from_learned
    from interdictor.store import learned

    if conn is None:
        return Calibration()
    used = ctx.versions.get("profiles", "")
    try:
        if used.startswith("learned-v"):
            version = int(used.removeprefix("learned-v"))
            rows = learned.set_rows(conn, version, KIND)
            found = (version, rows) if rows is not None else None
        else:
            found = learned.latest_set(conn, KIND) if used != "prior" else None
    except SQLAlchemyError as exc:
        log.warning("calibrated thresholds could not be read (%s); the corridors' thresholds apply", exc)
        return Calibration()
    return from_learned(found[1], f"learned-v{found[0]}") if found is not None else Calibration()


def network_part(conn: Connection | None, settings: Any) -> SeizureMarks:
    """The marks of the seizures recorded before now (``network.risk``): read once per screening set-up, so a
    screen counts only outcomes recorded before it (none without a store)."""
    from datetime import UTC, datetime

    from interdictor.network import NetworkConfig
    from interdictor.network.risk import SeizureMarks
    from interdictor.store import network

    if conn is None:
        return SeizureMarks.empty()
    try:
        return network.seizure_marks(conn, NetworkConfig(), datetime.now(UTC))
    except SQLAlchemyError as exc:
        log.warning("seizures could not be read from the store (%s); screening without network reasons", exc)
        return SeizureMarks.empty()


def rescreen(conn: Connection, list_id: str, version: int, days: float = 30.0, actor: str = "cli") -> list[Hit]:
    """Screen the last ``days`` of shipments against what ``list_id`` v``version`` added or changed; the new
    hits are stored and the re-screening audited."""
    from interdictor.screen.parties.continuous import new_hits
    from interdictor.store import parties, watchlists

    entries = watchlists.entries_of_version(conn, list_id, version)
    if not entries:
        return []
    recent = parties.recent_parties(conn, days)
    if recent.is_empty():
        return []
    hits = new_hits(entries, recent, list_id, version, parties.recorded_hits(conn, list_id, version))
    parties.record_hits(conn, list_id, version, hits, actor,
                        {"days": days, "entries": len(entries), "parties": recent.height})
    return hits


LOADERS: dict[str, Loader] = {
    "route": _route,
    "consistency": _consistency,
    "parties": parties_part,
    "goods": goods_part,
    "network": network_part,
}
# parts loaded whichever detectors run: like the model, reasons from stored history beside the detectors
ALWAYS = frozenset({"network"})


def load_context(settings: Settings, conn: Connection | None = None, parts: list[str] | None = None) -> Context:
    ctx = Context()
    for name, loader in LOADERS.items():
        if parts is not None and name not in parts and name not in ALWAYS:
            continue
        value = loader(conn, settings)
        version = getattr(value, "version", None)
        ctx = ctx.with_part(name, value, str(version) if version is not None else None)
        # a part built from more than one versioned input names the others too (goods: its learned profiles)
        for other, v in getattr(value, "more_versions", {}).items():
            ctx = ctx.with_versions({other: v})
    return ctx
