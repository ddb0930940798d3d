"""Accuracy of the goods detector: recall and false-positive rate (run via `bench/goods.py --accuracy`).

* recall on the case table (tests/screen/goods/cases/positives.yaml);
* recall on generated variants of every listed and designer name that nobody wrote by hand — a typo
  in a long word, hyphens dropped or spaced, letters of an abbreviation dotted or spaced, odd case;
* false positives on real commodity text: the HS 2022 nomenclature descriptions, each screened under
  its own code (skipped when ../shared/data is absent; headings that name a listed substance are
  left out), on the negative case table, and on generated ordinary e-commerce traffic.

A line counts as flagged when it reaches review (score ≥ 35) on its own — no route, no party.
"""

from __future__ import annotations

import csv
import dataclasses
import random
import sys
from pathlib import Path
from typing import Any

import polars as pl
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from interdictor.model import Batch  # noqa: E402
from interdictor.reference.corridors import Thresholds  # noqa: E402
from interdictor.reference.kb import load_kb  # noqa: E402
from interdictor.score.rules import load_ruleset  # noqa: E402
from interdictor.score.scorer import score, weigh  # noqa: E402
from interdictor.screen.goods import build_goods_context, detect_goods  # noqa: E402
from interdictor.screen.goods.structure import find_opsin  # noqa: E402

CASES = ROOT / "tests" / "screen" / "goods" / "cases"
HS_FILE = ROOT / ".." / "shared" / "data" / "hs" / "harmonized-system.csv"


def screen(lines: list[dict[str, Any]], g: Any) -> pl.DataFrame:
    n = len(lines)
    ids = [f"A{i}" for i in range(n)]
    sh = pl.DataFrame({"shipment_id": ids, "gross_weight_kg": [ln.get("kg", 1.0) for ln in lines],
                       "declared_value": [ln.get("usd", 50.0) for ln in lines], "pieces": [1] * n})
    it = pl.DataFrame({"shipment_id": ids, "item": [0] * n, "description": [ln["d"] for ln in lines],
                       "hs_code": [str(ln["hs"]).replace(".", "") if ln.get("hs") else None for ln in lines],
                       "quantity": [ln.get("qty") for ln in lines], "cas_number": [ln.get("cas") for ln in lines]},
                      schema_overrides={"quantity": pl.Float64, "cas_number": pl.String})
    batch = Batch.build(sh, it)
    rs = load_ruleset()
    reasons = weigh(detect_goods(batch, g), rs)
    corridor = pl.DataFrame({"shipment_id": ids, "corridor": ["default"] * n})
    sc = score(batch.shipments["shipment_id"], reasons, rs, corridor, {"default": Thresholds()})
    ev = reasons.group_by("shipment_id").agg(pl.col("evidence").str.join(" | ").alias("evidence"))
    return sc.join(ev, on="shipment_id", how="left").with_columns(
        pl.col("shipment_id").str.slice(1).cast(pl.Int64).alias("i")
    ).sort("i")


def flagged(sc: pl.DataFrame) -> pl.Series:
    return sc["disposition"] != "clear"


def share(sc: pl.DataFrame) -> tuple[int, float]:
    """(lines flagged, their share of all lines)."""
    f = flagged(sc).to_list()
    return sum(f), sum(f) / max(len(f), 1)


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 2)
    op = rng.choice(("swap", "drop", "double", "vowel"))
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    vowels = "aeiou"
    j = next((k for k in range(i, len(word)) if word[k] in vowels), i)
    return word[:j] + rng.choice([v for v in vowels if v != word[j]]) + word[j + 1 :]


def variants(rng: random.Random) -> list[tuple[str, str]]:
    kb = load_kb()
    out = []
    for s in kb.substances:
        if s.tier not in ("controlled", "designer", "drug", "watch"):
            continue
        for name in (*s.synonyms, s.name.split(" (")[0]):
            words = name.split()
            long = [k for k, w in enumerate(words) if len(w) >= 8 and w.isalpha()]
            if long:
                k = rng.choice(long)
                out.append((" ".join([*words[:k], typo(words[k], rng), *words[k + 1:]]), s.id))
            if "-" in name:
                out.append((name.replace("-", " "), s.id))
                out.append((name.replace("-", ""), s.id))
            out.append((name.upper(), s.id))
        for ab in s.abbreviations:
            letters = [c for c in ab if c.isalnum()]
            if 2 <= len(letters) <= 6:
                out.append((".".join(letters) + " powder", s.id))
                out.append((" ".join(letters), s.id))
    return out


