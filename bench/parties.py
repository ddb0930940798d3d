"""Parties benchmark: name screening throughput and latency against the full SDN, false
positives on ordinary names, recall on variants of listed suppliers, and end to end.

    .venv/bin/python bench/parties.py                  # 400k distinct names, batch; 2,000 single names
    .venv/bin/python bench/parties.py --names 800000   # a day's worth of distinct names
    .venv/bin/python bench/parties.py --e2e 200000     # + end to end: screen (all detectors) stored to SQLite

The SDN file is not part of the project: it is read from ``../shared/data/sanctions/``
beside the repository (with the shipped curated list when it is absent).  Figures
depend on the machine and its load (the development machines are 2 shared cores).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SANCTIONS = ROOT / ".." / "shared" / "data" / "sanctions"

from interdictor.reference.watchlists import Entry, curated_list, read_list  # noqa: E402
from interdictor.screen.parties.list_reasons import grade  # noqa: E402
from interdictor.screen.parties.loader import build_part  # noqa: E402

FIRST = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Christopher",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Ashley",
    "Anthony",
    "Emily",
    "Mark",
    "Donna",
    "Steven",
    "Michelle",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "George",
    "Laura",
    "Jose",
    "Maria",
    "Juan",
    "Guadalupe",
    "Luis",
    "Rosa",
    "Carlos",
    "Ana",
    "Miguel",
    "Margarita",
    "Jorge",
    "Veronica",
    "Alejandro",
    "Leticia",
    "Ricardo",
    "Yolanda",
    "Manuel",
    "Alejandra",
    "Fernando",
    "Adriana",
    "Javier",
    "Gabriela",
    "Antonio",
    "Araceli",
    "Eduardo",
    "Lucia",
    "Roberto",
    "Claudia",
    "Jesus",
    "Sergio",
    "Wei",
    "Li",
    "Jing",
    "Ming",
    "Hui",
    "Yan",
    "Jun",
    "Xin",
    "Mei",
    "Hao",
    "Minh",
    "Linh",
    "Thanh",
    "Huong",
    "Tuan",
    "Lan",
    "Duc",
    "Mai",
    "Jae",
    "Hyun",
    "Raj",
    "Priya",
    "Amit",
    "Anjali",
    "Vikram",
    "Deepa",
    "Jamal",
    "Aaliyah",
    "Malik",
    "Keisha",
    "Mohammed",
    "Fatima",
    "Ahmed",
    "Aisha",
    "Omar",
    "Layla",
    "Yusuf",
    "Ali",
    "Dmitri",
    "Olga",
    "Sergei",
    "Natasha",
    "Ivan",
    "Elena",
    "Kenji",
    "Aiko",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Hill",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Garcia",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Perez",
    "Sanchez",
    "Ramirez",
    "Torres",
    "Flores",
    "Rivera",
    "Gomez",
    "Diaz",
    "Cruz",
    "Reyes",
    "Morales",
    "Ortiz",
    "Gutierrez",
    "Chavez",
    "Ramos",
    "Ruiz",
    "Alvarez",
    "Mendoza",
    "Castillo",
    "Jimenez",
    "Vasquez",
    "Moreno",
    "Romero",
    "Herrera",
    "Medina",
    "Aguilar",
    "Vargas",
    "Guzman",
    "Salazar",
    "Munoz",
    "Mendez",
    "Castro",
    "Nguyen",
    "Tran",
    "Le",
    "Pham",
    "Huynh",
    "Hoang",
    "Phan",
    "Vu",
    "Vo",
    "Dang",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "Lin",
    "He",
    "Gao",
    "Luo",
    "Wong",
    "Chan",
    "Kim",
    "Lee",
    "Park",
    "Choi",
    "Patel",
    "Shah",
    "Singh",
    "Kumar",
    "Sharma",
    "Gupta",
    "Santos",
    "Bautista",
    "Tanaka",
    "Suzuki",
    "Ivanov",
    "Petrov",
    "Schmidt",
    "Mueller",
    "Rossi",
    "Okafor",
    "Mensah",
    "Hassan",
    "Ahmed",
    "Ali",
    "Abdullah",
    "Haddad",
]
WORDS = [
    "Pacific",
    "Golden",
    "Sunrise",
    "Summit",
    "Horizon",
    "Evergreen",
    "Silverline",
    "Bluewave",
    "Redwood",
    "Northstar",
    "Apex",
    "Vertex",
    "Nova",
    "Zenith",
    "Harbor",
    "Cedar",
    "Maple",
    "Oak",
    "Pine",
    "River",
    "Lake",
    "Mesa",
    "Canyon",
    "Desert",
    "Coastal",
    "Border",
    "Frontier",
    "Liberty",
    "Eagle",
    "Falcon",
    "Phoenix",
    "Dragon",
    "Lotus",
    "Jade",
    "Pearl",
    "Orchid",
    "Bamboo",
    "Lucky",
    "Fortune",
    "Prosper",
    "Harmony",
    "Unity",
    "Bright",
    "Shine",
    "Smart",
    "Rapid",
    "Swift",
    "Prime",
    "Royal",
    "Elite",
    "Grand",
    "Star",
    "Sun",
    "Moon",
    "Sky",
    "Ocean",
    "Wave",
    "Stone",
    "Iron",
    "Steel",
    "Crystal",
    "Diamond",
]
TRADE = [
    "Trading",
    "Technology",
    "Logistics",
    "Imports",
    "Supply",
    "Industrial",
    "Electronics",
    "Biotech",
    "Chemical",
    "International",
    "Enterprises",
    "Group",
    "Holdings",
    "Manufacturing",
    "E-Commerce",
    "Express",
]
LEGAL = ["Co., Ltd", "LLC", "Inc.", "Limited", "Corp", "Co", "Ltd", "S.A. de C.V.", ""]
PROVINCES = [
    "Shenzhen",
    "Guangzhou",
    "Yiwu",
    "Hangzhou",
    "Shanghai",
    "Dongguan",
    "Xiamen",
    "Ningbo",
    "Wuhan",
    "Hebei",
    "Hubei",
    "Henan",
    "Anhui",
    "Jiangsu",
    "Zhejiang",
    "Fujian",
]
SYLL = [
    "an",
    "ao",
    "bai",
    "bang",
    "bei",
    "ben",
    "bo",
    "cai",
    "chang",
    "chen",
    "cheng",
    "chun",
    "da",
    "de",
    "ding",
    "dong",
    "fang",
    "feng",
    "fu",
    "gang",
    "gao",
    "guang",
    "gui",
    "hai",
    "han",
    "hao",
    "hong",
    "hua",
    "huan",
    "hui",
    "jia",
    "jian",
    "jie",
    "jin",
    "jing",
    "jun",
    "kai",
    "kang",
    "lan",
    "lang",
    "le",
    "li",
    "lian",
    "lin",
    "ling",
    "long",
    "lu",
    "mei",
    "ming",
    "na",
    "ning",
    "peng",
    "ping",
    "qi",
    "qiang",
    "qing",
    "rong",
    "rui",
    "sen",
    "shan",
    "sheng",
    "shi",
    "shu",
    "shun",
    "tai",
    "tian",
    "ting",
    "wei",
    "wen",
    "xiang",
    "xin",
    "xing",
    "xiu",
    "ya",
    "yang",
    "yao",
    "yi",
    "ying",
    "yong",
    "yu",
    "yuan",
    "yue",
    "ze",
    "zhen",
    "zheng",
    "zhi",
    "zhong",
]


PERSONS: set[str] = set()  # the names ordinary_names made as private persons


def ordinary_names(n: int, seed: int = 5) -> list[str]:
    """Distinct synthetic names: ~80 % private persons (consignees), ~20 % companies."""
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        r = rng.random()
        if r < 0.8:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if rng.random() < 0.3:
                name = f"{rng.choice(FIRST)} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {rng.choice(LAST)}"
            if rng.random() < 0.15:
                name = name + " " + rng.choice(LAST)
            name = name.upper() if rng.random() < 0.3 else name
            PERSONS.add(name)
        elif r < 0.9:
            brand = rng.choice(SYLL).capitalize() + rng.choice(SYLL)
            name = f"{rng.choice(PROVINCES)} {brand} {rng.choice(TRADE)} {rng.choice(LEGAL)}".strip()
        else:
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADE)} {rng.choice(LEGAL)}".strip()
        out.add(name)
    return sorted(out)


VARIANTS = [
    "Hubei Guanlang Biotechnology Co., Ltd",
    "HEBEI GUANLENG BIO-TECH CO LTD",
    "Guanlang Biotech Limited",
    "河北冠朗生物科技有限公司",
    "Changgen Du",
    "DU CHANG GEN",
    "杜长根",
    "Hubei Vast Chemicals Co Ltd",
    "Hebei Vast Chemical Limited",
    "Hebei Xiuna Commerce & Trade Co",
    "Xiuna Trading LLC",
    "Hubei Xiuna Trading",
    "Shanghai Jarred Industrial Co., Limited",
    "Jarred Industrial Shanghai",
    "Shucheng Wang",
    "WANG SHU CHENG",
    "Hanhong Medicine Technology (Hubei) Co Ltd",
    "Hanhong Pharma Tech",
    "Hebei Sinaloa Trading Co., Ltd.",
    "Hefei GSK Trading",
    "Yason General Machinery",
    "TDP MOLDS",
    "Wuhan Shuokang Biological Tech",
    "武漢碩康生物科技有限公司",
    "Hebei Atun Trade",
    "Hubei Amarvel Bio-Tech",
    "AmarvelBio",
]


def load_entries() -> list[Entry]:
    sdn = SANCTIONS / "ofac-sdn.csv"
    entries = list(curated_list().entries)
    if sdn.exists():
        entries += list(read_list(sdn).entries)
        print(
            f"list: OFAC SDN from {sdn.name} ({sum(1 for e in entries if e.list_id == 'ofac-sdn'):,} entries) "
            f"+ shipped curated list"
        )
    else:
        print(f"list: shipped curated list only ({sdn} absent)")
    return entries


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--names", type=int, default=400_000, help="distinct names screened in one batch")
    ap.add_argument("--single", type=int, default=2_000, help="names screened one at a time (latency)")
    ap.add_argument("--e2e", type=int, default=0, help="also screen this many shipments end to end, stored")
    ap.add_argument("--slips", type=int, default=600,
                    help="listed organisations' names written with one edit inside a trade word, legal form or place")
    ap.add_argument("--paths", action="store_true",
                    help="also compare the batch path with the single-name path on real names (the name bench's "
                         "names and listed names with a letter dropped or their words reversed)")
    args = ap.parse_args()

    t = time.perf_counter()
    part = build_part(load_entries())
    idx = part.index
    print(
        f"index: {len(idx.names):,} names, {len(idx.postings):,} keys, built in {time.perf_counter() - t:.1f} s"
    )

    names = ordinary_names(args.names)
    series = pl.Series("name", names + VARIANTS)
    idx.match_many(series.head(2000))  # warm: imports, caches
    t = time.perf_counter()
    hits = idx.match_many(series)
    dt = time.perf_counter() - t
    print(f"batch: {len(series):,} distinct names in {dt:.2f} s = {len(series) / dt:,.0f} names/s")
    print(f"    of which looked up name by name as well (the cheap fold reads them otherwise): {careful(idx, series):,}")

    codes: Counter[tuple[bool, str]] = Counter()
    flagged: dict[str, str] = {}
    for h in hits:
        graded = grade(h, part, None, False)
        code = graded[0] if graded else "dropped"
        codes[(h.query in VARIANTS, code)] += 1
        if h.query not in VARIANTS and code in ("PARTY_SANCTIONED", "PARTY_LOOKOUT"):
            flagged.setdefault(h.query, f"{h.name.raw} ({h.score:.2f})")
    found = {
        h.query
        for h in hits
        if h.query in VARIANTS and (grade(h, part, "CN", False) or ("",))[0] == "PARTY_SANCTIONED"
    }
    print(
        f"listed-supplier variants flagged PARTY_SANCTIONED (country CN): {len(found)}/{len(VARIANTS)}"
        + (f"; missed: {sorted(set(VARIANTS) - found)}" if len(found) < len(VARIANTS) else "")
    )
    ordinary = {c: n for (v, c), n in codes.items() if not v}
    print(
        f"ordinary names with a hit, by code (no country given): {dict(sorted(ordinary.items()))} "
        f"of {len(names):,}"
    )
    for q, why in list(flagged.items())[:10]:
        print(f"    sanctioned-level on an ordinary name: {q!r} ~ {why}")

    persons = {h.query for h in hits if h.query in PERSONS and h.name.entry.kind == "entity" and h.score >= 0.75}
    on_org = Counter((grade(h, part, None, False) or ("dropped",))[0] for h in hits
                     if h.query in PERSONS and h.name.entry.kind == "entity")
    print(f"ordinary persons ({len(PERSONS & set(names)):,}) with a hit on an organisation's name: {len(persons):,} at "
          f"0.75 or more; by code: {dict(sorted(on_org.items()))}")
    for h in [h for h in hits if h.query in persons and h.name.entry.kind == "entity" and h.score >= 0.75][:5]:
        print(f"    a person on an organisation's name: {h.query!r} ~ {h.name.raw} ({h.score:.2f})")
    slips(idx, part, args.slips)

    sample = random.Random(9).sample(names, min(args.single, len(names))) + VARIANTS
    lat = []
    for q in sample:
        t = time.perf_counter()
        idx.match_one(q)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    p99 = lat[int(len(lat) * 0.99) - 1]
    print(
        f"single: {len(lat):,} names one at a time, p50 {statistics.median(lat):.2f} ms, p99 {p99:.2f} ms, "
        f"max {lat[-1]:.2f} ms"
    )
    if args.paths:
        paths(idx, part)
    if args.e2e:
        e2e(args.e2e, names)
    return 0


def slipped(raw: str, rng: random.Random) -> str | None:
    """``raw`` with one edit (a letter dropped, changed or two swapped, never the first) inside one of its words
    that the vocabulary reads as a legal form, trade word or place of five letters or more; None without one."""
    from interdictor.screen.parties.text import fold_tokens, vocab

    words = raw.split(" ")
    spots = []
    for i, w in enumerate(words):
        toks = fold_tokens(w)
        hit = vocab().phrases.get(tuple(toks)) if len(toks) == 1 else None
        if hit and hit[0] in ("legal", "generic", "place") and len(toks[0]) >= 5 and w.isalpha():
            spots.append(i)
    if not spots:
        return None
    i = rng.choice(spots)
    w = words[i]
    k = rng.randrange(1, len(w) - 1)
    edit = rng.choice(("drop", "change", "swap"))
    if edit == "drop":
        w = w[:k] + w[k + 1:]
    elif edit == "change":
        letters = "abcdefghijklmnopqrstuvwxyz"
        c = rng.choice([x for x in letters if x != w[k].lower()])
        w = w[:k] + (c.upper() if w[k].isupper() else c) + w[k + 1:]
    else:
        w = w[:k] + w[k + 1] + w[k] + w[k + 2:]
    return " ".join([*words[:i], w, *words[i + 1:]])


def slips(idx: object, part: object, n: int) -> None:
    """Recall on listed organisations' names written with one edit inside a trade word, legal form or place:
    found (any hit on the entry) and flagged PARTY_SANCTIONED (country CN), batch path."""
    from interdictor.screen.parties.index import WatchlistIndex

    assert isinstance(idx, WatchlistIndex)
    rng = random.Random(11)
    orgs = sorted({(ln.raw, ln.entry.uid) for ln in idx.names if ln.entry.kind == "entity" and not ln.weak})
    cases = []
    for raw, uid in rng.sample(orgs, len(orgs)):
        v = slipped(raw, rng)
        if v is not None and v != raw:
            cases.append((v, uid))
        if len(cases) >= n:
            break
    hits = idx.match_many(pl.Series([v for v, _u in cases]))
    got = {(h.query, h.name.entry.uid) for h in hits}
    top = {(h.query, h.name.entry.uid) for h in hits
           if (grade(h, part, "CN", False) or ("",))[0] == "PARTY_SANCTIONED"}  # type: ignore[arg-type]
    found = sum((v, u) in got for v, u in cases)
    flagged = sum((v, u) in top for v, u in cases)
    print(f"slips: {len(cases)} listed organisations' names with one edit in a trade word, legal form or place: "
          f"found {found} ({found / max(len(cases), 1):.1%}), PARTY_SANCTIONED {flagged} "
          f"({flagged / max(len(cases), 1):.1%})")
    missed = [v for v, u in cases if (v, u) not in got]
    for v in missed[:5]:
        print(f"    missed: {v!r}")


def careful(idx: object, names: pl.Series) -> int:
    """Names of a batch that ``WatchlistIndex.candidates`` also looks up name by name."""
    from interdictor.screen.parties.index import WatchlistIndex

    assert isinstance(idx, WatchlistIndex)
    return len(idx.careful_queries(names))


def paths(idx: object, part: object) -> None:
    """Hits the batch path (many names) and the single-name path (``lists check``, a submission) find."""
    import csv

    from interdictor.screen.parties.index import WatchlistIndex

    assert isinstance(idx, WatchlistIndex)
    cases = ROOT / ".." / "shared" / "data" / "names" / "nomenklatura_name_bench" / "cases.csv"
    if not cases.exists():
        print(f"paths: name bench absent ({cases}); nothing compared")
        return
    queries: set[str] = set()
    with cases.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            queries |= {r["name1"], r["name2"]}
    rnd = random.Random(5)
    listed = [n.raw for n in idx.names if n.entry.list_id == "ofac-sdn"]
    for raw in rnd.sample(listed, min(1500, len(listed))):
        queries.add(raw)
        if len(raw) > 5:
            i = rnd.randrange(len(raw) - 1)
            queries |= {raw[:i] + raw[i + 1:], " ".join(reversed(raw.replace(",", "").split()))}
    qs = sorted(q for q in queries if q)

    def key(h: object) -> tuple[str, str]:
        return (h.query, h.name.entry.uid)  # type: ignore[attr-defined]

    batch = {key(h) for h in idx.match_many(pl.Series(qs))}
    single = {key(h) for q in qs for h in idx.match_one(q)}
    print(f"paths: {len(qs):,} real names; batch path {len(batch):,} hits, single-name path {len(single):,}; "
          f"only the batch path {len(batch - single)}, only the single-name path {len(single - batch)}")
    for q, uid in sorted(single - batch)[:10]:
        print(f"    only single-name: {q!r} ~ entry {uid}")


def e2e(n: int, names: list[str]) -> None:
    from typer.testing import CliRunner

    from interdictor.cli import app

    rng = random.Random(13)
    persons = [x for x in names if "Co" not in x and "LLC" not in x][:200_000]
    shippers = [x for x in names if x not in persons][:20_000] + VARIANTS
    # each shipper keeps its own return address; a few share one (consolidators, fake addresses)
    home = {s: f"{rng.randint(1, 9999)} {rng.choice(SYLL).capitalize()} Rd" for s in shippers}
    picked = [rng.choice(shippers) for _ in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "manifest.csv"
        pl.DataFrame(
            {
                "shipment_id": [f"P{i}" for i in range(n)],
                "mode": ["express"] * n,
                "origin_country": ["CN"] * n,
                "routing": [rng.choice(["PVG-ANC-LAX", "HKG-LAX", "SZX-ORD"]) for _ in range(n)],
                "shipper_name": picked,
                "shipper_address": [home[s] for s in picked],
                "shipper_country": ["CN"] * n,
                "consignee_name": [rng.choice(persons) for _ in range(n)],
                "consignee_address": [f"{rng.randint(1, 9999)} {rng.choice(LAST)} St" for _ in range(n)],
                "consignee_city": ["San Diego"] * n,
                "consignee_state": ["CA"] * n,
                "consignee_postal_code": [rng.choice(["92101", "92154", "92173", "91911"]) for _ in range(n)],
                "consignee_country": ["US"] * n,
                "pieces": [1] * n,
                "gross_weight_kg": [round(rng.uniform(0.1, 5), 2) for _ in range(n)],
                "declared_value": [round(rng.uniform(2, 200), 2) for _ in range(n)],
                "currency": ["USD"] * n,
                "item_description": [
                    rng.choice(["phone case", "t-shirt", "organic intermediate", "toy car"]) for _ in range(n)
                ],
                "hs_code": [rng.choice(["392690", "610910", "293339", "950300"]) for _ in range(n)],
            }
        ).write_csv(path)
        db = Path(tmp) / "bench.sqlite"
        t = time.perf_counter()
        result = CliRunner().invoke(
            app, ["screen", str(path), "--out", str(Path(tmp) / "out.csv"), "--db", f"sqlite:///{db}"]
        )
        dt = time.perf_counter() - t
        if result.exit_code not in (0, 3):
            print(result.output)
            raise SystemExit(f"screen failed with exit code {result.exit_code}")
        print(
            f"end to end (all registered detectors incl. parties with the shipped list, stored to SQLite): "
            f"{n:,} shipments in {dt:.1f} s = {n / dt:,.0f} shipments/s"
        )


if __name__ == "__main__":
    raise SystemExit(main())
