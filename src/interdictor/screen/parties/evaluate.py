"""Measuring the name matcher on labelled pairs, honestly.

A threshold chosen on the pairs it is then scored on flatters the matcher, so
the pairs are split in two halves by a stable hash: the threshold is chosen on
one half and precision, recall and F1 are reported on the other (and the other
way round, for a two-fold figure).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from interdictor.screen.parties.similarity import DEFAULT_PARAMS, Params, compare_names
from interdictor.screen.parties.text import name_variants


@dataclass(frozen=True)
class LabelledPair:
    left: str
    right: str
    match: bool
    group: str = ""
    schema: str = ""


@dataclass(frozen=True)
class Scores:
    threshold: float
    precision: float
    recall: float
    f1: float
    n: int

    def line(self) -> str:
        return (
            f"threshold {self.threshold:.3f}  precision {self.precision:.3f}  recall {self.recall:.3f}"
            f"  F1 {self.f1:.3f}  (n={self.n})"
        )


def read_pairs(path: Path) -> list[LabelledPair]:
    """Pairs from a CSV with ``name1, name2, is_match`` (the nomenklatura bench shape)."""
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(
                LabelledPair(
                    left=row["name1"],
                    right=row["name2"],
                    match=row["is_match"].strip().lower() == "true",
                    group=row.get("case_group", ""),
                    schema=row.get("schema", ""),
                )
            )
    return out


def half_of(pair: LabelledPair, salt: str = "interdictor-names-v1") -> int:
    """0 or 1, stable across runs and machines."""
    digest = hashlib.sha256(f"{salt}|{pair.left}|{pair.right}".encode()).digest()
    return digest[0] & 1


def split(pairs: Sequence[LabelledPair]) -> tuple[list[LabelledPair], list[LabelledPair]]:
    a = [p for p in pairs if half_of(p) == 0]
    b = [p for p in pairs if half_of(p) == 1]
    return a, b


def score_pairs(pairs: Sequence[LabelledPair], params: Params = DEFAULT_PARAMS) -> list[float]:
    return [compare_names(name_variants(p.left), name_variants(p.right), params).score for p in pairs]


def metrics(scores: Sequence[float], labels: Sequence[bool], threshold: float) -> Scores:
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < threshold and y)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(threshold, p, r, f, len(labels))


def best_threshold(scores: Sequence[float], labels: Sequence[bool]) -> Scores:
    """The threshold with the best F1 on these pairs (ties: the higher threshold)."""
    best = metrics(scores, labels, 1.01)
    for t in sorted(set(scores)):
        m = metrics(scores, labels, t)
        if m.f1 > best.f1 or (m.f1 == best.f1 and t > best.threshold):
            best = m
    return best


@dataclass(frozen=True)
class HeldOut:
    tuned: Scores  # on the half the threshold was chosen on
    held_out: Scores  # on the other half, at that threshold


def held_out(
    tune: Sequence[LabelledPair],
    test: Sequence[LabelledPair],
    scorer: Callable[[Sequence[LabelledPair]], list[float]] = score_pairs,
) -> HeldOut:
    s_tune = scorer(tune)
    chosen = best_threshold(s_tune, [p.match for p in tune])
    s_test = scorer(test)
    return HeldOut(chosen, metrics(s_test, [p.match for p in test], chosen.threshold))
