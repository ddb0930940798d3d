"""The goods part of the screening context: everything compiled once, before any batch.

Building it is cheap on purpose (``interdictor screen`` of a five-row file pays it): the compiled
tables are read from the user cache when this knowledge base and this code compiled them before
(``artefacts.py``), and the structure index — RDKit — is built only when a structure turns up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from interdictor.reference.kb import KnowledgeBase, load_kb
from interdictor.screen.goods.artefacts import load_or_build
from interdictor.screen.goods.licence import Registry
from interdictor.screen.goods.patterns import Compiled
from interdictor.screen.goods.profiles import Profiles, load_priors
from interdictor.screen.goods.structure import NameResolver
from interdictor.screen.goods.structure_index import LazyStructureIndex, results_file
from interdictor.screen.goods.vague import VagueMatcher

OPTIONAL_LAYERS = frozenset({"structure", "profiles", "licences"})


@dataclass(frozen=True)
class GoodsContext:
    kb: KnowledgeBase
    compiled: Compiled
    vague: VagueMatcher
    near_cas: dict[str, str]
    structures: LazyStructureIndex | None
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

    @property
    def more_versions(self) -> dict[str, str]:
        """The learned profile set screening used ("prior" before any was learned)."""
        return {"profiles": self.profiles.version}


def user_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("interdictor", appauthor=False))


def build_goods_context(
    kb: KnowledgeBase | None = None,
    *,
    profiles: Profiles | None = None,
    registry: Registry | None = None,
    names: NameResolver | None = None,
    structures: bool = True,
    sample_max_kg: float = 2.0,
    notes: tuple[str, ...] = (),
    cache: bool = True,
    cache_dir: Path | None = None,
) -> GoodsContext:
    """``cache``: read/keep the compiled tables and structure analyses in ``cache_dir`` (default: the user
    cache directory)."""
    kb = kb or load_kb()
    where = (cache_dir or user_cache_dir()) if cache else None
    art = load_or_build(kb, where)
    return GoodsContext(
        kb=kb,
        compiled=art.compiled,
        vague=art.vague,
        near_cas=art.near_cas,
        structures=LazyStructureIndex(kb, results_file(kb, where) if where else None) if structures else None,
        names=names,
        profiles=profiles or load_priors(),
        registry=registry or Registry(),
        sample_max_kg=sample_max_kg,
        notes=notes,
    )
