"""The screening writer: partners take turns, a submission whose client left is dropped, stop is prompt."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from interdictor.service import screening
from interdictor.service.coalesce import Pending
from interdictor.service.screening import ClientGone, Screener, Submission, SubmissionResult, _settle

SHARE = screening.MAX_BATCH_SHIPMENTS


def sub(partner: str, name: str, shipments: int) -> Submission:
    """A waiting submission of ``shipments`` shipments (a CSV body not yet read: nothing to parse here)."""
    ids = {f"{name}-{i}" for i in range(shipments)}
    return Submission(partner, name, "manifest-csv", [], pending=Pending("h", ["r"] * shipments, ids, b""))


class Recording(Screener):
    """A writer whose screening records what it was given and holds until the gate opens."""

    def __init__(self) -> None:
        super().__init__(store=None, screening=None)  # type: ignore[arg-type]
        self.gate = threading.Event()
        self.started = threading.Event()
        self.order: list[str] = []

    def _screen(self, partner: str, subs: list[Submission]) -> None:
        self.started.set()
        self.gate.wait(10)
        for s in subs:
            self.order.append(s.source)
            _settle(s.future, SubmissionResult("run", s.fmt, [], [], [], "rules"))


def test_a_round_serves_every_partner_up_to_its_share() -> None:
    """Table: what waits (in arrival order) -> the rounds the writer takes."""
    cases: list[tuple[list[tuple[str, str, int]], list[list[str]]]] = [
        # one partner's big upload queued first: the other partner's one row is in the first round
        ([("acme", "a1", SHARE - 100), ("acme", "a2", 3_000), ("acme", "a3", 3_000), ("globex", "g1", 1)],
         [["a1", "g1"], ["a2"], ["a3"]]),
        # many small submissions of one partner are taken together, up to the share
        ([("acme", f"s{i}", SHARE // 4) for i in range(6)] + [("globex", "g1", 1)],
         [["s0", "s1", "s2", "s3", "g1"], ["s4", "s5"]]),
        # one submission over the share still goes, alone
        ([("acme", "big", 3 * SHARE), ("acme", "a2", 1), ("globex", "g1", 1)], [["big", "g1"], ["a2"]]),
    ]
    for waiting, rounds in cases:
        s = Screener(store=None, screening=None)  # type: ignore[arg-type]
        for partner, name, n in waiting:
            s.put(sub(partner, name, n))
        got = []
        while (picked := s.take_round(block=False)) is not None:
            got.append([x.source for x in picked])
        assert got == rounds, waiting
        assert s.backlog() == 0


def test_the_writer_screens_another_partners_small_submission_before_the_rest_of_a_big_upload() -> None:
    s = Recording()
    try:
        s.put(sub("acme", "a0", 10))
        s.start()
        assert s.started.wait(5)  # the writer is busy with a0: everything below queues behind it
        for i in range(1, 6):
            s.put(sub("acme", f"a{i}", SHARE - 1))
        small = sub("globex", "g1", 1)
        s.put(small)
        s.gate.set()
        small.future.result(timeout=10)
    finally:
        s.stop()
    assert s.order.index("g1") < s.order.index("a2")
    assert s.order[:2] == ["a0", "a1"]


def test_a_submission_whose_client_left_before_the_writer_took_it_is_not_screened(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screening, "GONE_POLL", 0.01)
    s = Recording()

    async def gone() -> bool:
        return True

    async def scenario() -> None:
        s.put(sub("acme", "busy", 1))
        s.start()
        assert await asyncio.to_thread(s.started.wait, 5)
        with pytest.raises(ClientGone):
            await s.submit_async(sub("globex", "left", 1), gone=gone)
        with pytest.raises(TimeoutError):
            await s.submit_async(sub("globex", "timed-out", 1), timeout=0.05)

    try:
        asyncio.run(scenario())
        s.gate.set()
        kept = sub("globex", "kept", 1)
        s.put(kept)
        kept.future.result(timeout=10)
    finally:
        s.stop()
    assert s.order == ["busy", "kept"]
    assert s.dropped == 2


def test_stop_does_not_wait_for_a_long_screening_and_fails_what_waits() -> None:
    s = Recording()
    s.put(sub("acme", "long", 1))
    s.start()
    assert s.started.wait(5)
    waiting = sub("globex", "g1", 1)
    s.put(waiting)
    t0 = time.monotonic()
    s.stop(wait=0.2)
    assert time.monotonic() - t0 < 2
    with pytest.raises(RuntimeError, match="shutting down"):
        waiting.future.result(timeout=1)
    s.gate.set()
