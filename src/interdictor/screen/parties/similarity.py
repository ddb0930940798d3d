"""How alike two folded names are, and why.

Tokens of the two names are aligned one to one, best pairs first (a token may
also match two or three adjacent tokens run together: "SiemensAG", "Patr ushev").
Each kind of token weighs differently: a distinctive name token counts fully, a
generic trade word, a place, a particle or a legal form much less.  What is left
unaligned decides the rest:

* an *extra* — a token only one side has (a middle name, a dropped "Trading") —
  costs a little, because names grow and shrink;
* a *conflict* — both sides have a token the other lacks (Boris *Geoffrey* Johnson
  vs *Alexandre* Boris Johnson; Hassan Dahir *Farah* vs Hassan Dahir *Aweys*) —
  costs a lot, because it is what tells two different parties apart.

A comparison without at least one aligned pair of distinctive tokens scores 0:
"Global Trading Co., Ltd" is never the same party as "Shanghai Trading Co., Ltd"
however alike their words are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from rapidfuzz.distance import Levenshtein

from interdictor.screen.parties.text import NAME, NameForm

# Chosen on one half of the labelled name pairs (bench/names.py); the other
# half reports the result.  Change them only with the benchmark.
KIND_WEIGHTS: Final = {NAME: 1.0, "generic": 0.35, "place": 0.3, "particle": 0.2, "legal": 0.1}


# The score from which a name is taken for a list entry.  Chosen on half A of the
# labelled pairs (bench/names.py prints it as "tuned on A").
DEFAULT_THRESHOLD: Final = 0.75
# Below the threshold but this close: reported as a possible match with a small
# weight (a supplier that changed its trade words: "Cemo Logistics" for "Cemo
# Technology Develop Co."), so it counts only together with other signs.
DEFAULT_POSSIBLE: Final = 0.68


@dataclass(frozen=True)
class Params:
    align_min: float = 0.6  # token similarity below which two tokens are not aligned
    agree_lo: float = 0.4  # token similarity that means no agreement at all ...
    agree_hi: float = 0.9  # ... and the similarity from which it is full agreement
    conflict: float = 0.35  # share of the score lost per unit weight of conflicting tokens
    extra_person: float = 0.3  # cost per unit weight of a token only one side has (people)
    extra_org: float = 0.5  # same for organisations (names with a legal form or trade word)
    phonetic: float = 0.95  # factor on the similarity of phonetic keys (Usama / Osama)
    initial_sim: float = 0.9  # an initial against a name starting with that letter
    initial_weight: float = 0.5  # an initial weighs this much of a full name token
    cross_kind: float = 0.9  # factor when a name token aligns with a vocabulary token
    lineage: float = 1.0  # conflict per name read across "bin" the other way round (Salman bin Muhammad)


DEFAULT_PARAMS: Final = Params()


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    sim: float
    kind: str


@dataclass(frozen=True)
class Comparison:
    score: float
    pairs: tuple[Pair, ...] = ()
    left_only: tuple[str, ...] = ()
    right_only: tuple[str, ...] = ()
    distinctive: bool = False
    notes: tuple[str, ...] = field(default=())

    def explain(self) -> str:
        matched = ", ".join(
            p.left if p.left == p.right else f"{p.left}~{p.right} ({p.sim:.2f})" for p in self.pairs
        )
        parts = [f"tokens matched: {matched or 'none'}"]
        if self.left_only:
            parts.append("only in party: " + " ".join(self.left_only))
        if self.right_only:
            parts.append("only in entry: " + " ".join(self.right_only))
        return "; ".join(parts)


_DIGRAPHS: Final = (
    ("sch", "S"),
    ("sh", "S"),
    ("tch", "C"),
    ("ch", "C"),
    ("ph", "f"),
    ("ck", "k"),
    ("dh", "d"),
    ("th", "t"),
    ("kh", "h"),
    ("gh", "g"),
)
_PHONES: Final = str.maketrans(
    {"w": "v", "q": "k", "c": "k", "z": "s", "j": "y", "y": "i", "e": "i", "o": "u", "S": "s", "C": "c"}
)


@lru_cache(maxsize=65_536)
def phonetic_key(token: str) -> str:
    """A rough sound-alike key across romanisations (Usama/Osama, Husayn/Hussein, Wladimir/Vladimir)."""
    s = token
    for digraph, sound in _DIGRAPHS:
        s = s.replace(digraph, sound)
    s = s.translate(_PHONES)
    return "".join(ch for i, ch in enumerate(s) if i == 0 or ch != s[i - 1])


def token_sim(a: str, b: str, params: Params = DEFAULT_PARAMS) -> float:
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if la == 1 or lb == 1:
        return params.initial_sim if a[0] == b[0] and not (a.isdigit() or b.isdigit()) else 0.0
    if 2 * min(la, lb) < max(la, lb) or a.isdigit() or b.isdigit():
        return 0.0  # too different in length to align; numbers either agree or they do not
    s = float(Levenshtein.normalized_similarity(a, b))
    if params.phonetic > 0:
        s = max(
            s, params.phonetic * float(Levenshtein.normalized_similarity(phonetic_key(a), phonetic_key(b)))
        )
    return s


def _merge_runs(form: NameForm, others: set[str]) -> tuple[list[str], list[str]]:
    """Join 2-3 adjacent tokens (as written) when the other name has them run together."""
    toks, kinds = list(form.tokens), list(form.kinds)
    if len(toks) < 2 or not others:
        return toks, kinds
    surface = list(form.surface) or toks
    # only a token of the other side longer than any of ours can be two of ours run together
    longest = max(len(t) for t in surface)
    long_others = [o for o in others if len(o) >= 4 and len(o) > longest and o not in toks]
    if not long_others:
        return toks, kinds
    out_t: list[str] = []
    out_k: list[str] = []
    i = 0
    while i < len(toks):
        for size in (3, 2):
            if i + size <= len(toks) and toks[i] not in others:
                joined = "".join(surface[i : i + size])
                if any(abs(len(joined) - len(o)) <= 3 and token_sim(joined, o) >= 0.85 for o in long_others):
                    out_t.append(joined)
                    out_k.append(NAME)
                    i += size
                    break
        else:
            out_t.append(toks[i])
            out_k.append(kinds[i])
            i += 1
    return out_t, out_k


def _agreement(sim: float, params: Params) -> float:
    return max(0.0, min(1.0, (sim - params.agree_lo) / (params.agree_hi - params.agree_lo)))


def _weight(token: str, kind: str, params: Params) -> float:
    w = KIND_WEIGHTS[kind]
    return w * params.initial_weight if kind == NAME and len(token) == 1 else w


def compare(left: NameForm, right: NameForm, params: Params = DEFAULT_PARAMS) -> Comparison:
    """Score in 0..1 of ``left`` (a party) being ``right`` (a list entry), with the alignment."""
    lt, lk = _merge_runs(left, set(right.tokens))
    rt, rk = _merge_runs(right, set(lt))
    if not lt or not rt:
        return Comparison(0.0)
    cands: list[tuple[float, int, int]] = []
    for i, (a, ka) in enumerate(zip(lt, lk, strict=True)):
        for j, (b, kb) in enumerate(zip(rt, rk, strict=True)):
            if ka == kb:
                s = token_sim(a, b, params) if ka in (NAME, "place") else float(a == b)
            elif NAME in (ka, kb) and len(a) > 3 and len(b) > 3:
                # "Wealth" (a name) against "health" (a generic word)
                s = token_sim(a, b, params) * params.cross_kind
            else:
                s = 0.0
            if s >= params.align_min:
                cands.append((s, i, j))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_l: set[int] = set()
    used_r: set[int] = set()
    pairs: list[Pair] = []
    gained = 0.0
    aligned_w = 0.0
    distinctive = False
    for s, i, j in cands:
        if i in used_l or j in used_r:
            continue
        used_l.add(i)
        used_r.add(j)
        w = (_weight(lt[i], lk[i], params) + _weight(rt[j], rk[j], params)) / 2
        agree = _agreement(s, params)
        gained += w * agree
        aligned_w += w
        kind = lk[i] if lk[i] == rk[j] else NAME
        pairs.append(Pair(lt[i], rt[j], round(s, 3), kind))
        if lk[i] == NAME and rk[j] == NAME and agree > 0:
            distinctive = True
    left_only = [lt[i] for i in range(len(lt)) if i not in used_l]
    right_only = [rt[j] for j in range(len(rt)) if j not in used_r]
    ul = sum(_weight(lt[i], lk[i], params) for i in range(len(lt)) if i not in used_l)
    ur = sum(_weight(rt[j], rk[j], params) for j in range(len(rt)) if j not in used_r)
    # names read across "bin" the other way round are another person; a place each side names differently
    # stays a small conflict ("Guanlang Biotech (HK)" is the Hong Kong arm of "Hebei Guanlang Biotechnology")
    conflict = min(ul, ur) + params.lineage * _crossed_lineage(lt, lk, rt, rk, pairs)
    extra = abs(ul - ur)
    org = any(k in ("legal", "generic") for k in (*lk, *rk))
    extra_cost = params.extra_org if org else params.extra_person
    denom = aligned_w + extra_cost * extra
    score = 0.0
    if denom > 0 and distinctive:
        score = gained / denom * (1.0 - params.conflict) ** conflict
    return Comparison(
        score=round(score, 4),
        pairs=tuple(pairs),
        left_only=tuple(left_only),
        right_only=tuple(right_only),
        distinctive=distinctive,
    )


_LINEAGE: Final = frozenset({"bin", "ibn", "bint"})


def _crossed_lineage(lt: list[str], lk: list[str], rt: list[str], rk: list[str], pairs: list[Pair]) -> int:
    """How many names are read across "bin" the other way round: in "Salman bin Muhammad" Salman is
    the son of Muhammad; "Muhammad bin Salman" is his father's name order, another person."""
    def sides(toks: list[str], kinds: list[str]) -> tuple[str, str] | None:
        for i in range(1, len(toks) - 1):
            if toks[i] in _LINEAGE and kinds[i] == "particle" and kinds[i - 1] == NAME and kinds[i + 1] == NAME:
                return toks[i - 1], toks[i + 1]
        return None

    left, right = sides(lt, lk), sides(rt, rk)
    if left is None or right is None:
        return 0
    aligned = {(p.left, p.right) for p in pairs}
    return int((left[0], right[1]) in aligned) + int((left[1], right[0]) in aligned)


def compare_names(
    left: tuple[NameForm, ...], right: tuple[NameForm, ...], params: Params = DEFAULT_PARAMS
) -> Comparison:
    """Best comparison over the readings of two names (Chinese may have several)."""
    best = Comparison(0.0)
    for a in left:
        for b in right:
            c = compare(a, b, params)
            if c.score > best.score:
                best = c
    return best
