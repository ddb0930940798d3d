"""A batch in which nothing is named takes a short way through ``resolve``; it must give what the long
way gives."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from interdictor.screen.goods import resolve as R
from interdictor.screen.goods.context import GoodsContext
from interdictor.screen.goods.text import make_views, scan_classes, scan_text, scan_uses

ORDINARY = [
    ["cotton t-shirt size M"],
    ["wireless keyboard", "stainless steel kitchen knife", "baby stroller", "ceramic mug"],
    ["plastic storage box with lid", "", "LED desk lamp 2pcs"],
]


@pytest.mark.parametrize("descriptions", ORDINARY)
def test_nothing_named_is_what_the_long_way_gives(gctx: GoodsContext, descriptions: list[str]) -> None:
    views = make_views(pl.Series(descriptions, dtype=pl.String))
    compiled = gctx.compiled
    hits = scan_text(views, compiled)
    assert hits.is_empty()
    every = views.frame["did"]
    uses = scan_uses(views, compiled, every.head(0))
    named = scan_classes(views, compiled, every)
    assert not named.is_empty()  # the flags of these descriptions come from their classes alone
    for classes in (named, scan_classes(views, compiled, every.head(0))):
        short = R.resolve(hits, compiled, views.frame, classes, uses)
        long = R.resolve_hits(hits, compiled, views.frame, classes, uses)
        for name in ("substances", "substituted", "equipment", "declared_as", "flags"):
            assert_frame_equal(getattr(short, name), getattr(long, name), check_row_order=False)


def test_the_short_way_is_taken_only_when_nothing_is_named(gctx: GoodsContext, monkeypatch: pytest.MonkeyPatch) -> None:
    views = make_views(pl.Series(["N-phenethyl-4-piperidone 99%", "phone case"]))
    hits = scan_text(views, gctx.compiled)
    assert not hits.is_empty()
    monkeypatch.setattr(R, "_nothing_named", lambda *a: pytest.fail("the short way was taken"))
    got = R.resolve(hits, gctx.compiled, views.frame, scan_classes(views, gctx.compiled, views.frame["did"]))
    assert got.substances["substance"].to_list()
