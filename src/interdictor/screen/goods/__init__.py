"""Goods intelligence: precursors, designer relatives, pill presses and dies in item descriptions.

``detect(batch, ctx)`` is the detector (``ctx.part("goods")`` is a :class:`GoodsContext`);
``loader.load_goods(settings, ...)`` builds that part (shipped knowledge base, HS profiles learned from
the store, the licence registry) from values ``screening.loaders.goods_part`` reads from the store.
"""

from interdictor.screen.goods.context import GoodsContext, build_goods_context
from interdictor.screen.goods.detector import detect, detect_goods

__all__ = ["GoodsContext", "build_goods_context", "detect", "detect_goods"]
