"""Re-assessment: one mechanism for every trigger.

When something changes after shipments were screened — an outcome on a linked shipment
(``outcome:PARTNER/ID``), a watchlist update (``list:ID@VERSION``), a day's cluster growing
(``cluster:...``) — the *live* ones among them (the current version filed within the last
``Settings.reassess_days`` days, on which no decision is recorded) are screened again from their stored
canonical records, with the screening state of now, in a new run per partner whose ``trigger`` is
recorded.  The new assessment is the latest, so the queue and the partner's answer follow it; the
records themselves are not written again.  Reasons that came from reading the partner's file (a rejected
field, an amendment) are carried over from the assessment being replaced.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import polars as pl

from interdictor.network import NetworkConfig
from interdictor.screening.assembly import Screening
from interdictor.screening.batch import screen_batch
from interdictor.screening.loaders import network_part
from interdictor.settings import Settings
from interdictor.store import network, repo
from interdictor.store import reassess as stored
from interdictor.store.db import Store
from interdictor.store.runs import RunSummary

CHUNK = 50_000  # shipments screened again per pass


@dataclass
class Reassessed:
    """What a re-assessment did: the runs it made (one per partner) and the shipments it assessed again."""

    trigger: str
    asked: int = 0  # shipments the trigger named
    live: int = 0  # of which live, and so assessed again
    runs: list[RunSummary] = field(default_factory=list)


def with_current_network(screening: Screening, store: Store, settings: Settings) -> Screening:
    """``screening`` with the seizure marks read again (after an outcome was recorded), the network brought
    up to date first."""
    network.before_marks(store)
    with store.connect() as conn:
        part = network_part(conn, settings)
    return replace(screening, ctx=screening.ctx.with_part("network", part, part.version))


def reassess(store: Store, screening: Screening, keys: pl.DataFrame, trigger: str, *, days: float = 7.0,
             now: datetime | None = None) -> Reassessed:
    """Assess the live ones of ``keys`` (partner, shipment_id) again, in a new run per partner recording
    ``trigger``."""
    now = now or datetime.now(UTC)
    out = Reassessed(trigger, asked=keys.select("partner", "shipment_id").unique().height)
    if keys.is_empty():
        return out
    with store.connect() as conn:
        live = stored.live_versions(conn, keys.select("partner", "shipment_id").unique(), now - timedelta(days=days))
    out.live = live.height
    sc = screening
    for (partner,), versions in sorted(live.group_by("partner"), key=lambda g: str(g[0][0])):
        s = RunSummary(run_id=str(uuid.uuid4()), source=f"re-assessment ({trigger})", partner=str(partner),
                       trigger=trigger)
        started = time.perf_counter()
        repo.start_run(store, s, None, sc.ruleset, sc.versions)
        try:
            for i in range(0, versions.height, CHUNK):
                part = versions.slice(i, CHUNK)
                with store.connect() as conn:
                    batch = stored.stored_batch(conn, s.partner, part)
                    carried = stored.carried_reasons(conn, s.partner, part)
                assessed, reasons = screen_batch(batch, sc.ctx, sc.ruleset, sc.corridors, carried, sc.detectors,
                                                 calibration=sc.calibration, partner=s.partner)
                stored.write_assessments(store, s, part, assessed, reasons, sc.ruleset, now)
                s.shipments += len(batch)
                s.dispositions.update(assessed.get_column("disposition").to_list())
            s.stored = True
            s.seconds = time.perf_counter() - started
            repo.finish_run(store, s)
        except BaseException as exc:
            repo.fail_run(store, s, f"{type(exc).__name__}: {exc}")
            raise
        out.runs.append(s)
    return out


def after_seizures(store: Store, screening: Screening, settings: Settings, seized: pl.DataFrame,
                   trigger: str | None = None, now: datetime | None = None) -> tuple[Screening, Reassessed]:
    """Seizures were recorded on ``seized`` (partner, shipment_id): the screening state with their marks, and
    the live shipments linked to them (within two hops, hubs not followed) assessed again with them, in runs
    whose trigger is ``trigger`` (``outcome:PARTNER/ID`` for one seizure by default)."""
    now = now or datetime.now(UTC)
    if trigger is None:
        trigger = "outcome:" + ",".join(f"{p}/{s}" for p, s in seized.select("partner", "shipment_id").iter_rows())
    current = with_current_network(screening, store, settings)
    with store.connect() as conn:
        marks = network.seizure_marks(conn, NetworkConfig(), now, only=seized)
        keys = network.linked_shipments(conn, marks) if marks.seizures else pl.DataFrame(
            schema={"partner": pl.String, "shipment_id": pl.String})
    return current, reassess(store, current, keys, trigger[:200], days=settings.reassess_days, now=now)
