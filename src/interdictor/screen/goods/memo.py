"""Answers remembered across batches: the same descriptions, words and codes come back batch after batch.

Only pure answers are remembered (what a text holds depends on the text and the compiled knowledge
base, nothing else), so a detector that remembers gives exactly what one that does not would.  A memo
is bounded: when it would grow past its limit it starts afresh.  A lookup returns its answers in a
dict of its own, so a memo emptied by another thread meanwhile never loses an answer mid-call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

import polars as pl

from interdictor.reference.keyed import SMALL_PROBE  # keys up to which a lookup gathers its own rows

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
DEFAULT_LIMIT = 300_000  # entries (descriptions, words): tens of megabytes at most


class Memo(Generic[K, V]):
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._answers: dict[K, V] = {}
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, int]:
        """Pickled (a context broadcast to Spark executors) as an empty memo of the same limit: the answers
        are pure, so they are found again, and a lock does not pickle."""
        return {"limit": self.limit}

    def __setstate__(self, state: dict[str, int]) -> None:
        self.limit = state["limit"]
        self._answers = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    def lookup(self, keys: Iterable[K], compute: Callable[[list[K]], dict[K, V]]) -> dict[K, V]:
        """The answer for each key: remembered ones as they are, the others from ``compute(missing)``
        (which must answer every key it is given)."""
        answers = self._answers
        unique = dict.fromkeys(keys)
        found: dict[K, V] = {k: answers[k] for k in unique if k in answers}
        missing = [k for k in unique if k not in found] if len(found) < len(unique) else []
        if missing:
            new = compute(missing)
            found.update(new)
            with self._lock:
                if len(self._answers) + len(new) > self.limit:
                    self._answers = {}  # start afresh; a lookup in flight keeps the dict it read
                if len(new) <= self.limit:
                    self._answers.update(new)
        return found


class FrameMemo:
    """Answers that are tables (the findings in a text), remembered per key in one polars frame.

    ``lookup`` joins a batch's keys with the rows remembered for them instead of touching each
    key's answer in Python, so a batch of a hundred thousand descriptions costs a few joins.  A small
    batch joins only the rows of its own keys, found through a key → row-numbers index, so it does not
    hash everything remembered.  Which keys were met is kept in a set (a key may have no rows).
    Bounded like ``Memo``: past ``limit`` keys it starts afresh; a lookup in flight keeps the state it
    read (rows are only ever appended, so the row numbers it read stay true).
    """

    def __init__(self, key: str, limit: int = DEFAULT_LIMIT) -> None:
        self.key = key
        self.limit = limit
        self._state: tuple[set[str], pl.DataFrame | None, dict[str, list[int]]] = (set(), None, {})
        self._lock = threading.Lock()
        self._generation = 0  # counts updates: a lookup knows whether another one landed meanwhile

    def __getstate__(self) -> tuple[str, int]:
        """Pickled as an empty memo of the same key and limit (as ``Memo``)."""
        return self.key, self.limit

    def __setstate__(self, state: tuple[str, int]) -> None:
        self.key, self.limit = state
        self._state = (set(), None, {})
        self._lock = threading.Lock()
        self._generation = 0

    def __len__(self) -> int:
        return len(self._state[0])

    def lookup(self, keys: pl.DataFrame, compute: Callable[[pl.DataFrame], pl.DataFrame]) -> pl.DataFrame:
        """``keys`` joined with the answer rows of each key (a key with none drops out).

        ``compute(new)`` gets the first row of ``keys`` for every key not met before and returns the
        answer rows of those keys, the key column among them."""
        k = self.key
        values = keys.get_column(k).to_list()
        with self._lock:  # which keys are known, and their rows, read together
            seen, known, index = self._state
            generation = self._generation
            fresh = [t not in seen for t in values]
        parts: list[pl.DataFrame] = []
        if known is not None:
            if len(values) <= SMALL_PROBE:
                at = sorted(i for t in {t for t, f in zip(values, fresh, strict=True) if not f} for i in index.get(t, ()))
                parts.append(known[at])
            else:
                parts.append(known)
        if any(fresh):
            new = keys.filter(pl.Series(fresh, dtype=pl.Boolean)).unique(k, keep="first", maintain_order=True)
            got = compute(new)
            parts.append(got)
            self._remember(new.get_column(k).to_list(), got, generation)
        if not parts:
            return keys.join(compute(keys.clear()), on=k, how="inner")  # the answer columns, no rows
        answers = parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical_relaxed")
        return keys.join(answers, on=k, how="inner", maintain_order="left")

    def _remember(self, new_keys: list[str], got: pl.DataFrame, generation: int) -> None:
        with self._lock:
            seen, known, index = self._state
            if len(seen) + len(new_keys) > self.limit:
                seen, known, index = set(), None, {}  # start afresh
            if len(new_keys) > self.limit:
                return
            if generation != self._generation:  # another lookup remembered some of these meanwhile
                keep = [t for t in new_keys if t not in seen]
                got = got.filter(pl.col(self.key).is_in(pl.Series(keep, dtype=pl.String).implode()))
                new_keys = keep
            if not new_keys:
                return
            seen.update(new_keys)  # in place: lookups read the set and the frame under the lock
            start = 0 if known is None else known.height
            for i, t in enumerate(got.get_column(self.key).to_list(), start):
                index.setdefault(t, []).append(i)  # new keys only: a row list read by a lookup never changes
            known = got if known is None else pl.concat([known, got], how="vertical_relaxed")
            if known.n_chunks() > 64:
                known = known.rechunk()
            self._state = (seen, known, index)
            self._generation += 1
