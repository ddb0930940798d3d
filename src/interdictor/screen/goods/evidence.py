"""Plain-words evidence: what the item is, why it is controlled or suspect, what matched.

Only sourced knowledge-base facts are stated (``Substance.listings``): a listing the notes hold from
memory or by inference is kept for analysts but never shown, and no date is given that its source
does not give.
"""

from __future__ import annotations

import re

from interdictor.reference.kb import Equipment, KnowledgeBase, Substance

WEIGHTS: dict[str, float] = {
    "GOODS_PRECURSOR_NAME": 70,
    "GOODS_CAS_MATCH": 75,
    "GOODS_HS_PRECURSOR_HEADING": 60,
    "GOODS_STRUCTURE_MATCH": 75,
    "GOODS_CONTROLLED_DRUG": 80,
    "GOODS_DESIGNER_PRECURSOR": 55,
    "GOODS_WATCH_CHEMICAL": 40,
    "GOODS_DUAL_USE_CHEMICAL": 10,
    "GOODS_FLAVOUR_LOOKALIKE": 20,
    "GOODS_STRUCTURE_ALERT": 55,
    "GOODS_STRUCTURE_SIMILAR": 30,
    "GOODS_CAS_NEAR_MISS": 40,
    "GOODS_CAS_INVALID": 5,
    "GOODS_VAGUE_DESCRIPTION": 15,
    "GOODS_VAGUE_CHEMICAL": 25,
    "GOODS_SAMPLE_WEIGHT": 30,
    "GOODS_HS_WATCHED": 15,
    "GOODS_HS_MISMATCH": 40,
    "GOODS_VALUE_PROFILE": 30,
    "GOODS_WEIGHT_PROFILE": 30,
    "GOODS_VALUE_FOR_WORDS": 25,
    "GOODS_WEIGHT_FOR_WORDS": 30,
    "GOODS_DESC_CODE_MISFIT": 20,
    "EQUIP_TOOLING_TO_PRIVATE": 45,
    "GOODS_GLYCIDATE_BULK": 50,
    "EQUIP_PRESS": 60,
    "EQUIP_ENCAPSULATOR": 60,
    "EQUIP_DIES": 65,
    "EQUIP_PARTS": 55,
    "EQUIP_MODEL": 40,
    "EQUIP_DECLARED_AS": 20,
    "LICENCE_NOT_NOTIFIED": 80,
    "LICENCE_NOTIFIED": 5,
    "NOTIFIED_TRADE": 5,
    "NOTIFIED_TRADE_DIVERTED": 60,
}
# codes with a floor in the rule set: never emitted for an item a notified transaction covers
FLOOR_CODES = frozenset({"LICENCE_NOT_NOTIFIED", "EQUIP_DIES", "EQUIP_PARTS", "EQUIP_TOOLING_TO_PRIVATE"})
TIER_CODE = {
    "controlled": "GOODS_PRECURSOR_NAME",
    "drug": "GOODS_CONTROLLED_DRUG",
    "designer": "GOODS_DESIGNER_PRECURSOR",
    "watch": "GOODS_WATCH_CHEMICAL",
    "context": "GOODS_DUAL_USE_CHEMICAL",
    "lookalike": "GOODS_FLAVOUR_LOOKALIKE",
}
EQUIP_CODE = {"press": "EQUIP_PRESS", "encapsulator": "EQUIP_ENCAPSULATOR", "tooling": "EQUIP_DIES", "parts": "EQUIP_PARTS"}
TIER_WHY = {
    "controlled": "a listed precursor",
    "drug": "a controlled drug",
    "designer": "a designer/alternative precursor (a close relative made to dodge the lists)",
    "watch": "a precursor under rulemaking",
    "context": "a dual-use bulk chemical (context only)",
    "lookalike": "a legitimate chemical easily confused with a precursor",
}
# the role alone, for a substance none of whose listings has a source: no claim that it is listed
ROLE = {**TIER_WHY, "controlled": "a precursor"}


def quote(text: str | None, limit: int = 80) -> str:
    t = " ".join((text or "").split()).replace("|", "/")
    return f"'{t[: limit - 1]}…'" if len(t) > limit else f"'{t}'"


def plain_name(s: Substance) -> str:
    """The name without a trailing parenthetical: 'Ethyl methylphenylglycidate'."""
    return re.sub(r"\s+\(.*\)$", "", s.name)


def label(s: Substance) -> str:
    """'NPP (N-Phenethyl-4-piperidone, CAS 39742-60-4)'."""
    name = plain_name(s)
    parts = [name] if s.short.lower() != name.lower() else []
    if s.cas:
        parts.append(f"CAS {s.cas}")
    return f"{s.short} ({', '.join(parts)})" if parts else s.short


def listing(s: Substance | Equipment) -> str:
    """The sourced regulatory facts, each with its citation ('' when none has a source)."""
    return ", ".join(c.text() for c in s.listings())


def standing(s: Substance) -> str:
    """What may be said of a substance's control: its sourced listings, else only its role."""
    return listing(s) or ROLE.get(s.tier, s.tier)


def why(kb: KnowledgeBase, s: Substance) -> str:
    listed = listing(s)
    text = f"{TIER_WHY.get(s.tier, s.tier)}; {listed}" if listed else ROLE.get(s.tier, s.tier)
    if s.leads_to:
        text += "; leads to " + ", ".join(kb.substance(t).short for t in s.leads_to)
    if s.tier == "lookalike" and s.note:
        text += ". " + s.note
    return text


def matched(how: str, display: str, view: str, typo: str | None) -> str:
    kind = {
        "name": "name", "synonym": "synonym", "abbreviation": "abbreviation", "ambiguous": "abbreviation",
        "chinese": "Chinese name", "pinyin": "pinyin of the Chinese name",
    }.get(how, how)
    text = f"matched {kind} '{display}'"
    if view == "skeleton":
        text += " (allowing for spelling variants)"
    elif view == "compact":
        text += " (written with its words split or run together)"
    elif view == "fuzzy":
        text += f" despite the misspelling '{typo}'" if typo else " (typo-tolerant)"
    if how == "ambiguous":
        text += " (an abbreviation with other meanings, read as the chemical because the line is chemical)"
    return text


def equipment_found(e: Equipment, desc: str | None, how: str, display: str, model_only: bool) -> str:
    """A line that names a press, an encapsulator, tooling or parts (or only a model series)."""
    if model_only:
        return f"description {quote(desc)} names model '{display}', a {e.name.lower()} series (watch-word, not proof)"
    need = "".join(f" — {c.text()}" for c in e.listings())
    level = " — punches, dies and press parts are exam-level" if e.kind in ("tooling", "parts") else ""
    article = "" if e.kind in ("tooling", "parts") else "a "
    return (f"description {quote(desc)} is {article}{e.name.lower()}{need}{level}; "
            f"matched {'model' if how == 'model' else 'words'} '{display}'")


def declared_instead(e: Equipment, display: str, hs6: str, title: str, published: bool, support: str) -> str:
    """Words a press or die is declared as instead; ``published`` when a public case shows the pattern."""
    flag = "" if published else " (a heuristic: no published case)"
    return f"'{display}' under HS {hs6} ({title}) is a way a {e.name.lower()} is declared instead{flag}; {support}"
