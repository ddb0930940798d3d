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

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
DEFAULT_LIMIT = 300_000  # entries (descriptions, words): tens of megabytes at most


class Memo(Generic[K, V]):
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._answers: dict[K, V] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    def lookup(self, keys: Iterable[K], compute: Callable[[list[K]], dict[K, V]]) -> dict[K, V]:
        """The answer for each key: remembered ones as they are, the others from ``compute(missing)``
        (which must answer every key it is given)."""
        answers = self._answers
        found: dict[K, V] = {}
        missing: list[K] = []
        for k in dict.fromkeys(keys):
            if k in answers:
                found[k] = answers[k]
            else:
                missing.append(k)
        if missing:
            new = compute(missing)
            found.update(new)
            with self._lock:
                if len(self._answers) + len(new) > self.limit:
                    self._answers = {}  # start afresh; a lookup in flight keeps the dict it read
                if len(new) <= self.limit:
                    self._answers.update(new)
        return found
