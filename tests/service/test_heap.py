from __future__ import annotations

import gc
import weakref

from interdictor.service.state import settle_heap


class _Node:
    other: _Node


def test_settle_heap_sets_what_lives_aside_and_a_later_settle_frees_its_cycles() -> None:
    a, b = _Node(), _Node()
    a.other, b.other = b, a  # a cycle: only the collector can free it
    ref = weakref.ref(a)
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0
        del a, b
        gc.collect()
        assert ref() is not None  # set aside: full collections no longer walk it
        settle_heap()  # what a context reload does: unfreeze, collect, freeze what is alive
        assert ref() is None
    finally:
        gc.unfreeze()


def test_the_running_service_has_set_its_context_aside(svc) -> None:  # type: ignore[no-untyped-def]
    assert gc.get_freeze_count() > 0
