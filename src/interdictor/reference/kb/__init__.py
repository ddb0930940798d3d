"""The goods knowledge base: precursors, equipment, HS headings, word families, structure rules.

Data lives in the YAML files beside this module (shipped with the package); this module only reads
and checks them: each file against its strict model (``schema.py``: a misspelt key is an error naming
the file and the key), then the whole for consistency (``check_kb``).  ``load_kb()`` returns one immutable :class:`KnowledgeBase`; its ``version`` string
names the content (file versions plus a short digest) so assessments can record what they used.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

import yaml

from interdictor.reference.kb.cas import is_valid_cas
from interdictor.reference.kb.control import Control, control_problems
from interdictor.reference.kb.schema import (
    KB_MODELS,
    ControlDoc,
    EquipmentDoc,
    EquipmentFileDoc,
    HsDoc,
    LexiconDoc,
    StructureDoc,
    SubstanceDoc,
    SubstancesDoc,
)
from interdictor.typed_config import Strict, parse_as

# libyaml's loader when PyYAML was built with it: the same documents, eight times faster
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TIERS = ("controlled", "designer", "watch", "context", "lookalike", "drug")
LICENCES = ("list_i", "schedule_ii", "dea_452")
FILES = ("substances.yaml", "equipment.yaml", "hs.yaml", "lexicon.yaml", "structure.yaml")


class KnowledgeBaseError(ValueError):
    """The knowledge base files are inconsistent (every problem is listed)."""


@dataclass(frozen=True)
class OtherCas:
    cas: str
    form: str
    smiles: str | None = None


@dataclass(frozen=True)
class Substance:
    id: str
    name: str
    family: str
    tier: str
    smiles: str
    hs: str | None = None
    cas: str | None = None
    licence: str | None = None
    derivative_match: bool = True
    other_cas: tuple[OtherCas, ...] = ()
    abbreviations: tuple[str, ...] = ()
    abbreviations_ambiguous: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()
    names_zh: tuple[str, ...] = ()
    leads_to: tuple[str, ...] = ()
    control: tuple[Control, ...] = ()
    note: str | None = None

    @property
    def short(self) -> str:
        """The name an officer knows it by: its first abbreviation, else its name."""
        return (self.abbreviations or self.abbreviations_ambiguous or (self.name,))[0]

    def all_cas(self) -> tuple[str, ...]:
        return ((self.cas,) if self.cas else ()) + tuple(o.cas for o in self.other_cas)

    def listings(self) -> tuple[Control, ...]:
        """The sourced regulatory facts: the only ones evidence may state."""
        return tuple(c for c in self.control if c.sourced)

    def status(self) -> str:
        """'US List I since 2020-05-15 (85 FR 20822), …' from sourced facts only (or 'no sourced listing')."""
        return ", ".join(c.text() for c in self.listings()) or "no sourced listing"


@dataclass(frozen=True)
class DeclaredAs:
    words: tuple[str, ...]
    hs: tuple[str, ...]
    verified: bool
    by_weight: bool = False  # a weight per unit that fits the equipment corroborates these words


@dataclass(frozen=True)
class ModelSeries:
    series: tuple[str, ...]
    strong_series: tuple[str, ...]
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class Equipment:
    id: str
    name: str
    kind: str
    hs: tuple[str, ...]
    licence: str | None = None
    hs_note: str | None = None
    compose: tuple[tuple[tuple[str, ...], ...], ...] = ()
    phrases: tuple[str, ...] = ()
    names_zh: tuple[str, ...] = ()
    models: ModelSeries | None = None
    declared_as: tuple[DeclaredAs, ...] = ()
    unit_kg: tuple[float, float] | None = None  # plausible weight of one unit as shipped
    control: tuple[Control, ...] = ()

    def listings(self) -> tuple[Control, ...]:
        """The sourced regulatory facts: the only ones evidence may state."""
        return tuple(c for c in self.control if c.sourced)

    def fits_weight(self, kg: float | None) -> bool:
        """Does one unit of ``kg`` fit this equipment (False when either is unknown)?"""
        return kg is not None and self.unit_kg is not None and self.unit_kg[0] <= kg <= self.unit_kg[1]

    def all_phrases(self) -> list[str]:
        """Every phrase: the listed ones and each combination of the composed word groups."""
        out = list(self.phrases)
        for groups in self.compose:
            combos: list[str] = [""]
            for group in groups:
                combos = [f"{c} {w}".strip() for c in combos for w in group]
            out.extend(combos)
        return out


@dataclass(frozen=True)
class Heading:
    code: str  # "2933.37"
    role: str
    title: str
    substance: str | None = None
    equipment: str | None = None


@dataclass(frozen=True)
class GoodsClass:
    id: str
    chapters: tuple[str, ...]
    heading: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Alert:
    id: str
    smarts: str
    strength: str
    family: str
    leads_to: tuple[str, ...]
    meaning: str
    max_heavy_atoms: int | None = None


@dataclass(frozen=True)
class Rewrite:
    id: str
    smarts: str
    meaning: str
    check_share: bool = False


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    substances: tuple[Substance, ...]
    equipment: tuple[Equipment, ...]
    headings: dict[str, Heading]
    chemical_chapters: tuple[str, ...]
    equipment_chapters: tuple[str, ...]
    vague: dict[str, tuple[str, ...]]
    filler: tuple[str, ...]
    chemical_context: tuple[str, ...]
    classes: tuple[GoodsClass, ...]
    alerts: tuple[Alert, ...]
    rewrites: tuple[Rewrite, ...]
    similarity_review: float
    blockers: tuple[str, ...] = ()
    equipment_blockers: tuple[str, ...] = ()
    material_chapters: tuple[str, ...] = ()
    articles_by_material: tuple[str, ...] = ()
    generic_equipment: tuple[str, ...] = ()
    ordinary_use: tuple[str, ...] = ()
    name_families: dict[str, tuple[str, ...]] = field(default_factory=dict)
    flavour_trades: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    apparatus: tuple[str, ...] = ()
    by_id: dict[str, Substance] = field(default_factory=dict)
    by_cas: dict[str, Substance] = field(default_factory=dict)

    def substance(self, sid: str) -> Substance:
        return self.by_id[sid]

    def equipment_by_id(self, eid: str) -> Equipment:
        return next(e for e in self.equipment if e.id == eid)


def _control(c: ControlDoc) -> Control:
    return Control(c.jurisdiction, c.list, c.source, c.since, c.proposed, c.unverified)


def _substance(d: SubstanceDoc) -> Substance:
    return Substance(
        id=d.id, name=d.name, family=d.family, tier=d.tier, smiles=d.smiles, hs=d.hs, cas=d.cas, licence=d.licence,
        derivative_match=d.derivative_match,
        other_cas=tuple(OtherCas(o.cas, o.form, o.smiles) for o in d.other_cas),
        abbreviations=d.abbreviations, abbreviations_ambiguous=d.abbreviations_ambiguous, synonyms=d.synonyms,
        names_zh=d.names_zh, leads_to=d.leads_to, control=tuple(_control(c) for c in d.control), note=d.note,
    )


def _equipment(d: EquipmentDoc) -> Equipment:
    m = d.models
    return Equipment(
        id=d.id, name=d.name, kind=d.kind, hs=d.hs, licence=d.licence, hs_note=d.hs_note, compose=d.compose,
        phrases=d.phrases, names_zh=d.names_zh,
        models=ModelSeries(m.series, m.strong_series, m.numbers) if m else None,
        declared_as=tuple(DeclaredAs(a.words, a.hs, a.verified, a.by_weight) for a in d.declared_as),
        unit_kg=d.unit_kg, control=tuple(_control(c) for c in d.control),
    )


def _read(directory: Path | None, name: str) -> tuple[Any, bytes]:
    if directory is not None:
        data = (directory / name).read_bytes()
    else:
        data = resources.files("interdictor.reference.kb").joinpath(name).read_bytes()
    return yaml.load(data, Loader=SAFE_LOADER) or {}, data


def _typed(docs: dict[str, Any]) -> dict[str, Strict]:
    """Each file as its model (``schema.KB_MODELS``); every file's problems at once."""
    typed: dict[str, Strict] = {}
    found: list[str] = []
    for name in FILES:
        try:
            typed[name] = parse_as(KB_MODELS[name], docs.get(name) or {}, name, KnowledgeBaseError)
        except KnowledgeBaseError as exc:
            found.append(str(exc))
    if found:
        raise KnowledgeBaseError("\n".join(found))
    return typed


