"""The structure index, built on first use.

Most batches hold no SMILES and no systematic name the text layer did not already know, so the
context does not pay for RDKit (its import and the in-silico unmasking of every listed substance,
about a third of a second) until a candidate structure actually turns up.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from interdictor.reference.kb import KnowledgeBase

if TYPE_CHECKING:
    from interdictor.screen.goods.chem import StructureIndex, StructureResult


class LazyStructureIndex:
    """Stands for a :class:`~interdictor.screen.goods.chem.StructureIndex` of ``kb``, built when first asked."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._index: StructureIndex | None = None
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        return self._index is not None

    def index(self) -> StructureIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from interdictor.screen.goods.chem import StructureIndex

                    self._index = StructureIndex(self.kb)
        return self._index

    def analyse(self, mol: Any) -> StructureResult | None:
        return self.index().analyse(mol)

    @property
    def rewrite_meaning(self) -> dict[str, str]:
        return {r.id: r.meaning for r in self.kb.rewrites}