def accuracy() -> None:
    rng = random.Random(5)
    g = dataclasses.replace(build_goods_context(), names=find_opsin(None))
    kb = load_kb()
    pos = yaml.safe_load((CASES / "positives.yaml").read_text(encoding="utf-8"))["cases"]
    neg = yaml.safe_load((CASES / "negatives.yaml").read_text(encoding="utf-8"))["cases"]

    sc = screen([{"d": c["d"], "hs": c.get("hs"), "kg": c.get("kg", 1.0), "usd": c.get("usd", 50.0),
                  "qty": c.get("qty"), "cas": c.get("cas")} for c in pos], g)
    hits, rate = share(sc)
    print(f"case table positives: recall {rate:.1%} ({hits}/{len(pos)})")

    var = variants(rng)
    sc = screen([{"d": d} for d, _ in var], g)
    hit = [
        bool(f) and (kb.substance(sid).short.lower() in (ev or "").lower()
                     or kb.substance(sid).name.split(" (")[0].lower() in (ev or "").lower())
        for f, ev, (_, sid) in zip(flagged(sc).to_list(), sc["evidence"].to_list(), var, strict=True)
    ]
    print(f"generated variants (typos, hyphens, dotted/spaced abbreviations, case): recall "
          f"{sum(hit) / len(hit):.1%} ({sum(hit)}/{len(hit)}) naming the right substance")
    missed = [d for (d, _), h in zip(var, hit, strict=True) if not h]
    if missed:
        print("  missed, e.g.: " + "; ".join(missed[:12]))

    sc = screen([{"d": c["d"], "hs": c.get("hs"), "kg": c.get("kg", 1.0), "usd": c.get("usd", 50.0),
                  "qty": c.get("qty")} for c in neg], g)
    bad = [c["d"] for c, f, m in zip(neg, flagged(sc).to_list(), (c.get("max", "clear") for c in neg), strict=True)
           if f and m == "clear"]
    print(f"negative case table: {flagged(sc).sum()}/{len(neg)} reach review "
          f"({len(bad)} of them expected clear)")

    sys.path.insert(0, str(ROOT / "bench"))
    from goods import ADJ, NOUN

    ordinary = [f"{rng.choice(ADJ)} {rng.choice(NOUN)}" for _ in range(20_000)]
    sc = screen([{"d": d, "kg": 0.5, "usd": 15.0} for d in ordinary], g)
    print(f"generated ordinary traffic: false-positive rate {share(sc)[1]:.3%} of {len(ordinary):,} lines")

    if not HS_FILE.is_file():
        print("HS nomenclature absent (../shared/data/hs): skipped")
        return
    named = {c.replace(".", "") for c, h in kb.headings.items() if h.role in ("specific", "drug")}
    with HS_FILE.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["level"] in ("4", "6")]
    lines: list[dict[str, Any]] = [{"d": r["description"], "hs": r["hscode"] if len(r["hscode"]) == 6 else None} for r in rows
             if r["hscode"] not in named]
    # descriptions that literally name a listed substance or drug ("methylamine, di- or trimethylamine")
    # are true positives, not false ones: count them apart
    listed = [n.lower() for s in kb.substances if s.tier in ("controlled", "drug", "designer", "watch")
              for n in (*s.synonyms, s.name.split(" (")[0]) if len(n) >= 5]
    names_one = [any(n in ln["d"].lower() for n in listed) for ln in lines]
    sc = screen(lines, g)
    fl = flagged(sc).to_list()
    plain = [f for f, nm in zip(fl, names_one, strict=True) if not nm]
    naming = [f for f, nm in zip(fl, names_one, strict=True) if nm]
    print(f"HS nomenclature descriptions under their own code: false-positive rate "
          f"{sum(plain) / len(plain):.2%} ({sum(plain)}/{len(plain)} reach review; {len(named)} subheadings of "
          f"listed substances left out)")
    print(f"  HS descriptions that name a listed substance among others: {sum(naming)}/{len(naming)} flagged")
    for ln, f, nm, ev in zip(lines, fl, names_one, sc["evidence"].to_list(), strict=True):
        if f and not nm:
            print(f"  - false positive: {ln['d'][:90]} :: {(ev or '')[:160]}")
