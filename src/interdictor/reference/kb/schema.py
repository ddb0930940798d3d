"""The shape of each knowledge-base file: strict models, so a misspelt key stops the load and is named.

``parse_kb`` checks each file against its model once per load and builds the knowledge base from the
parsed models; the consistency rules (tiers, CAS check digits, cross references, regulatory facts)
are ``check_kb``'s.  ``PriorsDoc`` is ``profiles.yaml``, read by the goods screen's value and weight
profiles.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from interdictor.typed_config import Strict, Texts


def _since(v: object) -> object:
    """YAML reads an unquoted 2020-05-15 as a date and 2017 as a number: both become text."""
    if isinstance(v, date):
        return v.isoformat()
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


# a file's own version label (a number, by custom); the knowledge base's version names each
Version = int | str | None


class ControlDoc(Strict):
    """One regulatory fact (``control.Control``; its load rules are ``control_problems``)."""

    jurisdiction: str = ""
    list: str = ""
    source: str | None = None
    since: Annotated[str | None, BeforeValidator(_since)] = None
    proposed: bool = False
    unverified: str | None = None


class OtherCasDoc(Strict):
    cas: str
    form: str
    smiles: str | None = None
    verify: str | None = None  # an analyst's flag: why this CAS number is not checked yet ("memory")


class SubstanceDoc(Strict):
    id: str
    name: str
    family: str
    tier: str
    smiles: str
    hs: str | None = None
    cas: str | None = None
    cas_verify: str | None = None  # an analyst's flag: why ``cas`` is not checked yet
    licence: str | None = None
    derivative_match: bool = True
    other_cas: tuple[OtherCasDoc, ...] = ()
    abbreviations: Texts = ()
    abbreviations_ambiguous: Texts = ()
    synonyms: Texts = ()
    names_zh: Texts = ()
    leads_to: Texts = ()
    control: tuple[ControlDoc, ...] = ()
    note: str | None = None


class SubstancesDoc(Strict):
    """``substances.yaml``."""

    version: Version = None
    substances: tuple[SubstanceDoc, ...] = ()
    blockers: Texts = ()


class ModelsDoc(Strict):
    series: Texts
    strong_series: Texts = ()
    numbers: Texts


class DeclaredAsDoc(Strict):
    words: Texts
    hs: Texts = ()
    verified: bool = False
    by_weight: bool = False


class EquipmentDoc(Strict):
    id: str
    name: str
    kind: str
    hs: Texts = ()
    licence: str | None = None
    hs_note: str | None = None
    compose: tuple[tuple[Texts, ...], ...] = ()
    phrases: Texts = ()
    names_zh: Texts = ()
    models: ModelsDoc | None = None
    declared_as: tuple[DeclaredAsDoc, ...] = ()
    unit_kg: tuple[float, float] | None = None
    control: tuple[ControlDoc, ...] = ()


class EquipmentFileDoc(Strict):
    """``equipment.yaml``."""

    version: Version = None
    equipment: tuple[EquipmentDoc, ...] = ()
    blockers: Texts = ()


class HeadingDoc(Strict):
    role: str
    title: str
    substance: str | None = None
    equipment: str | None = None


class HsDoc(Strict):
    """``hs.yaml``: headings by their dotted code."""

    version: Version = None
    chemical_chapters: Texts = ()
    equipment_chapters: Texts = ()
    material_chapters: Texts = ()
    articles_by_material: Texts = ()
    headings: dict[str, HeadingDoc] = Field(default_factory=dict)


class GoodsClassDoc(Strict):
    chapters: Texts
    heading: str
    words: Texts


class LexiconDoc(Strict):
    """``lexicon.yaml``: word families (``vague``) and classes of ordinary goods by their own name."""

    version: Version = None
    vague: dict[str, Texts] = Field(default_factory=dict)
    filler: Texts = ()
    chemical_context: Texts = ()
    generic_equipment: Texts = ()
    ordinary_use: Texts = ()
    name_families: dict[str, Texts] = Field(default_factory=dict)
    flavour_trades: Texts = ()
    colours: Texts = ()
    apparatus: Texts = ()
    classes: dict[str, GoodsClassDoc] = Field(default_factory=dict)


class AlertDoc(Strict):
    id: str
    smarts: str
    strength: str = "strong"
    family: str
    leads_to: Texts = ()
    meaning: str
    max_heavy_atoms: int | None = None


class RewriteDoc(Strict):
    id: str
    smarts: str
    meaning: str
    check_share: bool = False


class SimilarityDoc(Strict):
    # the fingerprint is fixed in code (screen/goods/chem.py); the file states it, it cannot change it
    radius: Literal[2] = 2
    bits: Literal[2048] = 2048
    review: float = Field(default=0.6, ge=0, le=1)


class StructureDoc(Strict):
    """``structure.yaml``: substructure alerts, unmasking rewrites and the similarity threshold."""

    version: Version = None
    alerts: tuple[AlertDoc, ...] = ()
    rewrites: tuple[RewriteDoc, ...] = ()
    similarity: SimilarityDoc = SimilarityDoc()


# a prior: the median and the spread of a log10 metric
Prior = tuple[float, float]


class PriorDoc(Strict):
    usd_per_kg: Prior | None = None
    kg_per_unit: Prior | None = None
    kg_per_piece: Prior | None = None


class PriorsDoc(Strict):
    """``profiles.yaml``: cold-start priors per HS chapter or heading."""

    version: Version = None
    default: PriorDoc = PriorDoc()
    profiles: dict[str, PriorDoc] = Field(default_factory=dict)


# each file of the knowledge base and its model
KB_MODELS: dict[str, type[Strict]] = {
    "substances.yaml": SubstancesDoc,
    "equipment.yaml": EquipmentFileDoc,
    "hs.yaml": HsDoc,
    "lexicon.yaml": LexiconDoc,
    "structure.yaml": StructureDoc,
    "profiles.yaml": PriorsDoc,
}
