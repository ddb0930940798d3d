"""The chores ``serve`` and ``worker`` run by themselves, in a daemon thread beside the alert deliverer.

At start and then every ``every`` seconds (a day for the windows; ``profiles_check`` for the learned set,
whose own settings say when a new one is due) — each chore in its own transaction, each failure logged
and tried again at its next turn, never stopping the others or the process.  Every chore is safe to run
from several processes at once (see each module), so any number of services and workers may run them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from interdictor.background.profiles import refresh_if_due
from interdictor.background.windows import close_windows
from interdictor.settings import Settings
from interdictor.store.db import Store

log = logging.getLogger(__name__)

DAY = 86_400.0


@dataclass(frozen=True)
class Chore:
    name: str
    every: float  # seconds between runs (the first runs at start)
    run: Callable[[], object]


def chores(store: Store, settings: Settings, *, windows_every: float = DAY, profiles_check: float = 3600.0,
           on_emit: Callable[[], None] | None = None) -> list[Chore]:
    """The chores of a process: close the notification windows that ended (and wake the deliverer when that
    raised alerts); learn a new profile set when one is due (checked hourly: a cheap count)."""

    def windows() -> int:
        closed = close_windows(store, settings)
        if closed and on_emit is not None:
            on_emit()
        return len(closed)

    out = [Chore("notification windows", windows_every, windows)]
    if settings.profiles_refresh_hours > 0:
        out.append(Chore("learned profiles", min(profiles_check, settings.profiles_refresh_hours * 3600),
                         lambda: refresh_if_due(store, settings)))
    return out


@dataclass
class ChoreThread:
    """Runs ``chores`` at start and then each at its interval, until stopped."""

    chores: list[Chore]
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="interdictor-chores", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        next_at = {c.name: 0.0 for c in self.chores}
        while not self._stop.is_set():
            for c in self.chores:
                if self._stop.is_set() or time.monotonic() < next_at[c.name]:
                    continue
                try:
                    c.run()
                except Exception:  # the store is away for a moment: try again at the next turn, never die
                    log.exception("the background chore %r failed", c.name)
                next_at[c.name] = time.monotonic() + c.every
            wait = min(next_at.values(), default=time.monotonic() + 60) - time.monotonic()
            self._stop.wait(max(wait, 0.05))

    def stop(self, wait: float = 5.0) -> None:
        """Stop after the chore in hand (a learning run in progress finishes or is cut off at exit: daemon)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(wait)