def parse_kb(docs: dict[str, Any], version: str = "kb") -> KnowledgeBase:
    """Build and check a knowledge base from the parsed YAML documents (keyed by file name)."""
    typed = _typed(docs)
    subs = cast(SubstancesDoc, typed["substances.yaml"])
    equip = cast(EquipmentFileDoc, typed["equipment.yaml"])
    hs = cast(HsDoc, typed["hs.yaml"])
    lex = cast(LexiconDoc, typed["lexicon.yaml"])
    struct = cast(StructureDoc, typed["structure.yaml"])
    substances = tuple(_substance(d) for d in subs.substances)
    equipment = tuple(_equipment(d) for d in equip.equipment)
    kb = KnowledgeBase(
        version=version,
        substances=substances,
        equipment=equipment,
        headings={code: Heading(code, h.role, h.title, h.substance, h.equipment) for code, h in hs.headings.items()},
        chemical_chapters=hs.chemical_chapters,
        equipment_chapters=hs.equipment_chapters,
        vague=dict(lex.vague),
        filler=lex.filler,
        chemical_context=lex.chemical_context,
        classes=tuple(GoodsClass(cid, c.chapters, c.heading, c.words) for cid, c in lex.classes.items()),
        alerts=tuple(
            Alert(a.id, a.smarts, a.strength, a.family, a.leads_to, a.meaning, a.max_heavy_atoms) for a in struct.alerts
        ),
        rewrites=tuple(Rewrite(r.id, r.smarts, r.meaning, r.check_share) for r in struct.rewrites),
        similarity_review=struct.similarity.review,
        blockers=subs.blockers,
        equipment_blockers=equip.blockers,
        material_chapters=hs.material_chapters,
        articles_by_material=hs.articles_by_material,
        generic_equipment=lex.generic_equipment,
        ordinary_use=lex.ordinary_use,
        name_families={k: tuple(v) for k, v in lex.name_families.items()},
        flavour_trades=lex.flavour_trades,
        colours=lex.colours,
        apparatus=lex.apparatus,
        by_id={s.id: s for s in substances},
        by_cas={c: s for s in substances for c in s.all_cas()},
    )
    problems = check_kb(kb)
    if problems:
        raise KnowledgeBaseError("knowledge base is inconsistent:\n  - " + "\n  - ".join(problems))
    return kb


