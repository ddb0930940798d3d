"""The structure index, built on first use, and what it said about each structure, remembered.

Most batches hold no SMILES and no systematic name the text layer did not already know, so the
context does not pay for RDKit (its import and the in-silico unmasking of every listed substance,
about a third of a second) until a candidate structure actually turns up.  And the same structures
come back batch after batch and day after day (a seller writes its product the same way), so the
analysis of each SMILES is kept: in memory for the run, and in a JSON-lines file in the user cache
directory under a key of the knowledge base, the chemistry code and the RDKit version — a run that
meets only structures seen before never imports RDKit at all.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field, fields
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interdictor.reference.kb import KnowledgeBase
from interdictor.screen.goods.cachefile import append_lines, prune, read_lines

if TYPE_CHECKING:
    from interdictor.screen.goods.chem import StructureIndex

log = logging.getLogger(__name__)


@dataclass
class StructureResult:
    smiles: str
    key: str
    exact: str | None = None  # substance id with this very structure
    stereo_of: str | None = None  # same skeleton, other stereochemistry
    unmasks_to: tuple[str, tuple[str, ...]] | None = None  # (substance id, steps)
    shares_parent: tuple[str, str] | None = None  # (substance id, SMILES of the shared parent)
    alerts: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (alert id, steps)
    similar: tuple[str, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "smiles": self.smiles, "key": self.key, "exact": self.exact, "stereo_of": self.stereo_of,
            "unmasks_to": [self.unmasks_to[0], list(self.unmasks_to[1])] if self.unmasks_to else None,
            "shares_parent": list(self.shares_parent) if self.shares_parent else None,
            "alerts": [[a, list(steps)] for a, steps in self.alerts],
            "similar": list(self.similar) if self.similar else None,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StructureResult:
        u, p, s = d.get("unmasks_to"), d.get("shares_parent"), d.get("similar")
        return cls(
            smiles=str(d["smiles"]), key=str(d["key"]), exact=d.get("exact"), stereo_of=d.get("stereo_of"),
            unmasks_to=(str(u[0]), tuple(u[1])) if u else None,
            shares_parent=(str(p[0]), str(p[1])) if p else None,
            alerts=[(str(a), tuple(steps)) for a, steps in d.get("alerts") or []],
            similar=(str(s[0]), float(s[1])) if s else None,
        )


def results_file(kb: KnowledgeBase, cache_dir: Path) -> Path:
    """Where analyses are kept: keyed by every field of the knowledge base, the chemistry code and RDKit."""
    h = hashlib.sha256(repr([getattr(kb, f.name) for f in fields(kb) if f.name not in ("by_id", "by_cas")]).encode())
    h.update((Path(__file__).parent / "chem.py").read_bytes())
    h.update(Path(__file__).read_bytes())
    try:
        h.update(version("rdkit").encode())
    except PackageNotFoundError:
        h.update(b"rdkit absent")
    where = cache_dir / f"structures-{h.hexdigest()[:16]}.jsonl"
    prune(cache_dir, "structures-*.jsonl", keep=where)  # analyses of other versions, unused for a week
    return where


class LazyStructureIndex:
    """Stands for a :class:`~interdictor.screen.goods.chem.StructureIndex` of ``kb``, built when first asked.

    ``cache_file``: analyses kept between runs (None keeps them for this run only).
    """

    def __init__(self, kb: KnowledgeBase, cache_file: Path | None = None) -> None:
        self.kb = kb
        self.cache_file = cache_file
        self._index: StructureIndex | None = None
        self._memo: dict[str, StructureResult | None] = {}
        self._loaded = cache_file is None
        self._lock = threading.Lock()

    def __getstate__(self) -> tuple[KnowledgeBase, dict[str, StructureResult | None]]:
        """Pickled (a context broadcast to Spark executors) with the analyses known so far and no file: an
        executor's cache directory is not the driver's, and the index is built again where it is needed."""
        self._load()
        return self.kb, dict(self._memo)

    def __setstate__(self, state: tuple[KnowledgeBase, dict[str, StructureResult | None]]) -> None:
        self.kb, self._memo = state
        self.cache_file = None
        self._index = None
        self._loaded = True
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

    def analyse_smiles(self, smiles: str) -> StructureResult | None:
        """What the index says of ``smiles`` (None: it does not parse or cannot be standardised)."""
        self._load()
        if smiles in self._memo:
            return self._memo[smiles]
        from interdictor.screen.goods.chem import (
            mol_from_smiles,  # RDKit only for a structure not seen before
        )

        mol = mol_from_smiles(smiles)
        result = self.analyse(mol) if mol is not None else None
        self._memo[smiles] = result
        self._save(smiles, result)
        return result

    @property
    def rewrite_meaning(self) -> dict[str, str]:
        return {r.id: r.meaning for r in self.kb.rewrites}

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        assert self.cache_file is not None
        for entry in read_lines(self.cache_file):
            try:
                smiles, result = entry
                self._memo.setdefault(str(smiles), StructureResult.from_json(result) if result else None)
            except (ValueError, TypeError, KeyError, IndexError):
                continue  # an entry of another shape is only a lost analysis

    def _save(self, smiles: str, result: StructureResult | None) -> None:
        if self.cache_file is not None:
            append_lines(self.cache_file, [[smiles, result.to_json() if result else None]])
