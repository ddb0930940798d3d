"""The service's state: store, secret, screening state and the writer thread, made once by ``create_app``."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import Connection

from interdictor.alerts import DeliveryThread
from interdictor.screening import Screening, assemble
from interdictor.screening.assembly import reassemble_registry, reassemble_rules
from interdictor.screening.reassess import after_seizures
from interdictor.service.accounts import KeyCache, LoginPolicy
from interdictor.service.screening import Screener
from interdictor.settings import Settings
from interdictor.store.config import Budgets, port_budgets
from interdictor.store.db import Store

log = logging.getLogger(__name__)


def settle_heap() -> None:
    """Collect, then set what is alive now (the screening context: hundreds of thousands of objects
    that live as long as the service) aside from the garbage collector, so that its full
    collections stop walking them — each walk would stall screening for tens of milliseconds.
    Called once the service has loaded its context, and again after a reload swaps in a new one
    (unfreezing first, so that the old context's cycles can be collected)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


@dataclass
class ServiceState:
    settings: Settings
    store: Store
    secret_key: str
    screener: Screener
    keys: KeyCache = field(default_factory=KeyCache)
    policy: LoginPolicy = field(default_factory=LoginPolicy)
    cookie_secure: bool | None = None  # None: Secure when the request came over HTTPS
    max_upload_bytes: int = 64 * 1024 * 1024
    _reloading: threading.Lock = field(default_factory=threading.Lock)
    deliverer: DeliveryThread | None = None  # the alert deliverer of this process (while the app runs)

    def wake_deliverer(self) -> None:
        """An event was committed: have it sent now rather than at the next poll."""
        if self.deliverer is not None:
            self.deliverer.wake()

    @property
    def screening(self) -> Screening:
        return self.screener.screening

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.store.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.store.begin() as conn:
            yield conn
        self.wake_deliverer()  # what was written may have raised an event (the outbox): deliver it now

    def budgets(self, conn: Connection) -> Budgets:
        return Budgets(self.screening.corridors, port_budgets(conn))

    def reload_rules(self) -> None:
        """The active rule set and corridor configuration changed: swap them in (cheap)."""
        self.screener.screening = reassemble_rules(self.screening, self.store, self.settings)

    def reload_registry(self) -> None:
        """The licence registry changed (a pre-notification filed or withdrawn): swap in the goods part's new
        registry (cheap: three small tables)."""
        with self._reloading:
            self.screener.screening = reassemble_registry(self.screening, self.store)

    def after_seizure(self, partner: str, shipment_id: str) -> None:
        """A seizure was recorded: screen with its marks from now on, and assess the live shipments linked
        to it again at once (the queue changes the same day).  The outcome is stored whatever happens here."""
        with self._reloading:
            try:
                seized = pl.DataFrame({"partner": [partner], "shipment_id": [shipment_id]})
                self.screener.screening, done = after_seizures(self.store, self.screening, self.settings, seized)
                log.info("seizure %s/%s: %d linked shipments, %d live, assessed again", partner, shipment_id,
                         done.asked, done.live)
            except Exception:
                log.exception("re-assessing the shipments linked to %s/%s failed", partner, shipment_id)

    def reload_context(self, background: bool = True) -> None:
        """Reference data changed (a watchlist import): rebuild the screening context, then swap it in."""
        def work() -> None:
            with self._reloading:
                try:
                    self.screener.screening = assemble(self.settings, self.store)
                    settle_heap()
                except Exception:
                    log.exception("reloading the screening context failed; the previous one stays in use")

        if background:
            threading.Thread(target=work, name="interdictor-reload", daemon=True).start()
        else:
            work()
