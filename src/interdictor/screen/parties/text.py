"""Folding party names into comparable tokens.

A name goes through: Unicode compatibility folding; Chinese terms from the
vocabulary replaced by their canonical tokens (有限公司 -> ltd, 河北 -> hebei);
the remaining Chinese romanised as pinyin (one token per run of characters, or
family name + given name for a personal name); every other script romanised;
case folded; dotted initialisms joined (L.L.C. -> llc); apostrophes dropped
(Qa'ida -> qaida); everything else that is not a letter or digit split on.
Token sequences found in the vocabulary are then replaced by one canonical token
carrying its kind (legal form, generic trade word, place, particle); stop words
and titles are dropped.  What is left with kind ``name`` is what identifies a
party, and only those tokens ever select a watchlist candidate.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from interdictor.screen.parties.vocab import DROPPED, TYPO_MIN, Vocab, compile_vocab, default_raw

NAME: Final = "name"

_HAN = "\u3400-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(f"[{_HAN}]+")
_HAS_HAN = re.compile(f"[{_HAN}]")
_APOSTROPHES = re.compile(r"['’‘`´ʼʻ]")
_INITIALISM = re.compile(r"(?<![a-z0-9])((?:[a-z]\.){2,}[a-z]?)(?![a-z0-9])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_MAX_HAN_VARIANTS: Final = 4


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name folded into tokens, each with its kind (``name`` or a vocabulary kind)."""

    raw: str
    tokens: tuple[str, ...]
    kinds: tuple[str, ...]
    surface: tuple[str, ...] = ()  # each token as written (folded), before the vocabulary

    @property
    def distinctive(self) -> tuple[str, ...]:
        return tuple(t for t, k in zip(self.tokens, self.kinds, strict=True) if k == NAME)

    @property
    def key(self) -> str:
        """Canonical text: equal keys mean equal names for matching purposes."""
        return " ".join(self.tokens)

    def __bool__(self) -> bool:
        return bool(self.tokens)


def _fold_ascii(text: str) -> list[str]:
    s = anyascii(text).lower() if not text.isascii() else text.lower()
    s = s.replace("&", " and ")
    s = _APOSTROPHES.sub("", s)
    s = _INITIALISM.sub(lambda m: m.group(1).replace(".", ""), s)
    return [t for t in _NON_ALNUM.split(s) if t]


def fold_tokens(text: str) -> list[str]:
    """Fold any text to lower-case ASCII tokens (no vocabulary applied)."""
    text = unicodedata.normalize("NFKC", text)
    if _HAS_HAN.search(text):
        text = _HAN_RUN.sub(lambda m: " " + "".join(_pinyin(m.group(0))[0]) + " ", text)
    return _fold_ascii(text)


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    return compile_vocab(default_raw(), fold_tokens)


def _pinyin(run: str) -> list[list[str]]:
    """Romanisations of a run of Chinese characters: the usual reading first, then
    readings of characters with several (长: chang / zhang), at most a few."""
    from pypinyin import Style, pinyin  # heavy import, only when Chinese text appears

    readings = pinyin(run, style=Style.NORMAL, heteronym=True, errors="ignore")
    choices = [list(dict.fromkeys(r))[:2] for r in readings if r]
    combos = itertools.islice(itertools.product(*choices), _MAX_HAN_VARIANTS)
    return [list(c) for c in combos] or [[]]


def _replacer(parts: Iterator[str]) -> Callable[[re.Match[str]], str]:
    return lambda _m: next(parts)


def _romanise_han(text: str, v: Vocab) -> list[str]:
    """Chinese text to romanised variants (usually one)."""
    for term, (_kind, canon) in v.han_terms.items():
        if term in text:
            text = text.replace(term, f" {canon} ")
    runs = _HAN_RUN.findall(text)
    if not runs:
        return [text]
    # A personal name written only in Chinese: family name, then given name.
    personal = len(runs) == 1 and 2 <= len(runs[0]) <= 4 and runs[0][0] in v.han_surnames
    personal = personal and not _NON_ALNUM.sub("", _HAN_RUN.sub("", text.lower()))
    per_run = []
    for run in runs:
        options = []
        for syllables in _pinyin(run):
            if personal and len(syllables) >= 2:
                options.append(f" {syllables[0]} {''.join(syllables[1:])} ")
            else:
                options.append(f" {''.join(syllables)} ")
        per_run.append(options)
    out = []
    for combo in itertools.islice(itertools.product(*per_run), _MAX_HAN_VARIANTS):
        out.append(_HAN_RUN.sub(_replacer(iter(combo)), text))
    return out


