"""Refreshing the learned set — goods profiles and calibrated exam thresholds — as traffic arrives.

Due when the newest set is older than ``profiles_refresh_hours`` (or there is none) and at least
``profiles_refresh_min_shipments`` shipments were stored since it.  Learning runs here, never in the
screening path; the screening assemblies of every process pick the new set up before their next batch
(``screening.assembly.refresh_learned``).  Two processes that find it due at once both learn (no lock is
held while learning, so screening's writes never wait on it), but only one set is stored: just before
storing, each checks that the newest set is still the one it started from, and the set's version is a
primary key, so of two saves racing past that check the second fails and is dropped.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError

from interdictor.screening.loaders import Superseded, learn_profiles
from interdictor.settings import Settings
from interdictor.store import learned
from interdictor.store.db import Store

log = logging.getLogger(__name__)


def due(store: Store, settings: Settings, now: datetime | None = None) -> tuple[bool, int | None, int]:
    """(is a new set due, the newest set's version, shipments stored since it)."""
    if settings.profiles_refresh_hours <= 0:
        return False, None, 0
    now = now or datetime.now(UTC)
    with store.connect() as conn:
        version, at, new = learned.since_latest(conn)
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    old_enough = at is None or now - at >= timedelta(hours=settings.profiles_refresh_hours)
    return old_enough and new >= settings.profiles_refresh_min_shipments, version, new


def refresh_if_due(store: Store, settings: Settings, now: datetime | None = None,
                   actor: str = "background") -> int | None:
    """Learn the next set when one is due; its version, or None when none was due (or another process
    learned it first)."""
    is_due, seen, new = due(store, settings, now)
    if not is_due:
        return None
    try:
        with store.begin() as conn:
            version, n = learn_profiles(conn, settings, actor=actor,
                                        after=lambda c: learned.latest_version(c) == seen)
    except (Superseded, IntegrityError):
        log.info("another process stored a learned set first; this one is dropped")
        return None
    log.info("learned profile set %d from %d lines (%d shipments stored since the last set)", version, n["lines"], new)
    return version
