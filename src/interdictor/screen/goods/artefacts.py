"""The compiled knowledge base (match patterns, key sets, vague matcher, CAS slips), cached on disk.

Compiling costs about a sixth of a second and needs pypinyin (half a second to import), and every
``interdictor screen`` — even of a five-row file — would pay it.  What it produces depends only on
the knowledge base's content and on the code that compiles it, so it is kept in the user cache
directory (as ``reference/geo.py`` keeps its postal table) under a key made of both: editing a YAML
file or the compiling code gives a new key, and the old entry is simply not read again.  Tables are
Parquet, the rest JSON — no pickle.  A cache that cannot be read or written only means compiling.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, fields
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import polars as pl

from interdictor.reference.kb import KnowledgeBase
from interdictor.screen.goods.cachefile import prune
from interdictor.screen.goods.cas import near_misses
from interdictor.screen.goods.patterns import PATTERN_SCHEMA, Compiled, compile_kb
from interdictor.screen.goods.vague import VagueMatcher, compile_vague

# modules whose code decides what is compiled: a change to any of them is a new cache key
_CODE = ("patterns.py", "normalise.py", "vague.py", "cas.py", "scan.py", "artefacts.py")
_FORMAT = 3


@dataclass(frozen=True)
class Artefacts:
    compiled: Compiled
    vague: VagueMatcher
    near_cas: dict[str, str]


def build(kb: KnowledgeBase) -> Artefacts:
    return Artefacts(compile_kb(kb), compile_vague(kb), near_misses(kb))


def cache_key(kb: KnowledgeBase) -> str:
    """Digest of what compiling reads: the knowledge base's content, the code, and the libraries it uses."""
    h = hashlib.sha256(f"format {_FORMAT}".encode())
    # every field of the knowledge base (the indexes derived from them aside): a field added later is
    # covered without anyone remembering to add it here
    h.update(repr([getattr(kb, f.name) for f in fields(kb) if f.name not in ("by_id", "by_cas")]).encode())
    here = Path(__file__).parent
    for name in _CODE:
        h.update((here / name).read_bytes())
    for package in ("polars", "pypinyin"):
        try:
            h.update(f"{package} {version(package)}".encode())
        except PackageNotFoundError:
            h.update(f"{package} absent".encode())
    return h.hexdigest()[:16]


def load_or_build(kb: KnowledgeBase, cache_dir: Path | None) -> Artefacts:
    """The artefacts of ``kb``: read from ``cache_dir`` when they are there, else built (and saved)."""
    if cache_dir is None:
        return build(kb)
    try:
        where = cache_dir / f"goods-{cache_key(kb)}"
    except OSError:
        return build(kb)
    found = read(where)
    if found is not None:
        return found
    art = build(kb)
    write(art, where)
    return art


def read(where: Path) -> Artefacts | None:
    try:
        meta = json.loads((where / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != _FORMAT:
            return None
        patterns = pl.read_parquet(where / "patterns.parquet").cast(dict(PATTERN_SCHEMA))  # type: ignore[arg-type]
        groups = pl.read_parquet(where / "groups.parquet")
        keys = pl.read_parquet(where / "keys.parquet")
        compiled = Compiled.from_tables(
            patterns, groups, keys, tuple(meta["fuzzy_vocabulary"]), frozenset(meta["known_words"]),
            frozenset((a, b) for a, b in meta["subsumes"]),
        )
        vague = VagueMatcher(meta["vague_full"], {k: tuple(v) for k, v in meta["vague_families"].items()},
                             meta["vague_generic_equipment"])
        return Artefacts(compiled, vague, dict(meta["near_cas"]))
    except Exception as exc:  # missing, cut short, or written by other code: compile instead
        if (where / "meta.json").exists():
            logging.getLogger(__name__).info("compiled goods tables at %s unreadable (%s); recompiling", where, exc)
        return None


def write(art: Artefacts, where: Path) -> None:
    """Write into a fresh directory, then rename it into place (a reader never sees half an entry)."""
    tmp = where.with_name(f"{where.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        tmp.mkdir(parents=True)
        c = art.compiled
        c.patterns.write_parquet(tmp / "patterns.parquet")
        c.groups.write_parquet(tmp / "groups.parquet")
        c.keys().write_parquet(tmp / "keys.parquet")
        meta = {
            "format": _FORMAT,
            "fuzzy_vocabulary": list(c.fuzzy_vocabulary),
            "known_words": sorted(c.known_words),
            "subsumes": sorted([a, b] for a, b in c.subsumes),
            "vague_full": art.vague.full,
            "vague_families": {k: list(v) for k, v in art.vague.families.items()},
            "vague_generic_equipment": art.vague.generic_equipment,
            "near_cas": art.near_cas,
        }
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, where)
        prune(where.parent, "goods-*", keep=where)  # tables of other versions, unused for a week
    except OSError:
        pass  # a read-only home, or another process got there first: both are fine
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