def check_kb(kb: KnowledgeBase) -> list[str]:
    """Every consistency problem at once (chemistry is checked by the tests, which have RDKit)."""
    problems: list[str] = []
    seen: set[str] = set()
    for s in kb.substances:
        if s.id in seen:
            problems.append(f"substance {s.id}: id defined twice")
        seen.add(s.id)
        if s.tier not in TIERS:
            problems.append(f"substance {s.id}: tier {s.tier!r} is not one of {', '.join(TIERS)}")
        if s.licence is not None and s.licence not in LICENCES:
            problems.append(f"substance {s.id}: licence {s.licence!r} is not one of {', '.join(LICENCES)}")
        for cas in s.all_cas():
            if not is_valid_cas(cas):
                problems.append(f"substance {s.id}: CAS {cas} fails its check digit")
        for target in s.leads_to:
            if target not in kb.by_id:
                problems.append(f"substance {s.id}: leads_to names unknown substance {target!r}")
        problems += [f"substance {s.id}: {p}" for c in s.control for p in control_problems(c)]
        for n in (*s.synonyms, *s.abbreviations, *s.abbreviations_ambiguous, *s.names_zh):
            if len(n.strip()) < (2 if any("\u3400" <= c <= "\u9fff" for c in n) else 3):
                problems.append(f"substance {s.id}: name {n!r} is too short (a YAML list split on a comma?)")
    for code, h in kb.headings.items():
        if h.substance and h.substance not in kb.by_id:
            problems.append(f"heading {code}: unknown substance {h.substance!r}")
        if h.equipment and h.equipment not in {e.id for e in kb.equipment}:
            problems.append(f"heading {code}: unknown equipment {h.equipment!r}")
    for e in kb.equipment:
        if e.unit_kg is not None and not 0 < e.unit_kg[0] < e.unit_kg[1]:
            problems.append(f"equipment {e.id}: unit_kg {list(e.unit_kg)} must be [low, high] with 0 < low < high")
        problems += [f"equipment {e.id}: {p}" for c in e.control for p in control_problems(c)]
    for a in kb.alerts:
        for target in a.leads_to:
            if target not in kb.by_id:
                problems.append(f"alert {a.id}: leads_to names unknown substance {target!r}")
    return problems


def load_kb_from(directory: Path | None = None) -> KnowledgeBase:
    """Read the knowledge base from ``directory`` (default: the files shipped with the package)."""
    docs: dict[str, Any] = {}
    digest = hashlib.sha256()
    versions = []
    for name in FILES:
        raw, data = _read(directory, name)
        docs[name] = raw
        digest.update(data)
        versions.append(str(raw.get("version", "?")) if isinstance(raw, dict) else "?")
    return parse_kb(docs, version=f"kb-{'.'.join(versions)}-{digest.hexdigest()[:10]}")


@lru_cache(maxsize=1)
def load_kb() -> KnowledgeBase:
    """The shipped knowledge base (read once per process; it is immutable)."""
    return load_kb_from(None)


def hs_dotted(code: str | None) -> str | None:
    """'293337' / '2933.37.00' / '2933 37' → '2933.37'; None when fewer than six digits."""
    if not code:
        return None
    digits = "".join(ch for ch in code if ch.isdigit())
    return f"{digits[:4]}.{digits[4:6]}" if len(digits) >= 6 else None
