"""Structure layer (RDKit): exact match, in-silico unmasking, substructure alerts, similarity.

Built once per context from the knowledge base (``StructureIndex.build``); ``analyse(mol)`` is then a
few hundred microseconds per candidate.  Nothing here raises on a bad molecule: a structure RDKit
cannot handle yields ``None`` and the caller logs that it was skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from rdkit import Chem, DataStructs, RDLogger
from rdkit.Chem import rdChemReactions, rdFingerprintGenerator
from rdkit.Chem.MolStandardize import rdMolStandardize

from interdictor.reference.kb import KnowledgeBase
from interdictor.screen.goods.structure_index import StructureResult

RDLogger.DisableLog("rdApp.*")  # type: ignore[attr-defined]  # RDKit would print every unparsable token to stderr
log = logging.getLogger(__name__)

MAX_UNMASK_STEPS = 4
SHARE = 0.45  # a hydrolysis must keep at least this share of the heavy atoms to count
REFERENCE_TIERS = ("controlled", "designer", "watch", "drug")
_TIER_RANK = {"controlled": 0, "drug": 1, "watch": 2, "designer": 3}


@dataclass(frozen=True)
class Form:
    mol: Any
    key: str  # InChIKey
    steps: tuple[str, ...]  # rewrite ids applied to reach it


@dataclass(frozen=True)
class _Reaction:
    id: str
    rxn: Any
    meaning: str
    check_share: bool


def mol_from_smiles(smiles: str) -> Any | None:
    try:
        mol = Chem.MolFromSmiles(smiles)
    except Exception:
        return None
    return mol if mol is not None and mol.GetNumHeavyAtoms() >= 2 else None


_chooser = rdMolStandardize.LargestFragmentChooser(preferOrganic=True)
_uncharger = rdMolStandardize.Uncharger()


def standardise(mol: Any) -> Any | None:
    """Largest organic fragment (salts, counter-ions and water dropped), neutralised, stereo kept."""
    try:
        m = _uncharger.uncharge(_chooser.choose(mol))
        Chem.SanitizeMol(m)
        return m
    except Exception:
        return None


def inchikey(mol: Any) -> str | None:
    try:
        key = Chem.MolToInchiKey(mol)  # type: ignore[no-untyped-call]
    except Exception:
        return None
    return key or None


def _heavy(mol: Any) -> int:
    return int(mol.GetNumHeavyAtoms())


def _products(mol: Any, reaction: _Reaction) -> list[Any]:
    """Scaffold fragments after applying ``reaction`` once at each site (sanitised, de-duplicated)."""
    out: list[Any] = []
    try:
        results = reaction.rxn.RunReactants((mol,))
    except Exception:
        return out
    size = _heavy(mol)
    for prods in results[:8]:
        for p in prods:
            try:
                Chem.SanitizeMol(p)
                frags = Chem.GetMolFrags(p, asMols=True)
            except Exception:
                continue
            for f in frags:
                ring_or_n = f.GetRingInfo().NumRings() > 0 or any(a.GetSymbol() == "N" for a in f.GetAtoms())
                if _heavy(f) < 5 or not ring_or_n:
                    continue
                if reaction.check_share and _heavy(f) < SHARE * size:
                    continue
                out.append(f)
    return out


class StructureIndex:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.reactions = [
            _Reaction(r.id, rdChemReactions.ReactionFromSmarts(r.smarts), r.meaning, r.check_share)
            for r in kb.rewrites
        ]
        self.rewrite_meaning = {r.id: r.meaning for r in kb.rewrites}
        self.alerts = [(a, Chem.MolFromSmarts(a.smarts)) for a in kb.alerts]
        self.by_key: dict[str, str] = {}
        self.by_skeleton: dict[str, str] = {}
        self.parents: dict[str, str] = {}  # unmasked-form key → substance id (derivative-capable only)
        self.parent_smiles: dict[str, str] = {}
        self.fps: list[tuple[str, Any]] = []
        # Morgan radius 2, 2048 bits (domain/chemistry.md §5.2 computed its similarity table this way)
        self._fpgen = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
        for s in kb.substances:
            mol = mol_from_smiles(s.smiles)
            std = standardise(mol) if mol is not None else None
            key = inchikey(std) if std is not None else None
            if std is None or key is None:
                log.warning("knowledge base SMILES of %s does not parse; structure matching skips it", s.id)
                continue
            self.by_key.setdefault(key, s.id)
            self.by_skeleton.setdefault(key[:14], s.id)
            for other in s.other_cas:  # traded forms (a hydrate hydrochloride) are the substance too
                omol = mol_from_smiles(other.smiles) if other.smiles else None
                ostd = standardise(omol) if omol is not None else None
                okey = inchikey(ostd) if ostd is not None else None
                if okey:
                    self.by_key.setdefault(okey, s.id)
            if s.derivative_match:
                for form in self.unmask(std).values():
                    self.parents.setdefault(form.key, s.id)
                    self.parent_smiles.setdefault(form.key, Chem.MolToSmiles(form.mol))
            if s.tier in REFERENCE_TIERS:
                self.fps.append((s.id, self._fpgen.GetFingerprint(std)))

    def unmask(self, mol: Any) -> dict[str, Form]:
        """Every form reachable by the rewrites (itself included), keyed by InChIKey."""
        start_key = inchikey(mol)
        if start_key is None:
            return {}
        seen = {start_key: Form(mol, start_key, ())}
        frontier = [seen[start_key]]
        for _ in range(MAX_UNMASK_STEPS):
            nxt = []
            for form in frontier:
                for reaction in self.reactions:
                    for p in _products(form.mol, reaction):
                        key = inchikey(p)
                        if key and key not in seen:
                            seen[key] = Form(p, key, (*form.steps, reaction.id))
                            nxt.append(seen[key])
            frontier = nxt[:64]
            if not frontier:
                break
        return seen

    def analyse(self, mol: Any) -> StructureResult | None:
        std = standardise(mol)
        key = inchikey(std) if std is not None else None
        if std is None or key is None:
            return None
        res = StructureResult(smiles=Chem.MolToSmiles(std), key=key)
        res.exact = self.by_key.get(key)
        if res.exact is None:
            res.stereo_of = self.by_skeleton.get(key[:14])
        if res.exact is not None or res.stereo_of is not None:
            return res
        forms = self.unmask(std)
        targets = []
        for form in forms.values():
            sid = self.by_key.get(form.key)
            if form.steps and sid is not None and self.kb.substance(sid).derivative_match:
                targets.append((_TIER_RANK.get(self.kb.substance(sid).tier, 9), len(form.steps), sid, form.steps))
            elif form.steps and form.key in self.parents and res.shares_parent is None:
                res.shares_parent = (self.parents[form.key], self.parent_smiles[form.key])
        if targets:
            _, _, sid, steps = min(targets)
            res.unmasks_to = (sid, steps)
        for form in forms.values():
            for alert, patt in self.alerts:
                if patt is None or (alert.max_heavy_atoms and _heavy(form.mol) > alert.max_heavy_atoms):
                    continue
                if any(a == alert.id for a, _ in res.alerts):
                    continue
                if form.mol.HasSubstructMatch(patt):
                    res.alerts.append((alert.id, form.steps))
        fp = self._fpgen.GetFingerprint(std)
        best = max(((sid, DataStructs.TanimotoSimilarity(fp, ref)) for sid, ref in self.fps), key=lambda t: t[1],
                   default=None)
        if best is not None and best[1] >= self.kb.similarity_review:
            res.similar = (best[0], round(best[1], 2))
        return res
