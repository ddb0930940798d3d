"""The goods part of the screening context: everything compiled once, before any batch."""

from __future__ import annotations

from dataclasses import dataclass, field

from interdictor.reference.kb import KnowledgeBase, load_kb
from interdictor.screen.goods.cas import near_misses
from interdictor.screen.goods.chem import StructureIndex
from interdictor.screen.goods.licence import Registry
from interdictor.screen.goods.patterns import Compiled, compile_kb
from interdictor.screen.goods.profiles import Profiles, load_priors
from interdictor.screen.goods.structure import NameResolver
from interdictor.screen.goods.vague import VagueMatcher, compile_vague

OPTIONAL_LAYERS = frozenset({"structure", "profiles", "licences"})


@dataclass(frozen=True)
class GoodsContext:
    kb: KnowledgeBase
    compiled: Compiled
    vague: VagueMatcher
    near_cas: dict[str, str]
    structures: StructureIndex | None
    names: NameResolver | None
    profiles: Profiles
    registry: Registry
    sample_max_kg: float = 2.0
    notes: tuple[str, ...] = field(default_factory=tuple)  # what was skipped at load time, and why
    # optional layers (text and code always run): structure, profiles, licences
    layers: frozenset[str] = OPTIONAL_LAYERS

    @property
    def version(self) -> str:
        return self.kb.version


def build_goods_context(
    kb: KnowledgeBase | None = None,
    *,
    profiles: Profiles | None = None,
    registry: Registry | None = None,
    names: NameResolver | None = None,
    structures: bool = True,
    sample_max_kg: float = 2.0,
    notes: tuple[str, ...] = (),
) -> GoodsContext:
    kb = kb or load_kb()
    return GoodsContext(
        kb=kb,
        compiled=compile_kb(kb),
        vague=compile_vague(kb),
        near_cas=near_misses(kb),
        structures=StructureIndex(kb) if structures else None,
        names=names,
        profiles=profiles or load_priors(),
        registry=registry or Registry(),
        sample_max_kg=sample_max_kg,
        notes=notes,
    )