_UNITS: Final = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS: Final = {
    w: 10 * (i + 2)
    for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])
} | {"fourty": 40}
_ORDINALS: Final = {
    w: i + 1
    for i, w in enumerate(
        ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
    )
}
_ORDINAL_DIGITS = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
NUMBER_WORDS: Final = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_ORDINALS)  # read as digits


def _numbers(toks: list[str]) -> list[str]:
    """Number words and ordinals to digits: "forty four" and "forty 4" -> 44, "1st" -> 1."""
    out: list[str] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        m = _ORDINAL_DIGITS.match(t)
        if m:
            out.append(m.group(1))
        elif t in _ORDINALS:
            out.append(str(_ORDINALS[t]))
        elif t in _TENS:
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            unit = (
                _UNITS.get(nxt) if nxt in _UNITS else (int(nxt) if nxt.isdigit() and len(nxt) == 1 else None)
            )
            if unit is not None and 0 < unit < 10:
                out.append(str(_TENS[t] + unit))
                i += 1
            else:
                out.append(str(_TENS[t]))
        elif t in _UNITS:
            out.append(str(_UNITS[t]))
        else:
            out.append(t)
        i += 1
    return out


def _classify(raw: str, toks: list[str], v: Vocab) -> NameForm:
    toks = _numbers(toks)
    form, at = _read(raw, toks, v)
    fixed = _typo_fix(form, at)
    if fixed:  # read again with the words put right, so that a phrase they belong to is found too
        form, _at = _read(raw, [fixed.get(i, t) for i, t in enumerate(toks)], v)
    return form


def _read(raw: str, toks: list[str], v: Vocab) -> tuple[NameForm, list[int]]:
    """The tokens read against the vocabulary, and where in ``toks`` each token starts."""
    tokens: list[str] = []
    kinds: list[str] = []
    surface: list[str] = []
    at: list[int] = []
    i = 0
    n = len(toks)
    while i < n:
        for size in range(min(v.max_len, n - i), 0, -1):
            key = tuple(toks[i : i + size])
            hit = v.phrases.get(key)
            if hit is None and i + size == n and n >= 3 and _may_be_cut(key, kinds):
                hit = v.truncated.get(key)
            if hit is None and size == 1 and len(key[0]) >= 7:
                hit = _fuzzy_word(key[0])
            if hit is not None:
                kind, canon = hit
                if kind not in DROPPED:
                    tokens.append(canon)
                    kinds.append(kind)
                    surface.append("".join(key))
                    at.append(i)
                i += size
                break
        else:
            tokens.append(toks[i])
            kinds.append(NAME)
            surface.append(toks[i])
            at.append(i)
            i += 1
    return NameForm(raw, tuple(tokens), tuple(kinds), tuple(surface)), at


ORG_KINDS: Final = frozenset({"legal", "generic"})
CONTEXT_KINDS: Final = frozenset({"legal", "generic", "place"})


def _typo_fix(form: NameForm, at: list[int]) -> dict[int, str]:
    """Name tokens of five letters or more one edit (a letter dropped, added, changed or two swapped) from a
    legal form, trade word or place of the vocabulary, to be read as that word ("Xinyu Trding" -> trading,
    "Zhejaing" -> zhejiang, "Joint Stock Copmany" -> company): in a name that already has such a word, and
    only while another name token is left, so that a person's name ("Sharon Stone") and a list name's one
    distinctive word keep theirs.  Returns {position in the tokens read: the word}."""
    if not any(k in CONTEXT_KINDS for k in form.kinds):
        return {}
    names = [i for i, k in enumerate(form.kinds) if k == NAME and len(form.tokens[i]) > 1]
    slips = {at[i]: w for i in names if (w := typo_word(form.tokens[i])) is not None}
    return slips if len(names) - len(slips) >= 1 else {}


