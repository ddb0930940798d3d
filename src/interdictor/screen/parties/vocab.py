"""The name vocabulary (``data/vocab.yaml``) compiled for the normaliser.

Forms are folded with the same function as names, so the vocabulary and the
names it classifies can never drift apart.  Forms written in Chinese characters
are kept apart: they are replaced inside Chinese text before it is romanised.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Any, Final

import yaml
from pydantic import Discriminator, Tag

from interdictor.reference import countries
from interdictor.typed_config import LIST, MAPPING, Strict, Texts, parse_as, shape_of

KINDS: Final = ("legal", "generic", "place", "particle", "stop", "title")
# A token this long may be a legal form, trade word or place written with one edit (text._typo_pass).
TYPO_MIN: Final = 5
TYPO_KINDS: Final = frozenset({"legal", "generic", "place"})
# Kinds that are dropped from the token list entirely.
DROPPED: Final = frozenset({"stop", "title"})


# a kind's forms: a plain list, or canonical token: its forms (a key starting "_" holds a plain list)
Forms = Annotated[
    Annotated[dict[str, Texts], Tag(MAPPING)] | Annotated[Texts, Tag(LIST)], Discriminator(shape_of)
]


class VocabDoc(Strict):
    """``data/vocab.yaml``: the kinds of name words and the country options."""

    legal: Forms = ()
    generic: Forms = ()
    place: Forms = ()
    particle: Forms = ()
    stop: Forms = ()
    title: Forms = ()
    countries_as_places: bool = False
    countries_not_places: Texts = ()
    han_surnames: str = ""


@dataclass(frozen=True)
class Vocab:
    phrases: Mapping[tuple[str, ...], tuple[str, str]]  # folded token sequence -> (kind, canonical)
    han_terms: Mapping[str, tuple[str, str]]  # Chinese form -> (kind, canonical)
    han_surnames: frozenset[str]
    max_len: int
    # A phrase whose last word is cut short ("Joint Stock Compan", "Co., Lim"): field
    # length limits truncate names at the end, and the cut mostly falls in the suffix.
    truncated: Mapping[tuple[str, ...], tuple[str, str]]
    # Single-word legal forms and trade words long enough to recognise with a typo.
    fuzzy_words: tuple[str, ...]
    # Single words of TYPO_MIN letters or more — legal forms, trade words and the places the vocabulary
    # names itself by their own names (not old spellings such as "canton", not the country list, not the
    # everyday words of a plain list: "river", "royal") — that a name's token one edit away may stand for ("trding",
    # "chemcal", "zhejaing") when the name has other words of the vocabulary (``text._typo_pass``).
    typo_words: tuple[str, ...] = ()

    def kind_of(self, canon: str) -> str | None:
        hit = self.phrases.get((canon,))
        return hit[0] if hit else None


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def compile_vocab(raw: Mapping[str, Any], fold_tokens: Callable[[str], list[str]]) -> Vocab:
    """Compile the raw YAML mapping; ``fold_tokens`` is the name folder (text.fold_tokens)."""
    phrases: dict[tuple[str, ...], tuple[str, str]] = {}
    han: dict[str, tuple[str, str]] = {}
    plain: set[tuple[str, ...]] = set()  # the words of plain lists inside a kind (everyday words: "river")

    def add(kind: str, canon: str, form: str) -> None:
        form = str(form)
        if any(_is_han(c) for c in form):
            han.setdefault(form, (kind, canon))
            return
        toks = tuple(fold_tokens(form))
        if toks:
            # First definition wins: the YAML is ordered from most to least specific.
            phrases.setdefault(toks, (kind, canon))

    for kind in KINDS:
        spec = raw.get(kind) or {}
        if isinstance(spec, list):  # a plain list: each form is its own canonical token
            for form in spec:
                toks = fold_tokens(str(form))
                add(kind, "".join(toks) or str(form), str(form))
        else:
            for canon, forms in spec.items():
                if str(canon).startswith("_"):  # a plain word list inside a kind
                    for form in forms or []:
                        toks = fold_tokens(str(form))
                        add(kind, "".join(toks) or str(form), str(form))
                        plain.add(tuple(toks))
                    continue
                add(kind, str(canon), str(canon))
                for form in forms or []:
                    add(kind, str(canon), form)
    typo = tuple(sorted({
        t[0] for t, (kind, canon) in phrases.items()
        if len(t) == 1 and len(t[0]) >= TYPO_MIN and t[0].isalpha() and kind in TYPO_KINDS and t not in plain
        and (kind != "place" or t[0] == canon)  # a place by its own name, not an old spelling ("canton")
    }))
    if raw.get("countries_as_places"):
        excluded = {str(x) for x in raw.get("countries_not_places") or []}
        for country in _country_names():
            toks = fold_tokens(country)
            if 1 <= len(toks) <= 3 and "".join(toks) not in excluded:
                phrases.setdefault(tuple(toks), ("place", "".join(toks)))
    # Canonical tokens must classify as their own kind (they are what the text holds
    # after a Chinese term or a multi-word phrase is replaced).
    for kind, canon in list(phrases.values()) + list(han.values()):
        phrases.setdefault((canon,), (kind, canon))
    truncated: dict[tuple[str, ...], tuple[str, str]] = {}
    for phrase, hit in phrases.items():
        if hit[0] not in ("legal", "generic"):
            continue
        last = phrase[-1]
        # One cut letter short of nothing is too little to go on alone; after another
        # word of the phrase ("Co., Lim") three letters are enough.
        for cut in range(3 if len(phrase) > 1 else 4, len(last)):
            key = (*phrase[:-1], last[:cut])
            if key not in phrases:
                truncated.setdefault(key, hit)
    fuzzy = tuple(
        sorted(
            t[0]
            for t, (kind, _c) in phrases.items()
            if len(t) == 1 and len(t[0]) >= 7 and kind in ("legal", "generic")
        )
    )
    surnames = frozenset(str(raw.get("han_surnames", "")).replace(" ", ""))
    return Vocab(
        phrases=phrases,
        han_terms=dict(sorted(han.items(), key=lambda kv: -len(kv[0]))),
        han_surnames=surnames,
        max_len=max((len(k) for k in phrases), default=1),
        truncated=truncated,
        fuzzy_words=fuzzy,
        typo_words=typo,
    )


@cache
def _country_names() -> list[str]:
    return [n for n in countries.english_names() if "," not in n and "(" not in n]


@cache
def default_raw() -> dict[str, Any]:
    text = resources.files("interdictor.screen.parties").joinpath("data", "vocab.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    parse_as(VocabDoc, raw, "vocab.yaml", ValueError)  # a misspelt key is an error naming it
    return raw  # type: ignore[no-any-return]