@lru_cache(maxsize=65_536)
def typo_word(token: str) -> str | None:
    """The vocabulary word (``Vocab.typo_words``) ``token`` is one edit from, when the words it is one edit
    from all read as one (kind, canonical); None otherwise, or for a short token or one of the vocabulary."""
    v = vocab()
    if len(token) < TYPO_MIN or not token.isalpha() or (token,) in v.phrases:
        return None
    found = sorted(w for w, _d, _i in process.extract(token, v.typo_words, scorer=OSA.distance, score_cutoff=1,
                                                       limit=None))
    return found[0] if found and len({v.phrases[(w,)] for w in found}) == 1 else None


PERSON_SLIP_MIN: Final = 6  # a token and a legal form or trade word this long one edit apart: maybe not a person


@lru_cache(maxsize=65_536)
def _org_slip(token: str) -> bool:
    """Whether ``token`` may be a legal form or trade word of PERSON_SLIP_MIN letters or more written with one
    edit ("trding", "chemcal"); shorter words ("store", "trade") are too near too many surnames to tell."""
    v = vocab()
    if len(token) < PERSON_SLIP_MIN:
        return False
    words = [w for w in v.typo_words if len(w) >= PERSON_SLIP_MIN and v.phrases[(w,)][0] in ORG_KINDS]
    return bool(process.extractOne(token, words, scorer=OSA.distance, score_cutoff=1))


def party_kind(form: NameForm) -> str:
    """``org`` for a name with a legal form or trade word, ``person`` for two or more name tokens and
    particles with none that may be a legal form or trade word written with a slip ("Xiuna Trding";
    ``_org_slip``), else ``unknown``."""
    if any(k in ORG_KINDS for k in form.kinds):
        return "org"
    names = [t for t, k in zip(form.tokens, form.kinds, strict=True) if k == NAME]
    if len(names) < 2 or any(k not in (NAME, "particle") for k in form.kinds):
        return "unknown"
    if any(_org_slip(t) for t in names):
        return "unknown"
    return "person"


CUT_ALONE_MIN: Final = 6  # letters a last word cut short keeps to be read as a trade word with no other sign


def _may_be_cut(key: tuple[str, ...], kinds: list[str]) -> bool:
    """Whether the last words of a name may be a legal form or trade word cut short ("Co., Lim", "Makro
    Grupp"): a phrase of several words, a long cut, or a name that already has a legal form or trade
    word — not a surname at the end of a person's name ("Thomas L. Tran" is not "Thomas L. Transport")."""
    return len(key) > 1 or len(key[0]) >= CUT_ALONE_MIN or any(k in ("legal", "generic") for k in kinds)


@lru_cache(maxsize=65_536)
def _fuzzy_word(token: str) -> tuple[str, str] | None:
    """A long legal form or trade word written with one slip ("Aktiengeselschaft", "Biotechnolgy")."""
    v = vocab()
    found = process.extractOne(
        token, v.fuzzy_words, scorer=Levenshtein.normalized_similarity, score_cutoff=0.88
    )
    return v.phrases[(found[0],)] if found else None


@lru_cache(maxsize=262_144)
def name_variants(raw: str) -> tuple[NameForm, ...]:
    """All folded readings of a name (several only for Chinese with polyphones)."""
    v = vocab()
    text = unicodedata.normalize("NFKC", raw or "")
    texts = _romanise_han(text, v) if _HAS_HAN.search(text) else [text]
    out: list[NameForm] = []
    seen: set[str] = set()
    for t in texts:
        form = _classify(raw, _fold_ascii(t), v)
        if form.key not in seen:
            seen.add(form.key)
            out.append(form)
    return tuple(out)


def normalise(raw: str) -> NameForm:
    """The usual folded reading of a name."""
    return name_variants(raw)[0]
